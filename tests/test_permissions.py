"""What a user may take out of the tool (briefing.permissions), and the files that obey it.

A youth worker who calls the download code paths directly still gets only her districts,
aggregated: the file functions of briefing.downloads and briefing.districtfiles take her
scope and refuse restricted content, exact small counts and an analysis built from other
districts' incidents. Her districts are Kallio (the peruspiiri), resolved to osa-alue with
the project's one district rule; the incidents are the demo data cut by ``store.apply_scope``
as the app cuts them, analysed as the app analyses them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from briefing import downloads
from briefing.permissions import check_export, check_sharing, export_detail, scoped_district_table
from briefing.privacy import AGGREGATED, RESTRICTED
from geo import demo, districts
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.selection import Selection, districts_by_name
from store import LOCAL_ANALYST, Scope, ScopeError, apply_scope
from store.audit import detail_json

SINCE, UNTIL = "2026-05-01", "2026-11-01"


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


@pytest.fixture(scope="module")
def worker(hierarchy: pd.DataFrame) -> Scope:
    kallio = Selection(**districts_by_name(["Kallio"], hierarchy))
    codes = tuple(hierarchy.loc[kallio.district_mask(hierarchy), "osaalue_code"].astype(str))
    return Scope("anna@hel.fi", "youth_worker", codes)


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=6000, seed=21)


@pytest.fixture(scope="module")
def hers(incidents: pd.DataFrame, worker: Scope) -> analysis.Analysis:
    """The youth worker's analysis: her scope's incidents, as the app gives them to her."""
    return analysis.analyse(apply_scope(incidents, worker), selection=Selection(since=SINCE, until=UNTIL))


@pytest.fixture(scope="module")
def citywide(incidents: pd.DataFrame) -> analysis.Analysis:
    return analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL))


def test_restricted_files_and_exact_small_counts_are_for_analysts_and_admins(worker: Scope) -> None:
    viewer = Scope("johto@hel.fi", "viewer", None)
    for scope in (worker, viewer):
        with pytest.raises(ScopeError, match=r"^only an analyst or an admin may download RESTRICTED files"):
            check_sharing(scope, restricted=True, min_count=5)
        with pytest.raises(ScopeError, match=r"counts below 5 stay hidden .* must be at least 5, got 1"):
            check_sharing(scope, restricted=False, min_count=1)
        assert check_sharing(scope, restricted=False, min_count=10) == 10
    for role in ("analyst", "admin"):
        assert check_sharing(Scope("olli@poliisi.fi", role, None), restricted=True, min_count=1) == 1  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"downloading user's store\.Scope"):
        check_sharing("analyst", restricted=False, min_count=5)  # type: ignore[arg-type]


def test_an_analysis_of_other_districts_is_refused_to_a_district_scope(
    hers: analysis.Analysis, citywide: analysis.Analysis, worker: Scope
) -> None:
    assert check_export(hers, worker, restricted=False, min_count=5) == 5
    outside = int((~citywide.current["osaalue_code"].isin(worker.osaalue)).sum())
    outside += int((~citywide.previous["osaalue_code"].isin(worker.osaalue)).sum())
    assert outside > 1000
    with pytest.raises(
        ScopeError, match=rf"^the analysis holds {outside} incidents outside the districts of anna"
    ):
        check_export(citywide, worker, restricted=False, min_count=5)
    assert check_export(citywide, Scope("johto@hel.fi", "viewer", None), restricted=False, min_count=5) == 5


def test_the_download_code_paths_give_her_only_her_districts_aggregated(
    hers: analysis.Analysis, citywide: analysis.Analysis, worker: Scope, tmp_path: Path
) -> None:
    assert len(hers.current) > 100 and set(hers.current["peruspiiri_code"]) == {"301"}
    document = json.loads(downloads.hotspots_geojson_bytes(hers, scope=worker, lang="fi"))
    assert document["classification"] == AGGREGATED and document["min_count"] == 5
    kinds = {feature["properties"]["kind"] for feature in document["features"]}
    assert kinds <= {"hotspot"} and "description" not in json.dumps(document)
    small = [f["properties"]["n"] for f in document["features"] if str(f["properties"]["n"]).startswith("<")]
    assert all(n == "<5" for n in small)
    refused = [
        lambda: downloads.hotspots_geojson_bytes(hers, scope=worker, restricted=True),
        lambda: downloads.hotspots_csv_bytes(hers, scope=worker, min_count=2),
        lambda: downloads.incidents_csv_bytes(hers, scope=worker, restricted=True),
        lambda: downloads.hotspots_gpkg_bytes(citywide, scope=worker),
        lambda: downloads.write_hotspots(citywide, tmp_path / "h.geojson", scope=worker),
    ]
    for call in refused:
        with pytest.raises(ScopeError):
            call()
    assert not (tmp_path / "h.geojson").exists()  # refused before anything is written


def test_her_district_files_hold_only_her_districts(
    hers: analysis.Analysis, citywide: analysis.Analysis, worker: Scope
) -> None:
    table = downloads.district_figures(hers, level="peruspiiri", population=False)
    assert len(table) == 34  # every peruspiiri, zeros included
    content = downloads.districts_csv_bytes(table, scope=worker, level="peruspiiri")
    rows = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert list(rows["code"]) == ["301"] and rows["n"].iloc[0] == str(len(hers.current))
    everything = pd.read_csv(io.BytesIO(downloads.districts_csv_bytes(table, scope=LOCAL_ANALYST)), dtype=str)
    assert len(everything) == 34
    with pytest.raises(ParameterError, match="level must name the district table's level"):
        downloads.districts_csv_bytes(table, scope=worker)
    with pytest.raises(ScopeError, match="outside the districts of anna"):
        downloads.districts_xlsx_bytes(table, scope=worker, level="peruspiiri", analysis=citywide)
    with pytest.raises(ScopeError, match="RESTRICTED"):
        downloads.districts_xlsx_bytes(table, scope=worker, level="peruspiiri", restricted=True)


def test_a_code_alone_never_picks_the_district_table_row(hierarchy: pd.DataFrame) -> None:
    # osa-alue 101 is Vilhonvuori, in Kallio (301); the peruspiiri coded 101 is Vironniemi
    vilhonvuori = Scope("anna@hel.fi", "youth_worker", ("101",))
    table = pd.DataFrame({"code": ["101", "301", "103"], "n": [40, 12, 7]})
    kept = scoped_district_table(table, vilhonvuori, level="peruspiiri", hierarchy=hierarchy)
    assert list(kept["code"]) == ["301"]
    osaalue = pd.DataFrame({"code": ["101", "102", "020"], "n": [3, 4, 5]})
    assert list(scoped_district_table(osaalue, vilhonvuori, level="osaalue")["code"]) == ["101"]
    assert scoped_district_table(table, LOCAL_ANALYST, level=None) is table


def test_export_detail_names_the_file_its_kind_and_filters(hers: analysis.Analysis) -> None:
    detail = export_detail(
        hers, file_name="hotspots-kallio.geojson", kind="geojson", restricted=False, min_count=5, lang="fi"
    )
    assert (detail["classification"], detail["min_count"], detail["incidents"]) == (
        AGGREGATED,
        5,
        len(hers.current),
    )
    kept = json.loads(detail_json(detail))
    assert kept["filters"]["since"].startswith("2026-05-01T00:00:00") and kept["filters"]["categories"] == []
    restricted = export_detail(
        None, file_name="x.csv", kind="incidents_csv", restricted=True, min_count=5, lang="en"
    )
    assert (restricted["classification"], restricted["min_count"], restricted["filters"]) == (
        RESTRICTED,
        None,
        None,
    )
