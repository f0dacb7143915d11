"""The upload step (views.upload): column mapping, errors and rejected rows in the interface language."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.incidents import ImportResult
from i18n import LANGUAGES, t
from i18n.problems import field_label
from tests.browser_labels import BrowserLabels
from views.upload import MAPPED_FIELDS, css_string, rejects_view, uploader_style

UPLOAD_SECTION = """
import streamlit as st
from views import controls, upload, urlstate
lang = controls.language(urlstate.read(st.query_params.to_dict()))
loaded = upload.step(lang)
st.markdown(f"count={None if loaded is None else loaded.count}")
"""

#: Four rows: two good ones, a date that does not exist, a missing latitude.
BROKEN_ROWS = (
    "tunnus;aika;luokka;lähde;lat;lon\n"
    "A1;28.4.2026 klo 14.30;pahoinpitely;poliisi;60,1699;24,9384\n"
    "A2;29.4.2026 21.15;huumausainerikos;poliisi;60,1870;24,9530\n"
    "A3;31.2.2026 10.00;ryöstö;poliisi;60,1700;24,9400\n"
    "A4;30.4.2026 22.00;ryöstö;poliisi;;24,9400\n"
).encode("utf-8-sig")


@pytest.fixture(autouse=True)
def _empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def _uploaded(content: bytes, name: str = "ilmoitukset.csv") -> AppTest:
    at = AppTest.from_string(UPLOAD_SECTION, default_timeout=120)
    at.run()
    at.sidebar.file_uploader(key="upload").upload(name, content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_rejects_view_heads_and_reasons_in_the_language(messy_result: ImportResult) -> None:
    rejects = messy_result.rejects
    before = rejects.copy(deep=True)
    for lang in LANGUAGES:
        view = rejects_view(rejects, lang)
        assert list(view.columns) == [
            t(f"reject.column.{name}", lang) for name in ("row", "id", "field", "column", "value", "reason")
        ]
        assert view.iloc[:, 0].tolist() == rejects["row"].tolist()
        assert view.iloc[:, 4].tolist() == rejects["value"].fillna("").tolist()  # the values as given
        assert view.iloc[:, 2].tolist() == [field_label(f, lang) for f in rejects["field"]]
        if lang != "en":
            assert not set(view.iloc[:, 5]) & set(rejects["reason"])
    pd.testing.assert_frame_equal(rejects, before)


def test_the_rejected_rows_show_in_finnish_and_download_in_english() -> None:
    at = _uploaded(BROKEN_ROWS)
    assert [m.value for m in at.markdown] == ["count=2"]
    (shown,) = [d.value for d in at.sidebar.dataframe]
    assert shown[t("reject.column.row", "fi")].tolist() == [4, 5]
    reasons = shown[t("reject.column.reason", "fi")].tolist()
    assert reasons == [t("reject.unparseable_date", "fi"), t("reject.missing_coordinate", "fi")]
    assert shown[t("reject.column.field", "fi")].tolist() == ["Aika", "Leveysaste"]
    (button,) = at.get("download_button")  # the CLI's file: English reasons (test_rejects)
    assert button.proto.label == t("upload.download_rejects", "fi")


def test_a_file_without_time_or_place_says_so_in_words_and_opens_the_mapping() -> None:
    at = _uploaded(b"Luokka;Muistiinpano\npahoinpitely;ovella\n", name="muistiinpanot.csv")
    errors = [e.value for e in at.sidebar.error]
    assert errors and all("mapping=" not in e and "{'" not in e for e in errors)
    assert any(e.startswith("Saraketta ei löytynyt kentille: Aika, Sijainti.") for e in errors)
    assert [m.value for m in at.markdown] == ["count=None"]


def test_the_column_mapping_names_fields_in_words_and_keeps_a_choice_across_languages() -> None:
    at = _uploaded(BROKEN_ROWS)
    mapping = [s for s in at.sidebar.selectbox if str(s.key).startswith("colmap_")]
    assert [s.label for s in mapping] == [f"{field_label(f, 'fi')} :small[`{f}`]" for f in MAPPED_FIELDS]
    assert all(s.help for s in mapping)
    browser = BrowserLabels()
    browser.update(at)
    # The description field is detected from nothing here: map it to the source column by hand.
    browser.pick(at, "selectbox", "colmap_ilmoitukset.csv_description", "lähde")
    browser.pick(at, "selectbox", "lang", "sv")
    assert not at.exception, [e.message for e in at.exception]
    assert browser.stale(at) == []
    assert at.sidebar.selectbox(key="colmap_ilmoitukset.csv_description").value == "lähde"
    assert at.sidebar.selectbox(key="colmap_ilmoitukset.csv_severity").options[0] == t(
        "upload.field_auto", "sv"
    )
    assert at.sidebar.selectbox(key="upload_crs").options[0] == t("sidebar.upload_crs_guess", "sv")


def test_the_uploader_says_its_formats_and_limit_in_the_language() -> None:
    at = AppTest.from_string(UPLOAD_SECTION, default_timeout=120)
    at.run()
    captions = [c.value for c in at.sidebar.caption]
    assert t("upload.limits", "fi", limit="200") in captions  # Streamlit's default limit, 200 MB


def test_the_uploaders_button_is_drawn_in_the_language_by_a_safe_style_sheet() -> None:
    assert 'content: "Valitse tiedosto"' in uploader_style("fi")
    assert 'content: "Välj fil"' in uploader_style("sv")
    # A catalogue text cannot end the string or the style sheet.
    assert css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3c /style>"'
