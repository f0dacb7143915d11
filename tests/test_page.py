"""The page's sections one at a time (views.page), each in a small script run by AppTest.

The whole page is tested in test_app.py; here each section's own promise: what it returns,
what it tells the user, and that it stops the page with a message instead of failing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import settings
from i18n import t
from tests import osm_register
from views import datasource

DATA_SECTION = """
import streamlit as st
from views import page
data = page.incidents("en")
st.markdown(f"version={data.version} count={data.count}")
"""

SUGGESTION_SECTION = """
import streamlit as st
from views import datasource, page
from hotspots.selection import Selection
data = datasource.demo_data()
st.markdown(f"suggested={page.suggestion('en', data, Selection())}")
"""

DISTRICTS_SECTION = """
import streamlit as st
from views import page
page.district_hierarchy("sv")
st.markdown("drawn")
"""

SERVICES_SECTION = """
import streamlit as st
from views import page
points = page.service_points("en")
st.markdown(f"points={None if points is None else len(points.points)}")
"""


@pytest.fixture(autouse=True)
def _small_demo_and_an_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setenv("HOTSPOTS_DEMO_N", "2000")


def _run(script: str) -> AppTest:
    at = AppTest.from_string(script, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_an_empty_store_starts_on_the_demo_data_and_says_it_is_made_up() -> None:
    at = _run(DATA_SECTION)
    assert at.sidebar.radio(key="data_source").value == "demo"
    assert [m.value for m in at.markdown] == ["version=demo-2000-2026 count=2000"]
    assert [w.value for w in at.warning] == [t("msg.synthetic_demo", "en")]


def test_upload_without_a_file_asks_for_one_and_stops() -> None:
    at = _run(DATA_SECTION)
    at.sidebar.radio(key="data_source").set_value("upload").run()
    assert not at.exception
    assert [i.value for i in at.info] == [t("msg.upload_prompt", "en")]
    assert not at.markdown  # the page stopped before anything used the data


def test_an_unreadable_upload_says_why_and_stops() -> None:
    at = _run(DATA_SECTION)
    at.sidebar.radio(key="data_source").set_value("upload").run()
    at.sidebar.file_uploader(key="upload").upload("rikki.xlsx", b"not a workbook", "application/zip").run()
    assert not at.exception, [e.message for e in at.exception]
    # One sentence in the interface language, no Python and no command-line hint.
    assert [e.value for e in at.sidebar.error] == [t("error.unreadable", "en")]
    assert not at.markdown


def test_the_suggestion_comes_only_when_asked_for_and_is_kept() -> None:
    at = _run(SUGGESTION_SECTION)
    assert [m.value for m in at.markdown] == ["suggested=None"]
    assert "suggestion" not in at.session_state
    at.sidebar.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    (text,) = [m.value for m in at.markdown]
    eps, min_samples = text.removeprefix("suggested=(").removesuffix(")").split(", ")
    assert float(eps) > 0 and int(min_samples) >= 3
    kept = at.session_state["suggestion"]
    assert (kept.eps_m, kept.min_samples) == (float(eps), int(min_samples))


def test_service_points_load_or_say_what_is_wrong(shared_data_dir: Path) -> None:
    at = _run(SERVICES_SECTION)
    assert [m.value for m in at.markdown] == ["points=None"]
    amenities = (shared_data_dir / "helsinki_osm_centre_sample" / "osm_centre_amenities.csv").read_bytes()
    at.sidebar.file_uploader(key="services").upload("amenities.csv", amenities, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("service points loaded" in c.value for c in at.sidebar.caption)
    assert at.markdown[0].value != "points=None"
    at.sidebar.file_uploader(key="services").upload("broken.csv", b"no,columns\n1,2\n", "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.error and [m.value for m in at.markdown] == ["points=None"]


def test_an_upload_of_addresses_shows_position_qualities_and_can_leave_rough_ones_out(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, _ = osm_register.write_register(addresses, places, tmp_path / "register")
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    content = (
        b"aika,luokka,osoite\n"
        b"1.3.2026 12.00,pahoinpitely,Kaivokatu 8\n"
        b"2.3.2026 12.00,pahoinpitely,Kaivokatu\n"
        b"3.3.2026 12.00,pahoinpitely,Kaivokuja 3\n"
    )
    at = _run(DATA_SECTION)
    at.sidebar.radio(key="data_source").set_value("upload").run()
    at.sidebar.file_uploader(key="upload").upload("osoitteet.csv", content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    counts = ", ".join(
        f"{t(f'quality.{q}', 'en')} {n}" for q, n in (("exact", 1), ("street", 1), ("none", 1))
    )
    assert t("msg.position_qualities", "en", counts=counts) in [i.value for i in at.sidebar.info]
    assert at.markdown[0].value.endswith("count=2")
    at.sidebar.checkbox(key="upload_precise").check().run()
    assert not at.exception, [e.message for e in at.exception]
    # The rows stay (they count in the figures); only the hotspots leave them out.
    assert at.markdown[0].value.endswith("count=2") and "-precise" in at.markdown[0].value


def test_missing_districts_are_said_in_the_language_with_the_fix_for_the_administrator_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOTSPOTS_WFS_URL", "http://127.0.0.1:9/wfs")  # refused at once: no download
    datasource.district_hierarchy.clear()  # the hierarchy an earlier test loaded
    try:
        at = _run(DISTRICTS_SECTION)
    finally:
        datasource.district_hierarchy.clear()
    assert [e.value for e in at.error] == [t("msg.districts_unavailable", "sv")]
    assert not at.markdown  # the page stopped
    (details,) = at.expander
    assert details.label == t("upload.error_detail", "sv")
    assert "hotspots districts fetch" in details.text[0].value  # the administrator's fix, in English
