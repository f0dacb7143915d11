"""File names of the exports (briefing.filenames): the filter in every name, safe everywhere."""

from __future__ import annotations

import re

import pytest

from briefing.filenames import MAX_STEM_CHARS, file_stem, slug
from geo import districts
from hotspots.selection import Selection, districts_by_name

SINCE, UNTIL = "2026-05-01", "2026-11-01"
SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _chosen(*names: str) -> dict[str, tuple[str, ...]]:
    return districts_by_name(list(names), districts.hierarchy())


def test_kallio_and_the_whole_city_never_share_a_name() -> None:
    city = file_stem(Selection(since=SINCE, until=UNTIL), lang="fi")
    kallio = file_stem(Selection(since=SINCE, until=UNTIL, **_chosen("Kallio")), lang="fi")
    assert city == "hotspots-helsinki-2026-05-01_2026-10-31-fi"
    assert kallio == "hotspots-kallio-2026-05-01_2026-10-31-fi"
    # Swedish files carry the Swedish names, folded to ASCII.
    assert file_stem(Selection(since=SINCE, until=UNTIL, **_chosen("Kallio")), lang="sv") == (
        "hotspots-berghall-2026-05-01_2026-10-31-sv"
    )
    assert file_stem(Selection(), lang="en", restricted=True) == "RESTRICTED-hotspots-helsinki-start_end-en"


def test_names_are_folded_to_ascii_and_hostile_names_cannot_escape() -> None:
    assert slug("Etu-Töölö") == "etu-toolo"
    assert slug("Östersundom") == "ostersundom"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("東京") == ""
    chosen = Selection(peruspiiri=("101", "102"))
    hostile = {"101": '../Kallio/"x"\\:*?<>|', "102": "東京"}
    stem = file_stem(chosen, lang="fi", district_names=hostile)
    assert SAFE.match(stem), stem
    # A name with no Latin letters falls back to the district's code.
    assert stem == "hotspots-kallio-x_d102-start_end-fi"


def test_categories_are_named_and_other_filters_digested_so_selections_stay_apart() -> None:
    base = Selection(since=SINCE, until=UNTIL, **_chosen("Kallio"))
    drugs = Selection(since=SINCE, until=UNTIL, categories=("drug_dealing",), **_chosen("Kallio"))
    assert file_stem(drugs, lang="en") == "hotspots-kallio-2026-05-01_2026-10-31-drug-dealing-en"
    assert file_stem(drugs, lang="fi") == "hotspots-kallio-2026-05-01_2026-10-31-huumekauppa-fi"
    evenings = Selection(since=SINCE, until=UNTIL, hours=(18, 19, 20), **_chosen("Kallio"))
    weekends = Selection(since=SINCE, until=UNTIL, weekdays=(4, 5), **_chosen("Kallio"))
    police = Selection(since=SINCE, until=UNTIL, sources=("police",), **_chosen("Kallio"))
    stems = {file_stem(s, lang="fi") for s in (base, drugs, evenings, weekends, police)}
    assert len(stems) == 5
    # The digest is the filter's, not the run's: the same selection, the same name.
    assert file_stem(evenings, lang="fi") == file_stem(
        Selection(since=SINCE, until=UNTIL, hours=(20, 19, 18), **_chosen("Kallio")), lang="fi"
    )


def test_many_districts_are_counted_and_the_name_stays_short() -> None:
    layer = districts.load_districts("osaalue")
    codes = tuple(layer["code"].astype(str).head(40))
    many = Selection(since=SINCE, until=UNTIL, osaalue=codes)
    fewer = Selection(since=SINCE, until=UNTIL, osaalue=codes[:39])
    stem = file_stem(many, lang="fi")
    assert SAFE.match(stem) and len(stem) <= MAX_STEM_CHARS
    assert "-37-more" in stem.replace("_", "-")
    assert stem != file_stem(fewer, lang="fi")
    assert stem.endswith("-fi") and "2026-05-01_2026-10-31" in stem


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_district_of_the_city_gives_a_safe_name(lang: str) -> None:
    layer = districts.load_districts("osaalue")
    for code in layer["code"].astype(str):
        stem = file_stem(Selection(osaalue=(code,)), lang=lang)
        assert SAFE.match(stem) and len(stem) <= MAX_STEM_CHARS, stem
