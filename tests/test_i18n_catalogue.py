"""Translations: complete in every language, same placeholders, and the names the app shows."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import i18n
from geo import schema
from geo.districts import LEVELS
from geo.errors import ParameterError
from hotspots.recommendation import SERVICE_KINDS
from hotspots.selection import PRESETS
from i18n import LANGUAGES, catalogue, t

I18N = Path(i18n.__file__).resolve().parent
VIEWS = I18N.parent / "views"


def test_languages_are_finnish_swedish_english() -> None:
    assert LANGUAGES == {"fi": "suomi", "sv": "svenska", "en": "English"}
    assert sorted(p.stem for p in (I18N / "locales").glob("*.json")) == sorted(LANGUAGES)


def test_every_key_exists_in_every_language() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    union = set().union(*keys.values())
    for lang, present in keys.items():
        assert union - present == set(), f"{lang} lacks keys"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_empty_translation(lang: str) -> None:
    empty = [key for key, text in catalogue(lang).items() if not text.strip()]
    assert empty == []


def test_placeholders_are_identical_across_languages() -> None:
    for key in catalogue("fi"):
        names = {lang: i18n.placeholders(catalogue(lang)[key]) for lang in LANGUAGES}
        assert len(set(names.values())) == 1, f"{key}: {names}"


def test_catalogue_files_have_no_duplicate_keys() -> None:
    for lang in LANGUAGES:
        pairs = json.loads(
            (I18N / "locales" / f"{lang}.json").read_text(encoding="utf-8"),
            object_pairs_hook=lambda items: [key for key, _ in items],
        )
        assert len(pairs) == len(set(pairs)), lang


def test_translations_differ_between_languages_where_they_should() -> None:
    # The catalogues are real translations, not copies of one language.
    same = [key for key in catalogue("fi") if catalogue("fi")[key] == catalogue("en")[key]]
    assert len(same) < 0.1 * len(catalogue("fi")), same


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_categories_sources_levels_presets_weekdays_are_named(lang: str) -> None:
    for category in schema.CATEGORIES:
        assert i18n.category_label(category, lang) != category
    for source in schema.SOURCES:
        assert i18n.source_label(source, lang) != source
    for level in LEVELS:
        assert i18n.level_label(level, lang) != level
    for preset in PRESETS:
        assert t(f"preset.{preset}", lang)
    assert len({t(f"weekday.{day}", lang) for day in range(7)}) == 7


def test_recommendation_keys_in_every_language_with_the_same_placeholders() -> None:
    keys = {lang: {k for k in catalogue(lang) if k.startswith("recommendation.")} for lang in LANGUAGES}
    assert keys["fi"] == keys["sv"] == keys["en"]
    for key in keys["en"]:
        assert len({i18n.placeholders(catalogue(lang)[key]) for lang in LANGUAGES}) == 1, key
    # Every lead, and every service kind the reader keeps, has its words.
    for lead in ("youth_work", "police", "joint"):
        assert i18n.placeholders(catalogue("en")[f"recommendation.lead.{lead}"]) == {"where", "when"}
    for kind in (*SERVICE_KINDS, "other"):
        assert f"recommendation.kind.{kind}" in keys["en"]


def test_drug_dealing_in_three_languages() -> None:
    assert [i18n.category_label("drug_dealing", lang) for lang in ("fi", "sv", "en")] == [
        "Huumekauppa",
        "Narkotikahandel",
        "Drug dealing",
    ]
    assert t("app.title", "fi") == "Helsingin turvallisuuden hotspot-kartta"


def test_unknown_category_is_shown_as_given() -> None:
    assert i18n.category_label("graffiti_x", "sv") == "graffiti_x"


def _keys_used_in(path: Path) -> set[str]:
    """String constants in a module that look like catalogue keys (``map.x``, ``popup.y``)."""
    pattern = re.compile(r"^(map|popup|category|source|level)\.[a-z_.-]+$")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value)
    }


def test_every_key_the_map_uses_exists() -> None:
    used = set().union(
        *(_keys_used_in(VIEWS / f"{name}.py") for name in ("mapview", "map_layers", "map_areas", "livemap"))
    )
    assert len(used) >= 10  # the scan found the keys, so the check below means something
    for lang in LANGUAGES:
        assert used - set(catalogue(lang)) == set(), lang


def test_missing_key_names_key_and_language() -> None:
    with pytest.raises(KeyError, match=r"'no\.such\.key'.*'sv'"):
        t("no.such.key", "sv")


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(ParameterError, match=r"'de'.*\['fi', 'sv', 'en'\]"):
        t("app.title", "de")


def test_placeholders_are_filled_and_required() -> None:
    assert "17" in t("msg.import_rejected_rows", "fi", n=17)
    assert "17" in t("msg.import_rejected_rows", "en", n=17)
    with pytest.raises(KeyError, match=r"\['n'\]"):
        t("msg.import_rejected_rows", "sv")
