"""Residents per district: the HSY population grid and Paavo age bands apportioned by area.

Residents come from HSY's 250 m population grid (2021) and young residents (aged 13-24)
from Statistics Finland's Paavo postal code areas (2023). Neither source follows district
boundaries, so counts are split among the districts a source polygon overlaps in proportion
to the share of its *area* inside each (areal weighting, in EPSG:3067 metres; see
:func:`apportion`). A 250 m cell is small enough for that. A postal code area is not: it may
hold a forest, a harbour or an island with nobody living there, so its young residents are
first spread over its populated parts in proportion to the grid's residents
(:func:`spread_by_residents`, a dasymetric step) and those parts are then apportioned by area.

Results are cached beside the districts in ``<cache>/derived/population_<level>.csv``, keyed
on the path, size and modification time of every input file, so a refreshed layer recomputes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs, files, settings
from geo.districts import check_level, load_districts
from geo.download import require
from geo.errors import DataUnavailableError, ParameterError

#: Columns of :func:`residents_by_district`.
POPULATION_COLUMNS: Final = ("code", "residents", "young_residents", "residents_source", "young_source")
#: Attribution of the ``residents`` column.
RESIDENTS_SOURCE: Final = "HSY population grid 2021 (250 m), CC BY 4.0"
#: Attribution of the ``young_residents`` column.
YOUNG_SOURCE: Final = "Statistics Finland Paavo 2023, ages 13-24, CC BY 4.0"
#: Paavo age bands that make up the young residents when ``pop_age_13_24`` is absent.
YOUNG_BANDS: Final = ("age_13_15", "age_16_17", "age_18_19", "age_20_24")

#: Bump when the computation changes, so caches written by older code are recomputed.
_CACHE_VERSION: Final = 1
_CACHE_PREFIX: Final = "# population cache key: "
_INPUTS: Final = ("population_grid", "paavo")


def apportion(
    sources: gpd.GeoDataFrame, value_column: str, targets: gpd.GeoDataFrame, target_key: str
) -> pd.Series:
    """Split each source polygon's value among target polygons by the share of its area inside each.

    A source polygon of area A whose intersection with target t has area a_t gives
    ``value * a_t / A`` to t. The part of a source outside every target is lost (targets are
    not rescaled), so the total over targets equals the source total only where targets cover
    the sources. Targets are assumed not to overlap one another. Both frames are reprojected
    to EPSG:3067 for the areas; neither is modified.

    Parameters
    ----------
    sources
        Polygons carrying the counts (population grid cells, postal code areas), with a CRS.
    value_column
        Numeric column of ``sources``; missing values count as zero.
    targets
        Polygons to receive the counts (districts), with a CRS.
    target_key
        Column of ``targets`` naming each target; targets sharing a key are summed together.

    Returns
    -------
    Series
        float64 values indexed by the unique ``target_key`` values in their order of first
        appearance (0.0 for targets that receive nothing), named ``value_column``.

    Raises
    ------
    ParameterError
        When a column is missing, a frame has no CRS, values are not numeric or negative, or a
        source has no area.
    """
    if value_column not in sources.columns:
        raise ParameterError(
            f"value_column was {value_column!r} but sources have only the columns {list(sources.columns)}"
        )
    if target_key not in targets.columns:
        raise ParameterError(
            f"target_key was {target_key!r} but targets have only the columns {list(targets.columns)}"
        )
    for name, frame in (("sources", sources), ("targets", targets)):
        if frame.crs is None:
            raise ParameterError(f"{name} have no CRS; set one (e.g. frame.set_crs('EPSG:3067')) first")
    try:
        values = pd.to_numeric(sources[value_column]).astype("float64").fillna(0.0).to_numpy()
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"sources[{value_column!r}] must be numeric: {exc}") from None
    if (values < 0).any():
        row = sources.index[int(np.argmax(values < 0))]
        raise ParameterError(
            f"sources[{value_column!r}] must be >= 0 (counts), got {values[values < 0][0]} at row {row!r}"
        )
    src = _metric_polygons(sources)
    tgt = _metric_polygons(targets)
    src_area = shapely.area(src)
    empty = ~(src_area > 0)
    if empty.any():
        row = sources.index[int(np.argmax(empty))]
        raise ParameterError(f"sources row {row!r} has no area; only polygons can be apportioned by area")
    src_idx, tgt_idx = shapely.STRtree(tgt).query(src, predicate="intersects")
    shared_m2 = _shared_area(src[src_idx], tgt[tgt_idx], src_area[src_idx])
    contribution = values[src_idx] * shared_m2 / src_area[src_idx]
    keys = targets[target_key].to_numpy()
    totals = pd.Series(contribution, dtype="float64").groupby(keys[tgt_idx], sort=False).sum()
    order = pd.unique(pd.Series(keys))
    return totals.reindex(order, fill_value=0.0).astype("float64").rename(value_column)


def _shared_area(small: np.ndarray, large: np.ndarray, small_area: np.ndarray) -> np.ndarray:
    """Area of each ``small & large`` pair; pairs with ``small`` wholly inside skip the overlay."""
    shapely.prepare(large)
    inside = shapely.contains_properly(large, small)
    shared = np.where(inside, small_area, 0.0)
    cut = ~inside
    shared[cut] = shapely.area(shapely.intersection(small[cut], large[cut]))
    return shared


def _metric_polygons(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries of ``frame`` in EPSG:3067 as a valid ndarray (no change to ``frame``)."""
    geoms = np.asarray(frame.geometry.to_crs(crs.METRIC).values, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def young_residents(paavo: gpd.GeoDataFrame) -> pd.Series:
    """Return the residents aged 13-24 per postal code area.

    ``pop_age_13_24`` where the file has it, else the sum of ``YOUNG_BANDS``.

    Parameters
    ----------
    paavo
        Paavo postal code areas as cached by ``geo.download`` (see ``opendata.DATASETS``).

    Returns
    -------
    Series
        float64, one value per row of ``paavo``; missing (suppressed) figures count as 0.
    """
    if "pop_age_13_24" in paavo.columns:
        return pd.to_numeric(paavo["pop_age_13_24"]).astype("float64").fillna(0.0)
    missing = [band for band in YOUNG_BANDS if band not in paavo.columns]
    if missing:
        raise DataUnavailableError(
            f"the Paavo file has neither 'pop_age_13_24' nor the age bands {missing}; delete it "
            "from the cache and run `hotspots districts fetch`."
        )
    bands = paavo[list(YOUNG_BANDS)].apply(pd.to_numeric).astype("float64")
    return bands.fillna(0.0).sum(axis=1)


def spread_by_residents(
    areas: gpd.GeoDataFrame,
    value_column: str,
    grid: gpd.GeoDataFrame,
    *,
    residents_column: str = "inhabitants",
) -> gpd.GeoDataFrame:
    """Split each area's value over its populated parts, in proportion to grid residents.

    Each area is cut by the grid cells; a piece gets the cell's residents times the share of
    the cell's area it covers as its weight, and the area's value is divided among its pieces
    by weight. An area without any grid residents keeps its whole polygon. The result can be
    apportioned by area share (:func:`apportion`) without placing people in forests, harbours
    or water that a large postal code area happens to include. Totals are unchanged.

    Parameters
    ----------
    areas
        Polygons with counts (Paavo postal code areas), with a CRS.
    value_column
        Numeric column of ``areas``; missing values count as zero.
    grid
        Population grid with ``residents_column``, with a CRS.
    residents_column
        Column of ``grid`` holding residents per cell.

    Returns
    -------
    GeoDataFrame
        Columns ``value_column`` (float) and ``area_index`` (row label in ``areas``), polygons
        in EPSG:3067; the values of the pieces of each area sum to that area's value.
    """
    for name, frame, column in (("areas", areas, value_column), ("grid", grid, residents_column)):
        if column not in frame.columns:
            raise ParameterError(f"{name} lack the column {column!r}; they have {list(frame.columns)}")
    values = pd.to_numeric(areas[value_column]).astype("float64").fillna(0.0).to_numpy()
    area_geoms = _metric_polygons(areas)
    cells = _metric_polygons(grid)
    cell_residents = pd.to_numeric(grid[residents_column]).astype("float64").fillna(0.0).to_numpy()
    area_idx, cell_idx = shapely.STRtree(cells).query(area_geoms, predicate="intersects")
    pieces = shapely.intersection(area_geoms[area_idx], cells[cell_idx])
    weight = cell_residents[cell_idx] * shapely.area(pieces) / shapely.area(cells[cell_idx])
    keep = weight > 0
    area_idx, pieces, weight = area_idx[keep], pieces[keep], weight[keep]
    weight_sum = np.bincount(area_idx, weights=weight, minlength=len(area_geoms))
    unpopulated = np.flatnonzero(weight_sum == 0)
    out_idx = np.concatenate([area_idx, unpopulated])
    out_values = np.concatenate([values[area_idx] * weight / weight_sum[area_idx], values[unpopulated]])
    return gpd.GeoDataFrame(
        {value_column: out_values, "area_index": areas.index.to_numpy()[out_idx]},
        geometry=np.concatenate([pieces, area_geoms[unpopulated]]),
        crs=crs.METRIC,
    )


def compute_residents(
    districts: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, paavo: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Compute residents and young residents per district from already loaded inputs (no caching).

    Parameters
    ----------
    districts
        ``geo.districts.load_districts(level)``.
    grid
        HSY population grid with ``inhabitants``.
    paavo
        Paavo postal code areas (see :func:`young_residents`).

    Returns
    -------
    DataFrame
        ``POPULATION_COLUMNS``, one row per district in the order of ``districts``.
    """
    if "inhabitants" not in grid.columns:
        raise DataUnavailableError(
            f"the population grid lacks the column 'inhabitants' (has {list(grid.columns)}); delete it "
            "from the cache and run `hotspots districts fetch`."
        )
    residents = apportion(grid, "inhabitants", districts, "code")
    young_areas = gpd.GeoDataFrame({"young": young_residents(paavo)}, geometry=paavo.geometry, crs=paavo.crs)
    young = apportion(spread_by_residents(young_areas, "young", grid), "young", districts, "code")
    codes = pd.unique(districts["code"])
    return pd.DataFrame(
        {
            "code": pd.Series(codes, dtype=object).astype(str),
            "residents": residents.reindex(codes).to_numpy(),
            "young_residents": young.reindex(codes).to_numpy(),
            "residents_source": RESIDENTS_SOURCE,
            "young_source": YOUNG_SOURCE,
        }
    )


def cache_path(level: str) -> Path:
    """Return the file where :func:`residents_by_district` keeps its result for ``level``.

    Parameters
    ----------
    level
        A district level.

    Returns
    -------
    Path
        A CSV file under the cache folder.
    """
    return settings.cache_dir() / "derived" / f"population_{check_level(level)}.csv"


def _cache_key(level: str, inputs: dict[str, Path]) -> str:
    """Hash of the level, the code version and every input's path, size and mtime."""
    parts: dict[str, object] = {"version": _CACHE_VERSION, "level": level}
    for key, path in sorted(inputs.items()):
        stat = path.stat()
        parts[key] = [str(path.resolve()), stat.st_size, stat.st_mtime_ns]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def _read_cache(path: Path, key: str) -> pd.DataFrame | None:
    """Return the cached table when its first line carries ``key``, else None (stale, absent, broken)."""
    try:
        with path.open(encoding="utf-8") as handle:
            if handle.readline().rstrip("\n") != _CACHE_PREFIX + key:
                return None
            table = pd.read_csv(
                handle,
                dtype={"code": str, "residents_source": str, "young_source": str},
                float_precision="round_trip",
            )
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    if tuple(table.columns) != POPULATION_COLUMNS:
        return None
    return table


def _write_cache(path: Path, key: str, table: pd.DataFrame) -> None:
    """Write ``table`` under a key line to a temporary file beside ``path``, then move it there."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write(_CACHE_PREFIX + key + "\n")
            table.to_csv(handle, index=False, lineterminator="\n")

    files.write_atomically(path, write)


def residents_by_district(level: str, *, download: bool = True) -> pd.DataFrame:
    """Residents and residents aged 13-24 in each district of ``level``.

    Residents are HSY's 2021 grid counts apportioned to districts by area share
    (:func:`apportion`). The grid file holds the cells whose centre lies in Helsinki; a cell
    that straddles the city boundary loses its outside share, so the total over all districts
    is slightly below the grid total (0.27 % for the 2021 grid). Young residents are Paavo
    2023's ages 13-24, spread over each postal area's populated grid cells
    (:func:`spread_by_residents`) and then apportioned by area share; their total is the Paavo
    total less the same boundary losses (under 0.1 %). The two sources are from different
    years, so young residents are not an exact subset of residents.

    Parameters
    ----------
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    download
        Fetch missing inputs from their publishers (see ``geo.download.require``).

    Returns
    -------
    DataFrame
        ``code`` (str, as in ``load_districts(level)['code']``), ``residents`` and
        ``young_residents`` (float, apportioned), ``residents_source`` and ``young_source``
        (attribution); one row per district, sorted by code. A fresh copy each call.

    Raises
    ------
    DataUnavailableError
        When an input is missing and cannot be downloaded.
    """
    lvl = check_level(level)
    inputs: dict[str, Path] = {key: require(key, download=download) for key in (lvl, *_INPUTS)}
    key = _cache_key(lvl, inputs)
    path = cache_path(lvl)
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    districts = load_districts(lvl, download=download)
    grid = gpd.read_file(inputs["population_grid"])
    paavo = gpd.read_file(inputs["paavo"])
    table = compute_residents(districts, grid, paavo)
    _write_cache(path, key, table)
    return table
