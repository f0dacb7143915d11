"""Residents per district: conservation of totals, the district hierarchy, plausibility on the
real HSY grid and Paavo areas, exact answers on hand-made squares, and the result cache."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo import crs, download, opendata, population
from geo.districts import LEVELS, load_districts
from geo.errors import ParameterError

# A realistic place for the hand-made squares: central Helsinki in EPSG:3067 metres.
X0, Y0 = 385_000.0, 6_672_000.0


@pytest.fixture(scope="module")
def real_data(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The official copies as data dir and a fresh cache for this module."""
    cache_dir = tmp_path_factory.mktemp("population_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOTSPOTS_DATA_DIR", str(shared_data_dir))
        patch.setenv("HOTSPOTS_CACHE_DIR", str(cache_dir))
        yield cache_dir


@pytest.fixture(scope="module")
def tables(real_data: Path) -> dict[str, pd.DataFrame]:
    return {level: population.residents_by_district(level) for level in LEVELS}


@pytest.fixture(scope="module")
def grid(real_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(download.require("population_grid"))


@pytest.fixture(scope="module")
def paavo(real_data: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(download.require("paavo"))


def _square(x: float, y: float, side_m: float) -> shapely.Polygon:
    return shapely.box(X0 + x, Y0 + y, X0 + x + side_m, Y0 + y + side_m)


def _frame(
    data: dict[str, list[object]], geoms: list[shapely.Geometry], crs_: str = crs.METRIC
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs_)


# --- the real data --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_one_row_per_district_in_the_layer_order(
    tables: dict[str, pd.DataFrame], real_data: Path, level: str
) -> None:
    table = tables[level]
    assert tuple(table.columns) == population.POPULATION_COLUMNS
    assert table["code"].tolist() == load_districts(level)["code"].tolist()
    assert table["residents"].dtype == "float64" and table["young_residents"].dtype == "float64"
    assert (table["residents"] >= 0).all() and (table["young_residents"] >= 0).all()
    assert set(table["residents_source"]) == {population.RESIDENTS_SOURCE}
    assert set(table["young_source"]) == {population.YOUNG_SOURCE}
    assert "HSY" in population.RESIDENTS_SOURCE and "Paavo" in population.YOUNG_SOURCE


@pytest.mark.parametrize("level", LEVELS)
def test_totals_are_conserved(
    tables: dict[str, pd.DataFrame], grid: gpd.GeoDataFrame, paavo: gpd.GeoDataFrame, level: str
) -> None:
    grid_total = float(grid["inhabitants"].sum())
    residents = float(tables[level]["residents"].sum())
    # Only the outside share of cells straddling the city boundary is lost.
    assert residents <= grid_total
    assert residents == pytest.approx(grid_total, rel=0.005)
    young_total = float(paavo["pop_age_13_24"].sum())
    young = float(tables[level]["young_residents"].sum())
    assert young <= young_total
    assert young == pytest.approx(young_total, rel=0.005)


def test_every_level_has_the_same_total(tables: dict[str, pd.DataFrame]) -> None:
    osa = tables["osaalue"][["residents", "young_residents"]].sum()
    for level in ("peruspiiri", "suurpiiri"):
        other = tables[level][["residents", "young_residents"]].sum()
        assert other.to_numpy() == pytest.approx(osa.to_numpy(), rel=1e-6)


@pytest.mark.parametrize(
    ("child", "parent", "link"),
    [("osaalue", "peruspiiri", "peruspiiri_code"), ("peruspiiri", "suurpiiri", "suurpiiri_code")],
)
def test_a_district_holds_the_sum_of_its_parts(
    tables: dict[str, pd.DataFrame], real_data: Path, child: str, parent: str, link: str
) -> None:
    parents_of = load_districts(child).set_index("code")[link]
    children = tables[child].assign(parent=lambda t: t["code"].map(parents_of))
    summed = children.groupby("parent")[["residents", "young_residents"]].sum()
    direct = tables[parent].set_index("code")[["residents", "young_residents"]]
    summed = summed.reindex(direct.index)
    # The layers share their boundaries, so only floating-point slivers differ.
    assert (summed - direct).abs().max().max() < 1.0


def test_district_figures_are_plausible(tables: dict[str, pd.DataFrame], real_data: Path) -> None:
    per = tables["peruspiiri"].merge(load_districts("peruspiiri")[["code", "name_fi"]], on="code")
    kallio = per.loc[per["name_fi"] == "Kallio"].iloc[0]
    assert kallio["code"] == "301"
    assert kallio["residents"] > 20_000
    assert 0.05 < kallio["young_residents"] / kallio["residents"] < 0.3
    suur = tables["suurpiiri"].merge(load_districts("suurpiiri")[["code", "name_fi"]], on="code")
    ostersundom = suur.loc[suur["name_fi"] == "Östersundom"].iloc[0]
    assert ostersundom["residents"] < 5_000
    assert ostersundom["residents"] == suur["residents"].min()
    assert (suur.drop(suur.index[suur["name_fi"] == "Östersundom"])["residents"] > 40_000).all()


def test_young_residents_are_placed_where_people_live(
    tables: dict[str, pd.DataFrame], real_data: Path
) -> None:
    """Uninhabited osa-alue (the sea, forest and island areas) get no young residents either,
    although the postal code areas around them have many."""
    osa = tables["osaalue"].merge(load_districts("osaalue")[["code", "name_fi"]], on="code")
    empty = osa[osa["residents"] == 0]
    assert {"Aluemeri", "Uutela", "Niinisaari"} <= set(empty["name_fi"])
    assert (empty["young_residents"] == 0).all()


# --- apportion on hand-made squares ---------------------------------------------------------


def _two_districts() -> gpd.GeoDataFrame:
    return _frame({"code": ["A", "B", "C"]}, [_square(0, 0, 100), _square(100, 0, 100), _square(0, 500, 100)])


def test_apportion_splits_by_area_share_exactly() -> None:
    # Cell 1 lies half in A and half in B; cell 2 a quarter in A and three quarters in B;
    # cell 3 half in B and half outside every district (that half is lost).
    cells = _frame(
        {"inhabitants": [10, 8, 6]},
        [_square(50, 0, 100), shapely.box(X0 + 75, Y0, X0 + 175, Y0 + 100), _square(150, 0, 100)],
    )
    result = population.apportion(cells, "inhabitants", _two_districts(), "code")
    assert result.index.tolist() == ["A", "B", "C"]
    assert result.name == "inhabitants" and result.dtype == "float64"
    assert result.to_dict() == pytest.approx({"A": 5 + 2, "B": 5 + 6 + 3, "C": 0.0}, abs=1e-9)


def test_apportion_reprojects_sources_given_in_wgs84() -> None:
    cells = _frame({"n": [10.0, 4.0]}, [_square(50, 0, 100), _square(0, 0, 100)]).to_crs(crs.WGS84)
    result = population.apportion(cells, "n", _two_districts(), "code")
    assert result.to_dict() == pytest.approx({"A": 9.0, "B": 5.0, "C": 0.0}, rel=1e-5)


def test_apportion_counts_missing_values_as_zero_and_sums_shared_keys() -> None:
    cells = _frame({"n": [4.0, None]}, [_square(0, 0, 100), _square(100, 0, 100)])
    targets = _frame({"code": ["X", "X"]}, [_square(0, 0, 100), _square(100, 0, 100)])
    assert population.apportion(cells, "n", targets, "code").to_dict() == pytest.approx({"X": 4.0})


def test_apportion_does_not_modify_its_inputs() -> None:
    cells = _frame({"inhabitants": [10, 8]}, [_square(50, 0, 100), _square(-50, 0, 100)]).to_crs(crs.GK25)
    targets = _two_districts()
    cells_before, targets_before = cells.copy(deep=True), targets.copy(deep=True)
    population.apportion(cells, "inhabitants", targets, "code")
    assert_geodataframe_equal(cells, cells_before)
    assert_geodataframe_equal(targets, targets_before)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("value_column", r"value_column was 'residents' but sources have only the columns"),
        ("target_key", r"target_key was 'tunnus' but targets have only the columns"),
        ("no_crs", r"sources have no CRS"),
        ("negative", r"must be >= 0 \(counts\), got -3.0 at row 1"),
        ("point", r"sources row 0 has no area"),
    ],
)
def test_apportion_rejects_bad_input_with_a_clear_message(change: str, message: str) -> None:
    cells = _frame({"n": [1.0, 2.0]}, [_square(0, 0, 100), _square(100, 0, 100)])
    value_column, target_key = "n", "code"
    if change == "value_column":
        value_column = "residents"
    elif change == "target_key":
        target_key = "tunnus"
    elif change == "no_crs":
        cells = gpd.GeoDataFrame({"n": [1.0]}, geometry=[_square(0, 0, 100)])
    elif change == "negative":
        cells.loc[1, "n"] = -3.0
    elif change == "point":
        cells = _frame({"n": [1.0]}, [shapely.Point(X0, Y0)])
    with pytest.raises(ParameterError, match=message):
        population.apportion(cells, value_column, _two_districts(), target_key)


def test_spread_by_residents_follows_the_grid_and_keeps_totals() -> None:
    # Postal area P covers cells with 30 and 10 residents and an empty one; Q covers no one.
    areas = _frame({"young": [8.0, 5.0]}, [shapely.box(X0, Y0, X0 + 300, Y0 + 100), _square(0, 500, 100)])
    cells = _frame(
        {"inhabitants": [30, 10, 0]}, [_square(0, 0, 100), _square(100, 0, 100), _square(200, 0, 100)]
    )
    pieces = population.spread_by_residents(areas, "young", cells)
    by_area = pieces.groupby("area_index")["young"].sum()
    assert by_area.to_dict() == pytest.approx({0: 8.0, 1: 5.0})
    in_a = population.apportion(pieces, "young", _two_districts(), "code")
    # P's 8 go 6 to the 30-resident cell (in A) and 2 to the 10-resident cell (in B), none to
    # the empty third cell although it is a third of P's area; Q keeps its polygon (in C).
    assert in_a.to_dict() == pytest.approx({"A": 6.0, "B": 2.0, "C": 5.0}, abs=1e-9)


def test_compute_does_not_modify_its_inputs(
    real_data: Path, grid: gpd.GeoDataFrame, paavo: gpd.GeoDataFrame
) -> None:
    districts = load_districts("suurpiiri")
    before = [frame.copy(deep=True) for frame in (districts, grid, paavo)]
    population.compute_residents(districts, grid, paavo)
    for frame, copy in zip((districts, grid, paavo), before, strict=True):
        assert_geodataframe_equal(frame, copy)


# --- the cache ------------------------------------------------------------------------------


@pytest.fixture
def own_inputs(tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir with copies of the inputs that a test may change, and an empty cache."""
    data = tmp_path / "data"
    for key in ("suurpiiri", "population_grid", "paavo"):
        target = data / opendata.dataset(key).relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_data_dir / opendata.dataset(key).relpath, target)
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(data))
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(tmp_path / "cache"))
    return data


def test_second_call_reads_the_cache(own_inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = population.residents_by_district("suurpiiri", download=False)
    path = population.cache_path("suurpiiri")
    assert path.is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file left

    def must_not_run(*args: object) -> pd.DataFrame:
        raise AssertionError("recomputed although the inputs did not change")

    monkeypatch.setattr(population, "compute_residents", must_not_run)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        again = population.residents_by_district("suurpiiri", download=False)
        timings.append(time.perf_counter() - started)
    pd.testing.assert_frame_equal(again, first)
    assert min(timings) < 0.05
    again.loc[0, "residents"] = -1.0  # the caller's copy is its own
    assert float(population.residents_by_district("suurpiiri", download=False)["residents"].iloc[0]) > 0


def test_changed_input_recomputes(own_inputs: Path) -> None:
    first = population.residents_by_district("suurpiiri", download=False)
    grid_path = own_inputs / opendata.dataset("population_grid").relpath
    grid = gpd.read_file(grid_path)
    grid["inhabitants"] = grid["inhabitants"] * 2
    stat = grid_path.stat()
    grid_path.unlink()
    grid.to_file(grid_path, layer="population_grid_2021", driver="GPKG")
    os.utime(grid_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = population.residents_by_district("suurpiiri", download=False)
    assert second["residents"].to_numpy() == pytest.approx(2 * first["residents"].to_numpy())
    assert second["young_residents"].to_numpy() == pytest.approx(first["young_residents"].to_numpy())


def test_broken_cache_file_is_recomputed(own_inputs: Path) -> None:
    first = population.residents_by_district("suurpiiri", download=False)
    path = population.cache_path("suurpiiri")
    key_line = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(key_line + "\ncode,residents\n1,", encoding="utf-8")
    pd.testing.assert_frame_equal(population.residents_by_district("suurpiiri", download=False), first)
    assert path.read_text(encoding="utf-8").count("\n") == len(first) + 2


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match=r"level was 'kaupunginosa' but is expected to be one of"):
        population.residents_by_district("kaupunginosa")
