"""Errors, reject reasons and field names in fi/sv/en (i18n.problems), from real imports and raises."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import geo
import hotspots
from geo.columns import FIELDS
from geo.errors import ColumnMappingError, HotspotsError, ParameterError
from geo.incidents import ImportResult, import_incidents
from geo.rejects import REASONS, reasons
from i18n import LANGUAGES, catalogue, placeholders, t
from i18n.problems import error_text, field_label, has_text, reject_reason

#: What only the CLI may say: options, settings, commands, Python literals.
CLI_OR_PYTHON = re.compile(r"--[a-z]|HOTSPOTS_|hotspots [a-z]|mapping=|crs=|\{'|\['|source_crs")


def _raised_codes() -> dict[str, set[str]]:
    """Every ``code=`` given to an error in geo/ and hotspots/, with the parameters passed beside it."""
    found: dict[str, set[str]] = {}
    for package in (geo, hotspots):
        for path in Path(package.__file__).resolve().parent.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                code = keywords.get("code")
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    found.setdefault(code.value, set()).update(k for k in keywords if k != "code")
    return found


def test_every_error_code_raised_has_a_sentence_filled_by_what_the_raise_passes() -> None:
    raised = _raised_codes()
    assert len(raised) >= 15  # the scan found the raises, so the check means something
    for code, params in raised.items():
        for lang in LANGUAGES:
            key = f"error.{code}"
            assert key in catalogue(lang), (code, lang)
            assert placeholders(catalogue(lang)[key]) <= params, (code, lang)
            assert not CLI_OR_PYTHON.search(catalogue(lang)[key]), (code, lang)


def test_every_reject_reason_has_a_sentence_filled_by_its_parameters() -> None:
    for code, english in REASONS.items():
        for lang in LANGUAGES:
            text = catalogue(lang)[f"reject.{code}"]
            assert placeholders(text) <= placeholders(english), (code, lang)
            assert not CLI_OR_PYTHON.search(text), (code, lang)


def test_every_field_has_a_name_in_words() -> None:
    for lang in LANGUAGES:
        names = [field_label(f, lang) for f in (*FIELDS, "location", "geometry", "row")]
        assert len(set(names)) == len(names), lang
        assert not set(names) & set(FIELDS), lang
    assert field_label("occurred_at", "fi") == "Aika"
    assert field_label("no_such_field", "sv") == "no_such_field"


def test_a_real_imports_rejects_read_in_every_language(messy_result: ImportResult) -> None:
    rejects = messy_result.rejects
    assert rejects["reason_code"].notna().all() and len(set(rejects["reason_code"])) >= 4
    lines = list(zip(rejects["reason_code"], rejects["reason_params"], rejects["reason"], strict=True))
    for lang in LANGUAGES:
        texts = [reject_reason(code, params, lang, english=english) for code, params, english in lines]
        assert all(texts) and not any("{" in text or CLI_OR_PYTHON.search(text) for text in texts), lang
        if lang != "en":
            assert not set(texts) & set(rejects["reason"]), lang  # none left in English


def test_numbers_and_dates_in_reasons_follow_the_language() -> None:
    _, params = reasons("outside_helsinki", 1, lon=25.5, lat=60.125)
    assert reject_reason("outside_helsinki", params[0], "fi") == (
        "Helsingin ulkopuolella (pituusaste 25,50000, leveysaste 60,12500)"
    )
    assert "longitude 25.50000" in reject_reason("outside_helsinki", params[0], "en")
    _, params = reasons("implausible_date", 1, earliest="2000-01-01", latest="2026-12-07")
    assert "1.1.2000 – 7.12.2026" in reject_reason("implausible_date", params[0], "sv")
    # A line made elsewhere (the store's conflicts) keeps its own English text.
    assert reject_reason(None, None, "fi", english="id already stored") == "id already stored"


def test_a_file_without_time_or_place_is_told_in_words_with_its_columns(tmp_path: Path) -> None:
    notes = tmp_path / "muistiinpanot.csv"
    notes.write_text("Luokka;Muistiinpano\npahoinpitely;ovella\nryöstö;kioski\n", encoding="utf-8")
    with pytest.raises(ColumnMappingError) as caught:
        import_incidents(notes)
    error = caught.value
    assert error.code == "columns_missing" and "mapping=" in str(error)  # the CLI keeps its fix
    fi = error_text(error, "fi")
    assert "Aika" in fi and "Sijainti" in fi and "”Muistiinpano”" in fi
    assert not CLI_OR_PYTHON.search(fi)
    path = tmp_path / "tyhja.csv"
    path.write_bytes(b"")
    with pytest.raises(HotspotsError) as empty:
        import_incidents(path)
    assert error_text(empty.value, "sv") == t("error.file_empty", "sv")


def test_an_error_without_a_sentence_gets_the_general_one() -> None:
    error = ParameterError("eps_m must be > 0 metres, got -5")
    assert not has_text(error, "fi")
    assert error_text(error, "fi") == t("error.generic", "fi")
    assert error_text(error, "en", fallback="error.analysis") == t("error.analysis", "en")


def test_parameters_travel_as_json_and_the_sentence_lists_them() -> None:
    _, params = reasons("address_not_found", 1, names="Kaivokatu, Kaisaniemenkatu")
    assert json.loads(params[0]) == {"names": "Kaivokatu, Kaisaniemenkatu"}
    assert reject_reason("address_not_found", params[0], "fi").endswith(": Kaivokatu, Kaisaniemenkatu")
