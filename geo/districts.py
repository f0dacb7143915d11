"""Helsinki's official districts: suurpiiri (8) > peruspiiri (34) > osa-alue (148).

Layers come from the City of Helsinki (CC BY 4.0) through ``geo.download.require``. Every frame
returned here is in EPSG:3067 metres, names above osa-alue level in title case (the source
has them in upper case), with the hierarchy decoded from ``kokotunnus``
(``'091'`` + suurpiiri digit + 3-digit peruspiiri + 3-digit osa-alue).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from geo import crs
from geo.download import require
from geo.errors import DataUnavailableError

Level = Literal["suurpiiri", "peruspiiri", "osaalue"]
LEVELS: Final[tuple[Level, ...]] = get_args(Level)
#: Osa-alue code of the territorial sea ('Aluemeri'): never part of a study area.
TERRITORIAL_SEA_CODE: Final = "533"
#: Columns of a district frame, besides ``geometry``.
DISTRICT_FRAME_COLUMNS: Final = (
    "level",
    "code",
    "name_fi",
    "name_sv",
    "kokotunnus",
    "suurpiiri_code",
    "peruspiiri_code",
    "area_km2",
)
_EXPECTED_COUNTS: Final[dict[str, int]] = {"suurpiiri": 8, "peruspiiri": 34}


def _title(name: object) -> str:
    """'ITÄ-PAKILA' -> 'Itä-Pakila'; mixed-case osa-alue names are kept as they are."""
    text = str(name).strip() if name is not None else ""
    return text.title() if text.isupper() else text


def check_level(level: str) -> Level:
    """Return ``level`` if it is a district level, else raise a ValueError naming the choices.

    Parameters
    ----------
    level
        ``'suurpiiri'``, ``'peruspiiri'`` or ``'osaalue'``.

    Returns
    -------
    str
        ``level``, typed as a ``Level``.

    Raises
    ------
    ValueError
        For any other value; the message lists ``LEVELS``.
    """
    if level not in LEVELS:
        raise ValueError(f"level was {level!r} but is expected to be one of {list(LEVELS)}")
    return level


def districts_from_frame(raw: gpd.GeoDataFrame, level: Level) -> gpd.GeoDataFrame:
    """Turn an official layer as published (WFS GeoJSON) into a district frame.

    Parameters
    ----------
    raw
        The layer with ``tunnus``, ``nimi_fi``, ``nimi_se``, ``kokotunnus`` and polygons.
    level
        Which level the layer is.

    Returns
    -------
    GeoDataFrame
        One row per district with ``DISTRICT_FRAME_COLUMNS`` in EPSG:3067, sorted by code.
    """
    level = check_level(level)
    missing = {"tunnus", "nimi_fi", "nimi_se", "kokotunnus", "geometry"} - set(raw.columns)
    if missing:
        raise DataUnavailableError(
            f"the {level} layer lacks the columns {sorted(missing)}; it is not the City of "
            "Helsinki district layer. Delete the file and run `hotspots districts fetch`."
        )
    if raw.crs is None:
        raise DataUnavailableError(f"the {level} layer has no CRS; run `hotspots districts fetch` again.")
    frame = raw.to_crs(crs.METRIC)
    koko = frame["kokotunnus"].astype(str).str.strip()
    bad = ~koko.str.fullmatch(r"091\d{7}")
    if bad.any():
        raise DataUnavailableError(
            f"the {level} layer has kokotunnus values that are not '091' + 7 digits, "
            f"e.g. {koko[bad].iloc[0]!r}; run `hotspots districts fetch` again."
        )
    code = frame["tunnus"].astype(str).str.strip()
    out = gpd.GeoDataFrame(
        {
            "level": level,
            "code": code,
            "name_fi": frame["nimi_fi"].map(_title),
            "name_sv": frame["nimi_se"].map(_title),
            "kokotunnus": koko,
            "suurpiiri_code": koko.str[3:4],
            "peruspiiri_code": koko.str[4:7] if level != "suurpiiri" else pd.NA,
            "area_km2": frame.geometry.area / 1e6,
        },
        geometry=shapely.make_valid(frame.geometry.values),
        crs=crs.METRIC,
    )
    if level in _EXPECTED_COUNTS and len(out) != _EXPECTED_COUNTS[level]:
        raise DataUnavailableError(
            f"the {level} layer has {len(out)} districts, expected {_EXPECTED_COUNTS[level]}; "
            "run `hotspots districts fetch` again."
        )
    return out.sort_values("code").reset_index(drop=True)


@lru_cache(maxsize=8)
def _load_cached(level: Level, path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    del mtime_ns  # part of the cache key only: a refreshed file is read again
    return districts_from_frame(gpd.read_file(path), level)


def load_districts(level: str = "osaalue", *, download: bool = True) -> gpd.GeoDataFrame:
    """Load one level of Helsinki's official districts in EPSG:3067.

    Parameters
    ----------
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    download
        Fetch the layer from the City of Helsinki WFS when no local copy exists.

    Returns
    -------
    GeoDataFrame
        ``DISTRICT_FRAME_COLUMNS`` + geometry, one row per district, sorted by code. A copy:
        callers may change it freely.

    Raises
    ------
    DataUnavailableError
        No local copy and no download possible; the message says how to get one.
    """
    lvl = check_level(level)
    path = require(lvl, download=download)
    return _load_cached(lvl, str(path), path.stat().st_mtime_ns).copy()


#: How far the land reaches into the water for study areas: half a 150 m cell, so a
#: quay or a shore path (Kauppatori, Hietaniemi) stays inside.
LAND_MARGIN_M: Final = 75.0


@lru_cache(maxsize=2)
def _land_cached(path: str, mtime_ns: int) -> shapely.Geometry:
    del mtime_ns  # part of the cache key only: a refreshed file is read again
    frame = gpd.read_file(path).to_crs(crs.METRIC)
    return shapely.union_all(np.asarray(frame.geometry.values, dtype=object))


@lru_cache(maxsize=2)
def _shore_cached(path: str, mtime_ns: int) -> shapely.Geometry:
    return shapely.buffer(_land_cached(path, mtime_ns), LAND_MARGIN_M)


@lru_cache(maxsize=2)
def _sea_cached(land_key: tuple[str, int], districts_key: tuple[str, int]) -> shapely.Geometry:
    osaalue = _load_cached("osaalue", *districts_key)
    city = shapely.union_all(np.asarray(osaalue.geometry.values, dtype=object))
    return shapely.difference(city, _land_cached(*land_key))


def land_and_sea(*, download: bool = True) -> tuple[shapely.Geometry, shapely.Geometry] | None:
    """Return Helsinki's land and the sea inside the official districts (EPSG:3067), or None.

    The land is the union of the Paavo postal code areas (cut to the shore); the sea is
    what the districts cover beyond it. A map draws the sea from it and keeps district
    colours on land. Computed once per pair of files.

    Parameters
    ----------
    download
        Fetch the data when no local copy exists.

    Returns
    -------
    tuple of shapely.Geometry, or None
        ``(land, sea)``; None without the land or district data.
    """
    try:
        land_path = require("paavo", download=download)
        districts_path = require("osaalue", download=download)
    except DataUnavailableError:
        return None
    land_key = (str(land_path), land_path.stat().st_mtime_ns)
    districts_key = (str(districts_path), districts_path.stat().st_mtime_ns)
    return _land_cached(*land_key), _sea_cached(land_key, districts_key)


def shore_area(*, download: bool = True) -> shapely.Geometry | None:
    """Return Helsinki's land widened by ``LAND_MARGIN_M`` (EPSG:3067), or None when it cannot be had.

    The official districts include the sea (715 km2 in all, 483 km2 without the
    territorial sea, against about 214 km2 of land), so "1 % of the area" measured on them
    would be mostly water. Statistics Finland's Paavo postal code areas are cut to the
    shore; their union is the land. Read and buffered once per file.

    Parameters
    ----------
    download
        Fetch the Paavo areas when no local copy exists.

    Returns
    -------
    shapely.Geometry or None
        The widened land, or None without land data.
    """
    try:
        path = require("paavo", download=download)
    except DataUnavailableError:
        return None
    return _shore_cached(str(path), path.stat().st_mtime_ns)


def on_land(area: shapely.Geometry, *, download: bool = True) -> shapely.Geometry:
    """Return ``area`` without the water beyond ``LAND_MARGIN_M`` from the shore.

    Parameters
    ----------
    area
        A polygon in EPSG:3067.
    download
        Fetch the land data when no local copy exists.

    Returns
    -------
    shapely.Geometry
        The part of ``area`` on or near land; ``area`` unchanged without land data or when
        nothing of it is near land.
    """
    shore = shore_area(download=download)
    if shore is None:
        return area
    kept = shapely.intersection(area, shore)
    return area if shapely.is_empty(kept) else kept


def at_sea(x_m: NDArray[np.float64], y_m: NDArray[np.float64], *, download: bool = True) -> NDArray[np.bool_]:
    """Flag points farther than ``LAND_MARGIN_M`` from land (all False without land data).

    Points outside Helsinki's land mask but far from the city are at sea here too: the
    caller asks only about points inside the official districts.

    Parameters
    ----------
    x_m, y_m
        EPSG:3067 coordinates in metres.
    download
        Fetch the land data when no local copy exists.

    Returns
    -------
    ndarray of bool
        True for points at sea; False for non-finite points.
    """
    shore = shore_area(download=download)
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    if shore is None or not x.size:
        return np.zeros(x.shape, dtype=bool)
    shapely.prepare(shore)
    finite = np.isfinite(x) & np.isfinite(y)
    out = np.zeros(x.shape, dtype=bool)
    out[finite] = ~shapely.contains_xy(shore, x[finite], y[finite])
    return out


def hierarchy(*, download: bool = True) -> pd.DataFrame:
    """Return one row per osa-alue with the codes and fi/sv names of its peruspiiri and suurpiiri.

    Parameters
    ----------
    download
        Fetch missing district layers from the City of Helsinki.

    Returns
    -------
    DataFrame
        Columns ``schema.DISTRICT_COLUMNS`` without ``in_helsinki``.
    """
    osa = load_districts("osaalue", download=download)
    per = load_districts("peruspiiri", download=download).set_index("code")
    suur = load_districts("suurpiiri", download=download).set_index("code")
    out = pd.DataFrame(
        {
            "osaalue_code": osa["code"],
            "osaalue_fi": osa["name_fi"],
            "osaalue_sv": osa["name_sv"],
            "peruspiiri_code": osa["peruspiiri_code"],
            "peruspiiri_fi": osa["peruspiiri_code"].map(per["name_fi"]),
            "peruspiiri_sv": osa["peruspiiri_code"].map(per["name_sv"]),
            "suurpiiri_code": osa["suurpiiri_code"],
            "suurpiiri_fi": osa["suurpiiri_code"].map(suur["name_fi"]),
            "suurpiiri_sv": osa["suurpiiri_code"].map(suur["name_sv"]),
        }
    )
    orphans = out["peruspiiri_fi"].isna() | out["suurpiiri_fi"].isna()
    if orphans.any():
        raise DataUnavailableError(
            f"osa-alue {out.loc[orphans, 'osaalue_code'].iloc[0]} has no parent district in the "
            "peruspiiri/suurpiiri layers; the cached layers are from different dates. "
            "Run `hotspots districts fetch` to refresh all of them."
        )
    return out


class DistrictTagger:
    """Point-in-district lookup for many points at once.

    Points are binned on a square grid; a cell that lies wholly inside one osa-alue is
    answered from a table, only points in cells crossed by a boundary are tested exactly
    (STRtree over prepared polygons). 1M points take about a second.

    Parameters
    ----------
    osaalue
        The osa-alue frame (``load_districts("osaalue")``) in EPSG:3067.
    table
        ``hierarchy()``: names and parents of each osa-alue.
    cell_m
        Side of a grid cell in metres.
    """

    def __init__(self, osaalue: gpd.GeoDataFrame, table: pd.DataFrame, *, cell_m: float = 100.0) -> None:
        if cell_m <= 0:
            raise ValueError(f"cell_m must be > 0 metres, got {cell_m}")
        self._table = table.set_index("osaalue_code").loc[osaalue["code"]].reset_index()
        self._geoms = np.asarray(osaalue.geometry.values)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        x0, y0, x1, y1 = shapely.total_bounds(self._geoms)
        self._origin = (float(x0), float(y0))
        self._cell_m = float(cell_m)
        self._shape = (int(np.ceil((x1 - x0) / cell_m)) + 1, int(np.ceil((y1 - y0) / cell_m)) + 1)
        self._cell_owner = self._classify_cells()

    def _classify_cells(self) -> np.ndarray:
        """Owner index per grid cell: >= 0 one district, -1 outside all, -2 needs an exact test."""
        nx, ny = self._shape
        x0, y0 = self._origin
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        cells = shapely.box(
            x0 + ix.ravel() * self._cell_m,
            y0 + iy.ravel() * self._cell_m,
            x0 + (ix.ravel() + 1) * self._cell_m,
            y0 + (iy.ravel() + 1) * self._cell_m,
        )
        owner = np.full(cells.size, -1, dtype=np.int32)
        cell_idx, geom_idx = self._tree.query(cells, predicate="intersects")
        hits = np.bincount(cell_idx, minlength=cells.size)
        owner[hits > 1] = -2
        single = hits[cell_idx] == 1
        cand_cells, cand_geoms = cell_idx[single], geom_idx[single]
        inside = shapely.contains_properly(self._geoms[cand_geoms], cells[cand_cells])
        owner[cand_cells] = np.where(inside, cand_geoms, -2)
        return owner.reshape(self._shape)

    def owner_index(self, x_m: ArrayLike, y_m: ArrayLike) -> np.ndarray:
        """Return the row of the osa-alue frame holding each point.

        Parameters
        ----------
        x_m, y_m
            EPSG:3067 coordinates in metres.

        Returns
        -------
        ndarray of int64
            Row per point; -1 outside Helsinki or for non-finite coordinates. A point on a
            shared boundary goes to the lower row.
        """
        xs = np.asarray(x_m, dtype=np.float64)
        ys = np.asarray(y_m, dtype=np.float64)
        out = np.full(xs.shape, -1, dtype=np.int64)
        finite = np.isfinite(xs) & np.isfinite(ys)
        ix = np.floor((xs - self._origin[0]) / self._cell_m)
        iy = np.floor((ys - self._origin[1]) / self._cell_m)
        on_grid = finite & (ix >= 0) & (iy >= 0) & (ix < self._shape[0]) & (iy < self._shape[1])
        idx = np.flatnonzero(on_grid)
        owner = self._cell_owner[ix[idx].astype(np.int64), iy[idx].astype(np.int64)]
        out[idx] = owner
        exact = idx[owner == -2]
        out[exact] = -1
        if exact.size:
            points = shapely.points(xs[exact], ys[exact])
            pt_idx, geom_idx = self._tree.query(points, predicate="intersects")
            # A point on a shared boundary touches two districts: the lower row wins, stably.
            order = np.lexsort((geom_idx, pt_idx))
            pt_idx, geom_idx = pt_idx[order], geom_idx[order]
            first = np.ones(pt_idx.size, dtype=bool)
            first[1:] = pt_idx[1:] != pt_idx[:-1]
            out[exact[pt_idx[first]]] = geom_idx[first]
        return out

    def tag(self, x_m: ArrayLike, y_m: ArrayLike) -> pd.DataFrame:
        """Return the district columns for each point (``schema.DISTRICT_COLUMNS``).

        Parameters
        ----------
        x_m, y_m
            EPSG:3067 coordinates in metres.

        Returns
        -------
        DataFrame
            One row per point, in input order; ``in_helsinki`` False and the other columns
            missing for points outside every district.
        """
        owner = self.owner_index(x_m, y_m)
        inside = owner >= 0
        tagged = self._table.iloc[np.where(inside, owner, 0)].reset_index(drop=True)
        tagged = tagged.astype("string")
        tagged.loc[~inside, :] = pd.NA
        tagged["in_helsinki"] = inside
        return tagged


@lru_cache(maxsize=2)
def _default_tagger(download: bool) -> DistrictTagger:
    return DistrictTagger(load_districts("osaalue", download=download), hierarchy(download=download))


def default_tagger(*, download: bool = True) -> DistrictTagger:
    """Return a tagger over the official osa-alue layer, built once per process.

    Parameters
    ----------
    download
        Fetch missing district layers from the City of Helsinki.

    Returns
    -------
    DistrictTagger
        The shared tagger.
    """
    return _default_tagger(download)


def tag_points(x_m: ArrayLike, y_m: ArrayLike, *, download: bool = True) -> pd.DataFrame:
    """Tag EPSG:3067 points with their osa-alue, peruspiiri and suurpiiri.

    Parameters
    ----------
    x_m, y_m
        EPSG:3067 coordinates in metres.
    download
        Fetch missing district layers from the City of Helsinki.

    Returns
    -------
    DataFrame
        ``schema.DISTRICT_COLUMNS``, one row per point (see ``DistrictTagger.tag``).
    """
    return default_tagger(download=download).tag(x_m, y_m)
