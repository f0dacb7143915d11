"""The download tab's list of files (views.download_panel): names, order, types, privacy marks.

Making every file in its format is tested in test_exports.py; here the list itself.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import store
from briefing import downloads
from briefing.permissions import export_detail
from geo import demo, districts
from hotspots import analysis
from hotspots.selection import Selection, districts_by_name
from i18n import t
from store import Scope, ScopeError, apply_scope
from views import download_panel
from views.download_panel import ExportOptions, audit_download, export_files, file_stem

SINCE, UNTIL = "2026-05-01", "2026-11-01"
KEYS = ["pdf", "png", "geojson", "gpkg", "hotspots_csv", "districts_csv", "districts_xlsx"]


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    incidents = demo.generate_demo(n=3000, seed=5)
    return analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL))


@pytest.fixture(scope="module")
def table(result: analysis.Analysis) -> pd.DataFrame:
    return downloads.district_figures(result, level="suurpiiri", population=False)


def test_file_stem_names_the_place_the_period_its_last_day_and_the_language(
    result: analysis.Analysis,
) -> None:
    assert file_stem(result, ExportOptions(lang="fi")) == "hotspots-helsinki-2026-05-01_2026-10-31-fi"
    restricted = ExportOptions(lang="en", restricted=True)
    assert file_stem(result, restricted) == "RESTRICTED-hotspots-helsinki-2026-05-01_2026-10-31-en"


def test_file_stem_of_an_open_period(result: analysis.Analysis) -> None:
    open_ended = replace(result, selection=Selection())
    assert file_stem(open_ended, ExportOptions(lang="sv")) == "hotspots-helsingfors-start_end-sv"


def test_kallio_s_files_and_the_city_s_never_share_a_name(
    result: analysis.Analysis, table: pd.DataFrame
) -> None:
    kallio = districts_by_name(["Kallio"], districts.hierarchy())
    in_kallio = analysis.analyse(
        demo.generate_demo(n=3000, seed=5), selection=Selection(since=SINCE, until=UNTIL, **kallio)
    )
    city_names = {f.file_name for f in export_files(result, table, ExportOptions(lang="fi"))}
    kallio_names = {f.file_name for f in export_files(in_kallio, table, ExportOptions(lang="fi"))}
    assert city_names.isdisjoint(kallio_names)
    assert all(name.startswith("hotspots-kallio-2026-05-01_2026-10-31-fi") for name in kallio_names)


def test_files_in_order_with_names_types_and_labels(result: analysis.Analysis, table: pd.DataFrame) -> None:
    options = ExportOptions(lang="sv", level="suurpiiri", size="a4")
    files = export_files(result, table, options)
    assert [f.key for f in files] == KEYS
    stem = "hotspots-helsingfors-2026-05-01_2026-10-31-sv"
    assert [f.file_name for f in files] == [
        f"{stem}.pdf",
        f"{stem}-map-a4.png",
        f"{stem}.geojson",
        f"{stem}.gpkg",
        f"{stem}-hotspots.csv",
        f"{stem}-districts-suurpiiri.csv",
        f"{stem}-districts-suurpiiri.xlsx",
    ]
    assert [f.mime for f in files][:3] == ["application/pdf", "image/png", "application/geo+json"]
    assert files[0].label == t("download.pdf", "sv")


def test_restricted_adds_the_incidents_and_marks_every_name(
    result: analysis.Analysis, table: pd.DataFrame
) -> None:
    files = export_files(result, table, ExportOptions(lang="fi", restricted=True, level="suurpiiri"))
    assert [f.key for f in files] == [*KEYS, "incidents_csv"]
    assert all(f.file_name.startswith("RESTRICTED-") for f in files)


def test_the_bytes_are_made_only_when_asked_for(result: analysis.Analysis, table: pd.DataFrame) -> None:
    # Listing the files makes nothing: a briefing of 100k incidents takes seconds.
    files = export_files(result, table, ExportOptions(lang="en", level="suurpiiri"))
    csv = next(f for f in files if f.key == "districts_csv")
    assert csv.make().startswith(b"\xef\xbb\xbf")  # the district CSV, with its BOM for Excel


@pytest.fixture(scope="module")
def worker() -> Scope:
    hierarchy = districts.hierarchy()
    kallio = Selection(**districts_by_name(["Kallio"], hierarchy))
    codes = tuple(hierarchy.loc[kallio.district_mask(hierarchy), "osaalue_code"].astype(str))
    return Scope("anna@hel.fi", "youth_worker", codes)


def test_a_youth_worker_s_list_is_aggregated_and_holds_only_her_districts(worker: Scope) -> None:
    hers = analysis.analyse(
        apply_scope(demo.generate_demo(n=3000, seed=5), worker), selection=Selection(since=SINCE, until=UNTIL)
    )
    table = downloads.district_figures(hers, level="peruspiiri", population=False)
    files = export_files(hers, table, ExportOptions(lang="fi", level="peruspiiri"), scope=worker)
    assert [f.key for f in files] == KEYS  # no incidents file
    rows = pd.read_csv(io.BytesIO(next(f for f in files if f.key == "districts_csv").make()), dtype=str)
    assert list(rows["code"]) == ["301"]
    for options in (ExportOptions(restricted=True, level="peruspiiri"), ExportOptions(min_count=1)):
        with pytest.raises(ScopeError):
            export_files(hers, table, options, scope=worker)


def test_a_city_analysis_is_refused_to_her_before_any_file_is_listed(
    result: analysis.Analysis, table: pd.DataFrame, worker: Scope
) -> None:
    with pytest.raises(ScopeError, match=r"outside the districts of anna@hel\.fi"):
        export_files(result, table, ExportOptions(lang="fi"), scope=worker)


def test_a_download_is_audited_in_the_store(
    result: analysis.Analysis, tmp_path: Path, worker: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    detail = export_detail(
        result, file_name="hotspots-kallio.geojson", kind="geojson", restricted=False, min_count=5, lang="fi"
    )
    audit_download(url, worker, detail)
    with store.open_store(url) as db:
        log = db.audit_log()
    assert list(log["action"]) == ["export"] and list(log["user_id"]) == ["anna@hel.fi"]
    assert json.loads(log["detail"].iloc[0])["file_name"] == "hotspots-kallio.geojson"
    # a store that cannot be written leaves the reason for the panel to show
    session: dict[str, str] = {}
    monkeypatch.setattr(download_panel.st, "session_state", session)
    audit_download("sqlite:///:memory:?mode=ro", worker, detail)
    assert "URL options" in session[download_panel.AUDIT_PROBLEM]
