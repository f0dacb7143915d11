"""Official open data downloads, validated and written atomically into the cache.

``geo.download.require`` calls :func:`fetch` when no local copy exists; the CLI's
``hotspots districts fetch`` calls :func:`fetch_all`. Every answer is checked before a byte
reaches the cache (JSON, a non-empty FeatureCollection via ``geo.wfs``, the expected columns, polygons in the
Helsinki region), then written to a temporary file in the target folder and moved into place
with ``os.replace``: a failed or interrupted download never leaves a broken or partial file,
and never replaces a good one.

Sources (all CC BY 4.0):

- district layers: City of Helsinki WFS (``settings.wfs_url()``), GeoJSON in EPSG:4326,
  written as plain RFC 7946 lon/lat without a ``crs`` member;
- ``population_grid``: HSY WFS, the 250 m population grid of 2021 in EPSG:3879, cut to cells
  whose centre lies in Helsinki, written as the GeoPackage layer ``population_grid_2021``;
- ``paavo``: Statistics Finland WFS, Paavo 2023 postal code areas of Helsinki (kunta 091),
  fields renamed to English, written as GeoJSON in EPSG:4326.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo import crs, files, opendata, settings, wfs
from geo.errors import DataUnavailableError, DownloadError, ParameterError

#: HSY (Helsinki Region Environmental Services) WFS with the population grid.
DEFAULT_HSY_WFS_URL: Final = settings.DEFAULT_HSY_WFS_URL
#: Statistics Finland WFS with the Paavo postal code area statistics.
DEFAULT_STATFI_WFS_URL: Final = settings.DEFAULT_STATFI_WFS_URL

#: GeoPackage layer name of the cached population grid.
POPULATION_GRID_LAYER: Final = "population_grid_2021"
#: Statistics Finland municipality code of Helsinki.
HELSINKI_KUNTA: Final = "091"

_POLYGONS: Final = frozenset({"Polygon", "MultiPolygon"})
_DISTRICT_COUNTS: Final[dict[str, int]] = {"suurpiiri": 8, "peruspiiri": 34}
_DISTRICT_PROPERTIES: Final = ("tunnus", "nimi_fi", "nimi_se", "kokotunnus")
_GRID_PROPERTIES: Final = ("asukkaita",)
#: Paavo field -> column of the cached file. The first four and the age bands are required.
PAAVO_COLUMNS: Final[dict[str, str]] = {
    "postinumeroalue": "postal_code",
    "nimi": "name",
    "he_vakiy": "pop_total",
    "he_miehet": "pop_male",
    "he_naiset": "pop_female",
    "he_kika": "avg_age",
    "he_0_2": "age_0_2",
    "he_3_6": "age_3_6",
    "he_7_12": "age_7_12",
    "he_13_15": "age_13_15",
    "he_16_17": "age_16_17",
    "he_18_19": "age_18_19",
    "he_20_24": "age_20_24",
    "hr_mtu": "median_income",
    "pt_tyott": "unemployed",
    "te_taly": "households",
    "tp_tyopy": "workplaces",
    "pinta_ala": "area_m2",
    "vuosi": "year",
}
_PAAVO_REQUIRED: Final = (
    "postinumeroalue",
    "nimi",
    "kunta",
    "he_vakiy",
    "he_13_15",
    "he_16_17",
    "he_18_19",
    "he_20_24",
)
_PAAVO_YOUNG_13_17: Final = ("age_13_15", "age_16_17")
_PAAVO_YOUNG_13_24: Final = ("age_13_15", "age_16_17", "age_18_19", "age_20_24")
_PAAVO_TEXT: Final = ("postal_code", "name")
_PAAVO_FLOAT: Final = ("avg_age", "median_income", "area_m2")


# ---------------------------------------------------------------------------------------------
# Validation


def _check_features(features: list[Any], *, required: Iterable[str], what: str) -> None:
    """Every feature is a dict with polygon geometry and non-null ``required`` properties."""
    needed = tuple(required)
    for number, feature in enumerate(features):
        if not isinstance(feature, dict):
            raise DownloadError(f"{what}: feature {number} is not a GeoJSON object")
        props = feature.get("properties") or {}
        label = f"feature {number} (id {feature.get('id')!r})"
        missing = [name for name in needed if props.get(name) is None]
        if missing:
            raise DownloadError(
                f"{what}: {label} lacks the properties {missing}; it is not the expected layer"
            )
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in _POLYGONS:
            raise DownloadError(f"{what}: {label} has geometry {kind!r}, expected Polygon or MultiPolygon")


def _geometries(features: list[dict[str, Any]], *, what: str) -> np.ndarray:
    """Shapely geometries of the features (a malformed coordinate list is a DownloadError)."""
    try:
        return np.array([shape(f["geometry"]) for f in features], dtype=object)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise DownloadError(f"{what}: a geometry cannot be read ({exc})") from None


def _swap_axes(coords: Any) -> Any:
    """Swap the first two numbers of every position in a GeoJSON coordinate array."""
    if coords and isinstance(coords[0], int | float):
        return [coords[1], coords[0], *coords[2:]]
    return [_swap_axes(part) for part in coords]


def _needs_axis_swap(geoms: np.ndarray, *, expected_crs: str, what: str) -> bool:
    """Return True when coordinates come northing/latitude first; error when they fit neither order."""
    xy = shapely.get_coordinates(geoms)
    if crs.guess_crs(xy[:, 0], xy[:, 1]) == expected_crs:
        return False
    if crs.guess_crs(xy[:, 1], xy[:, 0]) == expected_crs:
        return True
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    raise DownloadError(
        f"{what}: coordinates span x {x0:.6g}..{x1:.6g}, y {y0:.6g}..{y1:.6g}, which is not the Helsinki "
        f"region in {expected_crs} in either axis order"
    )


def _swap_feature_axes(feature: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``feature`` with x and y exchanged in its geometry (and bbox)."""
    out = dict(feature)
    geometry = dict(feature["geometry"])
    geometry["coordinates"] = _swap_axes(geometry["coordinates"])
    out["geometry"] = geometry
    bbox = feature.get("bbox")
    if isinstance(bbox, list) and len(bbox) == 4:
        out["bbox"] = [bbox[1], bbox[0], bbox[3], bbox[2]]
    return out


def district_collection(body: bytes, key: str, *, what: str) -> dict[str, Any]:
    """Validate a district layer answer and return it as plain RFC 7946 lon/lat GeoJSON.

    Parameters
    ----------
    body
        The WFS answer.
    key
        District dataset key (``suurpiiri``, ``peruspiiri``, ``osaalue``, ``kaupunginosa``).
    what
        Names the layer and URL in error messages.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}`` in lon/lat order; the WFS envelope
        (``crs``, ``totalFeatures``, ``numberMatched`` ...) is dropped.
    """
    data = wfs.parse_feature_collection(body, what=what)
    features: list[dict[str, Any]] = data["features"]
    required = [p for p in _DISTRICT_PROPERTIES if not (key == "kaupunginosa" and p == "kokotunnus")]
    _check_features(features, required=required, what=what)
    expected = _DISTRICT_COUNTS.get(key)
    if expected is not None and len(features) != expected:
        raise DownloadError(f"{what} has {len(features)} features, expected {expected} {key} districts")
    geoms = _geometries(features, what=what)
    if _needs_axis_swap(geoms, expected_crs=crs.WGS84, what=what):
        features = [_swap_feature_axes(f) for f in features]
    return {"type": "FeatureCollection", "features": features}


def _frame_from_features(
    features: list[dict[str, Any]], *, srs: str, what: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Properties (plus the feature ``id`` as ``_fid``) and geometries in ``srs`` x/y order."""
    geoms = _geometries(features, what=what)
    if _needs_axis_swap(geoms, expected_crs=srs, what=what):
        geoms = shapely.transform(geoms, lambda xy: xy[:, ::-1])
    props = pd.DataFrame([f.get("properties") or {} for f in features])
    props["_fid"] = [f.get("id") for f in features]
    return props, geoms


def population_grid_frame(body: bytes, osaalue: gpd.GeoDataFrame, *, what: str) -> gpd.GeoDataFrame:
    """Cut the HSY grid answer to the cells whose centre lies in Helsinki, as the cached layer.

    Parameters
    ----------
    body
        The WFS answer in EPSG:3879 (either axis order).
    osaalue
        Helsinki's osa-alue layer (any CRS); its union defines "in Helsinki".
    what
        Names the layer and URL in error messages.

    Returns
    -------
    GeoDataFrame
        Columns ``id`` (feature id), ``inhabitants`` (int), ``occupancy_rate`` (float, NaN
        where the source has none) and polygon geometry in EPSG:3879.
    """
    data = wfs.parse_feature_collection(body, what=what)
    features: list[dict[str, Any]] = data["features"]
    _check_features(features, required=_GRID_PROPERTIES, what=what)
    props, geoms = _frame_from_features(features, srs=crs.GK25, what=what)
    inhabitants = pd.to_numeric(props["asukkaita"], errors="coerce")
    if inhabitants.isna().any() or (inhabitants < 0).any():
        bad = props.loc[inhabitants.isna() | (inhabitants < 0), "asukkaita"].iloc[0]
        raise DownloadError(f"{what}: 'asukkaita' must be a count >= 0, got {bad!r}")
    occupancy = (
        pd.to_numeric(props["asvaljyys"], errors="coerce").astype("float64")
        if "asvaljyys" in props
        else pd.Series(np.nan, index=props.index)
    )
    ids = [str(fid) if fid is not None else f"{what}#{n}" for n, fid in enumerate(props["_fid"])]
    single = shapely.get_num_geometries(geoms) == 1
    geoms = np.where(single & (shapely.get_type_id(geoms) == 6), shapely.get_geometry(geoms, 0), geoms)
    grid = gpd.GeoDataFrame(
        {
            "id": ids,
            "inhabitants": inhabitants.astype("int64").to_numpy(),
            "occupancy_rate": occupancy.to_numpy(),
        },
        geometry=gpd.GeoSeries(geoms, crs=crs.GK25).values,
        crs=crs.GK25,
    )
    centres = grid.geometry.centroid.to_crs(osaalue.crs)
    tree = shapely.STRtree(np.asarray(osaalue.geometry.values))
    inside_idx, _ = tree.query(np.asarray(centres.values), predicate="within")
    keep = np.zeros(len(grid), dtype=bool)
    keep[inside_idx] = True
    if not keep.any():
        raise DownloadError(f"{what}: none of the {len(grid)} grid cells has its centre in Helsinki")
    return grid.loc[keep].reset_index(drop=True)


def paavo_frame(body: bytes, *, what: str) -> gpd.GeoDataFrame:
    """Turn the Paavo answer into Helsinki's postal code areas with English column names, in EPSG:4326.

    Parameters
    ----------
    body
        The WFS answer in EPSG:3067 (either axis order).
    what
        Names the layer and URL in error messages.

    Returns
    -------
    GeoDataFrame
        ``PAAVO_COLUMNS`` values that the source has, plus ``pop_age_13_17`` and
        ``pop_age_13_24``; counts as nullable integers (the publisher's negative "suppressed"
        markers become missing), sorted by postal code.
    """
    data = wfs.parse_feature_collection(body, what=what)
    features: list[dict[str, Any]] = data["features"]
    _check_features(features, required=_PAAVO_REQUIRED, what=what)
    props, geoms = _frame_from_features(features, srs=crs.METRIC, what=what)
    helsinki = props["kunta"].astype(str).str.strip().str.zfill(3) == HELSINKI_KUNTA
    if not helsinki.any():
        raise DownloadError(f"{what}: no postal code area has kunta {HELSINKI_KUNTA!r} (Helsinki)")
    props, geoms = props.loc[helsinki].reset_index(drop=True), geoms[helsinki.to_numpy()]
    columns: dict[str, pd.Series] = {}
    for source, target in PAAVO_COLUMNS.items():
        if source not in props:
            continue
        if target in _PAAVO_TEXT:
            columns[target] = props[source].astype(str).str.strip()
            continue
        values = pd.to_numeric(props[source], errors="coerce").astype("float64")
        values = values.where(values >= 0)
        columns[target] = values if target in _PAAVO_FLOAT else values.round().astype("Int64")
    frame = pd.DataFrame(columns)
    frame["postal_code"] = frame["postal_code"].str.zfill(5)
    frame["pop_age_13_17"] = frame[list(_PAAVO_YOUNG_13_17)].sum(axis=1, min_count=1).astype("Int64")
    frame["pop_age_13_24"] = frame[list(_PAAVO_YOUNG_13_24)].sum(axis=1, min_count=1).astype("Int64")
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs.METRIC).values, crs=crs.METRIC)
    out = out.to_crs(crs.WGS84)
    return out.sort_values("postal_code").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Writing


def _write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """``geo.files.write_atomically`` for the cache: an OSError becomes a DownloadError.

    A failure at any point leaves ``target`` as it was (absent or the previous good file);
    the message names the cache folder setting.
    """
    try:
        return files.write_atomically(target, write)
    except OSError as exc:
        raise DownloadError(
            f"cannot write the cache file {target}: {exc}; the previous file (if any) is kept. "
            f"Free some space or set {settings.ENV_CACHE_DIR} to a writable folder"
        ) from None


def _write_bytes(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _write_frame(frame: gpd.GeoDataFrame, *, driver: str, layer: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        options = {"COORDINATE_PRECISION": 6} if driver == "GeoJSON" else {}
        frame.to_file(path, driver=driver, layer=layer, engine="pyogrio", **options)

    return write


# ---------------------------------------------------------------------------------------------
# Public entry points


def _timeout(timeout_s: float | None) -> float:
    value = settings.http_timeout_s() if timeout_s is None else float(timeout_s)
    if not value > 0:
        raise ParameterError(f"timeout_s must be > 0 seconds, got {timeout_s}")
    return value


def default_base_url(key: str) -> str:
    """Return the service endpoint of dataset ``key`` when the caller names none.

    Parameters
    ----------
    key
        One of ``geo.opendata.DATASETS``.

    Returns
    -------
    str
        ``settings.wfs_url()`` for district layers, ``settings.hsy_wfs_url()`` for the
        population grid, ``settings.statfi_wfs_url()`` for Paavo.

    Raises
    ------
    ValueError
        For an unknown key; the message lists the data sets.
    """
    if key in opendata.DISTRICT_KEYS:
        return settings.wfs_url()
    if key == "population_grid":
        return settings.hsy_wfs_url()
    if key == "paavo":
        return settings.statfi_wfs_url()
    raise ValueError(f"dataset was {key!r} but is expected to be one of {sorted(opendata.DATASETS)}")


def fetch(
    key: str, *, base_url: str | None = None, timeout_s: float | None = None, force: bool = False
) -> Path:
    """Download dataset ``key`` from its publisher into the cache and return the file.

    Parameters
    ----------
    key
        One of ``geo.opendata.DATASETS``: a district layer, ``population_grid`` or ``paavo``.
    base_url
        WFS endpoint; default ``settings.wfs_url()`` for district layers,
        ``DEFAULT_HSY_WFS_URL`` for the grid and ``DEFAULT_STATFI_WFS_URL`` for Paavo.
    timeout_s
        Seconds to wait for the connection and each read; default ``settings.http_timeout_s()``.
    force
        Download even when the cache already holds the file (a failed download keeps it).

    Returns
    -------
    Path
        ``settings.cache_dir() / dataset.relpath``.

    Raises
    ------
    DownloadError
        When the service cannot be reached, times out, or answers with anything but a valid
        layer; nothing is written then.
    """
    ds = opendata.dataset(key)
    target = settings.cache_dir() / ds.relpath
    if target.is_file() and not force:
        return target
    seconds = _timeout(timeout_s)
    base = base_url or default_base_url(key)
    if key in opendata.DISTRICT_KEYS:
        url = wfs.request_url(base, ds.layer, srs_name=crs.WGS84)
        what = f"the {key} layer {ds.layer} from {url}"
        collection = district_collection(wfs.http_get(url, timeout_s=seconds), key, what=what)
        payload = json.dumps(collection, ensure_ascii=False).encode("utf-8")
        return _write_atomic(target, _write_bytes(payload))
    if key == "population_grid":
        url = wfs.request_url(base, ds.layer, srs_name=crs.GK25)
        what = f"the population grid {ds.layer} from {url}"
        body = wfs.http_get(url, timeout_s=seconds)
        try:  # the grid is cut to Helsinki, so the osa-alue layer comes first
            osaalue = gpd.read_file(require("osaalue"))
        except DataUnavailableError as exc:
            raise DownloadError(
                f"the population grid is cut to Helsinki's osa-alue layer, which is unavailable: {exc}"
            ) from exc
        grid = population_grid_frame(body, osaalue, what=what)
        return _write_atomic(target, _write_frame(grid, driver="GPKG", layer=POPULATION_GRID_LAYER))
    url = wfs.request_url(base, ds.layer, srs_name=crs.METRIC, CQL_FILTER=f"kunta='{HELSINKI_KUNTA}'")
    what = f"the Paavo layer {ds.layer} from {url}"
    paavo = paavo_frame(wfs.http_get(url, timeout_s=seconds), what=what)
    return _write_atomic(target, _write_frame(paavo, driver="GeoJSON", layer="paavo2023_population"))


def fetch_all(
    *,
    force: bool = False,
    wfs_url: str | None = None,
    hsy_wfs_url: str | None = None,
    statfi_wfs_url: str | None = None,
    timeout_s: float | None = None,
) -> list[Path]:
    """Download the four district layers, the population grid and Paavo into the cache.

    Parameters
    ----------
    force
        Download again even when cached (a failed download keeps the cached file).
    wfs_url, hsy_wfs_url, statfi_wfs_url
        Endpoints of the City of Helsinki, HSY and Statistics Finland services; defaults as
        in :func:`fetch`.
    timeout_s
        Seconds per connection and read.

    Returns
    -------
    list of Path
        The cached files, districts first.

    Raises
    ------
    DownloadError
        At the first dataset that fails; the ones before it stay cached.
    """
    urls = {key: wfs_url for key in opendata.DISTRICT_KEYS}
    urls["population_grid"] = hsy_wfs_url
    urls["paavo"] = statfi_wfs_url
    return [fetch(key, base_url=url, timeout_s=timeout_s, force=force) for key, url in urls.items()]


def require(key: str, *, download: bool = True) -> Path:
    """Return a local copy of dataset ``key``, downloading it into the cache if needed.

    Parameters
    ----------
    key
        Dataset key, e.g. ``"osaalue"``.
    download
        Try the official download when no local copy exists.

    Returns
    -------
    Path
        The file to read.

    Raises
    ------
    DataUnavailableError
        When there is no local copy and the download is off or fails; the message names
        ``HOTSPOTS_DATA_DIR`` and ``hotspots districts fetch``.
    """
    path = opendata.locate(key)
    if path is not None:
        return path
    if not download:
        raise DataUnavailableError(opendata.unavailable_message(key, "downloads were not allowed"))
    try:
        return fetch(key)
    except DownloadError as exc:
        raise DataUnavailableError(opendata.unavailable_message(key, str(exc))) from exc
