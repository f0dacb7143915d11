"""The app's download list (views.download_panel): every file is made, in its format, and privacy holds."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from briefing import downloads
from geo import demo
from hotspots import analysis
from hotspots.selection import Selection
from views.download_panel import ExportOptions, export_files

SINCE, UNTIL = "2026-05-01", "2026-11-01"


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    frame = demo.generate_demo(n=4000, seed=11)
    frame.loc[frame.index[::20], "description"] = "<script>alert('x')</script> Kolmas linja 5"
    return frame


@pytest.fixture(scope="module")
def result(incidents: pd.DataFrame) -> analysis.Analysis:
    return analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL))


def _check_format(name: str, content: bytes) -> None:
    if name.endswith(".pdf"):
        assert content.startswith(b"%PDF-")
    elif name.endswith(".png"):
        assert content.startswith(b"\x89PNG\r\n\x1a\n")
    elif name.endswith(".geojson"):
        assert json.loads(content)["type"] == "FeatureCollection"
    elif name.endswith(".gpkg"):
        assert content.startswith(b"SQLite format 3\x00")
    elif name.endswith(".xlsx"):
        assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    else:
        assert name.endswith(".csv")
        assert len(pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")) > 0


def test_aggregated_exports_are_made_in_their_formats_without_descriptions(result: analysis.Analysis) -> None:
    table = downloads.district_figures(result, level="peruspiiri")
    files = export_files(result, table, ExportOptions(lang="sv", origin="demo.csv"))
    names = [f.file_name for f in files]
    assert len(set(names)) == len(names) == 7
    assert names[0] == "hotspots-helsingfors-2026-05-01_2026-10-31-sv.pdf"
    assert not any("RESTRICTED" in n or "incidents" in n for n in names)
    for item in files:
        content = item.make()
        _check_format(item.file_name, content)
        if not item.file_name.endswith((".pdf", ".png", ".xlsx", ".gpkg")):
            assert b"Kolmas linja" not in content and b"<script>" not in content


def test_restricted_is_marked_in_every_name_and_adds_the_incidents(result: analysis.Analysis) -> None:
    table = downloads.district_figures(result, level="osaalue")
    files = export_files(result, table, ExportOptions(lang="fi", restricted=True, level="osaalue"))
    assert len(files) == 8
    assert all(f.file_name.startswith("RESTRICTED-") for f in files)
    incidents_file = next(f for f in files if f.key == "incidents_csv")
    rows = pd.read_csv(io.BytesIO(incidents_file.make()), encoding="utf-8-sig")
    assert len(rows) == len(result.current)
    assert rows["description"].str.contains("Kolmas linja").any()


def test_an_empty_selection_still_gives_every_file(incidents: pd.DataFrame) -> None:
    empty = analysis.analyse(incidents, selection=Selection(since="2030-01-01", until="2030-02-01"))
    assert empty.current.empty
    table = downloads.district_figures(empty, level="suurpiiri")
    for item in export_files(empty, table, ExportOptions(lang="en", size="slides")):
        content = item.make()
        assert content, item.file_name
        if item.file_name.endswith((".pdf", ".png")):
            _check_format(item.file_name, content)


def test_a_bad_threshold_is_refused_before_any_file_is_made(result: analysis.Analysis) -> None:
    table = downloads.district_figures(result, level="peruspiiri")
    with pytest.raises(ValueError, match="min"):
        export_files(result, table, ExportOptions(min_count=0))
