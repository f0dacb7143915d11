"""Data downloads as bytes: hotspots (GeoJSON, GeoPackage, CSV) and district figures (CSV, XLSX).

Pure functions for ``st.download_button`` and the CLI. Aggregated by default
(``briefing.privacy``): hotspot outlines from ``shareable_outlines``, small counts as
``"<5"`` (so the count columns ``n`` and ``n_prev`` are text in these files), no incident
points, ids or descriptions. ``restricted=True`` writes exact counts and polygons, adds the
incidents themselves (GeoJSON features, a GeoPackage layer, ``incidents_csv_bytes``) and
marks every file RESTRICTED: a top-level ``classification`` member in GeoJSON, layer
metadata and descriptions in the GeoPackage, a ``classification`` column in CSV, and the
document properties (title, subject, keywords) of the XLSX workbook.

Hotspot columns and their formats come from ``hotspots.export.export_table``; spreadsheet
cells a spreadsheet would run as a formula are neutralised (``geo.spreadsheet``). The
district files are ``briefing.districtfiles``'s, re-exported here.

Every function that makes a file takes the downloading user's ``store.Scope`` (a required
keyword) and applies ``briefing.permissions.check_export`` before anything else: a youth
worker or a viewer never gets restricted content (asking raises ``store.ScopeError``), nor
counts below 5 shown exactly, and a scope cut to districts exports only an analysis built
from its own districts' incidents.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from briefing.districtfiles import DISTRICT_COLUMNS, csv_bytes, districts_csv_bytes, districts_xlsx_bytes
from briefing.permissions import check_export
from briefing.privacy import (
    AGGREGATED,
    DEFAULT_MIN_COUNT,
    RESTRICTED,
    PrivacyError,
    check_min_count,
    count_column,
    mix_text,
    shareable_outlines,
)
from briefing.texts import filters_text, is_synthetic, marking, method_text, period_text, title_text
from geo import crs, files, schema
from geo import districts as district_layers
from geo.errors import DataUnavailableError, ParameterError
from geo.population import residents_by_district
from hotspots import figures
from hotspots.analysis import Analysis
from hotspots.export import export_table
from i18n import check_language, hotspot_texts, t
from store.scope import Scope

__all__ = [
    "DISTRICT_COLUMNS",
    "HOTSPOT_FORMATS",
    "INCIDENT_COLUMNS",
    "district_figures",
    "districts_csv_bytes",
    "districts_xlsx_bytes",
    "hotspots_csv_bytes",
    "hotspots_geojson_bytes",
    "hotspots_gpkg_bytes",
    "hotspots_table",
    "incidents_csv_bytes",
    "write_hotspots",
]

#: Incident columns of a restricted export (besides the point geometry / lon, lat): the
#: canonical ones without coordinates and the demo flag.
INCIDENT_COLUMNS: Final = tuple(
    c for c in schema.INCIDENT_COLUMNS if c not in ("x_m", "y_m", "lon", "lat", "synthetic")
)


def district_figures(
    analysis: Analysis,
    *,
    level: str = "peruspiiri",
    districts: pd.DataFrame | None = None,
    residents: pd.DataFrame | None = None,
    population: bool = True,
) -> pd.DataFrame:
    """``hotspots.figures.district_table`` of an analysis, with the official layers by default.

    Parameters
    ----------
    analysis
        Analysis result.
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    districts
        District frame of ``level``; default ``geo.districts.load_districts(level)``.
    residents
        ``geo.population.residents_by_district(level)``; default loaded when ``population``.
    population
        Load residents when not given; when they cannot be had, rates are left empty.

    Returns
    -------
    DataFrame
        One row per district (see ``district_table``).
    """
    layer = district_layers.load_districts(level) if districts is None else districts
    if residents is None and population:
        try:
            residents = residents_by_district(level)
        except DataUnavailableError:
            residents = None
    return figures.district_table(
        analysis.current, analysis.previous, districts=layer, level=level, residents=residents
    )


# --------------------------------------------------------------------------- hotspots


def hotspots_table(
    analysis: Analysis,
    *,
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    outline_cell_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Return the hotspot table as it leaves the tool (``export_table`` columns, EPSG:4326).

    Parameters
    ----------
    analysis
        Analysis result.
    restricted
        Exact polygons and counts, plus a ``classification`` column saying RESTRICTED.
    min_count
        Counts below this become ``"<min_count"``; the score of such a hotspot is blanked.
    outline_cell_m
        Grid of the shareable outlines; default eps / 3 (``privacy.shareable_outlines``).

    Returns
    -------
    GeoDataFrame
        A new frame; ``analysis.hotspots`` is not changed.
    """
    min_count = check_min_count(min_count)
    hotspots = analysis.hotspots
    if restricted:
        table = export_table(hotspots, texts=hotspot_texts(hotspots))
        table["classification"] = RESTRICTED
        return table
    outlines = shareable_outlines(
        np.asarray(hotspots.geometry.values, dtype=object),
        eps_m=analysis.clustering.eps_m,
        cell_m=outline_cell_m,
    )
    frame = gpd.GeoDataFrame(
        hotspots.drop(columns=hotspots.geometry.name),
        geometry=gpd.GeoSeries(outlines, index=hotspots.index, crs=hotspots.crs),
        crs=hotspots.crs,
    )
    frame["area_km2"] = shapely.area(outlines) / 1e6 if len(outlines) else np.empty(0)
    frame["category_mix"] = pd.array(
        [mix_text(mix, min_count=min_count) for mix in hotspots["categories"]], dtype="string"
    )
    small = (hotspots["n"].to_numpy(dtype=np.float64) < min_count) if len(hotspots) else np.zeros(0, bool)
    # A small hotspot's nearest address could point at one incident's door: blanked like its
    # score, before the recommendations are worded (they name it too).
    named = [c for c in ("place_fi", "place_sv") if c in frame.columns]
    frame.loc[small, named] = ""
    table = export_table(frame, texts=hotspot_texts(frame))
    table["n"] = count_column(hotspots["n"], min_count=min_count).to_numpy()
    table["n_prev"] = count_column(hotspots["n_prev"], min_count=min_count).to_numpy()
    table["score"] = table["score"].astype("Float64").mask(small)
    return table


def _incidents_frame(analysis: Analysis) -> gpd.GeoDataFrame:
    """Return the current period's incidents with their hotspot id, as points in EPSG:4326."""
    current = analysis.current
    out = pd.DataFrame(index=current.index)
    for column in INCIDENT_COLUMNS:
        out[column] = current[column] if column in current.columns else pd.NA
    out["occurred_at"] = (
        current["occurred_at"]
        .dt.tz_convert(schema.TIMEZONE)
        .map(lambda stamp: stamp.isoformat() if pd.notna(stamp) else None)
    )
    by_label = dict(
        zip(analysis.hotspots["label"].astype(int), analysis.hotspots["id"].astype(str), strict=True)
    )
    out["hotspot"] = [by_label.get(int(label)) for label in analysis.labels]
    lon, lat = crs.to_wgs84(current["x_m"].to_numpy(), current["y_m"].to_numpy())
    out["lon"], out["lat"] = lon, lat
    out["classification"] = RESTRICTED
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=crs.WGS84)


def _members(analysis: Analysis, *, lang: str, restricted: bool, min_count: int) -> dict[str, Any]:
    """Top-level GeoJSON members: what the file is, its period, its classification."""
    return {
        "name": title_text(analysis.selection, lang),
        "classification": RESTRICTED if restricted else AGGREGATED,
        "marking": marking(lang, restricted=restricted),
        "period": period_text(analysis.selection, lang),
        "filters": filters_text(analysis.selection, lang),
        "method": method_text(analysis.clustering, lang),
        "min_count": None if restricted else min_count,
        "synthetic": is_synthetic(analysis),
        "attribution": t("map.attribution.districts", lang),
    }


def hotspots_geojson_bytes(
    analysis: Analysis,
    *,
    scope: Scope,
    lang: str = "fi",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
) -> bytes:
    """Hotspots as a GeoJSON FeatureCollection (EPSG:4326), UTF-8.

    Parameters
    ----------
    analysis
        Analysis result.
    scope
        The downloading user (``briefing.permissions.check_export``, else ``store.ScopeError``).
    lang
        Language of the descriptive top-level members (``marking``, ``filters`` ...).
    restricted
        Exact polygons and counts, and every incident of the period as a Point feature
        (``kind`` ``"incident"``); the collection's ``classification`` is ``RESTRICTED``.
    min_count
        Suppression threshold of aggregated files.

    Returns
    -------
    bytes
    """
    check_language(lang)
    min_count = check_export(analysis, scope, restricted=restricted, min_count=min_count)
    table = hotspots_table(analysis, restricted=restricted, min_count=min_count)
    table.insert(0, "kind", "hotspot")
    collection = json.loads(table.to_json(na="null", show_bbox=False))
    if restricted:
        incidents = _incidents_frame(analysis).drop(columns=["lon", "lat"])
        incidents.insert(0, "kind", "incident")
        collection["features"] += json.loads(incidents.to_json(na="null", show_bbox=False))["features"]
    document = {
        "type": "FeatureCollection",
        **_members(analysis, lang=lang, restricted=restricted, min_count=min_count),
    }
    document["features"] = collection["features"]
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def hotspots_gpkg_bytes(
    analysis: Analysis,
    *,
    scope: Scope,
    lang: str = "fi",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
) -> bytes:
    """Hotspots as a GeoPackage (layer ``hotspots``, EPSG:4326).

    Each layer's description and metadata (``classification``, ``marking``, ``period``) say
    what it is; restricted files add the layer ``incidents`` (points with time, category,
    source, severity, description and hotspot id).

    Parameters
    ----------
    analysis
        Analysis result.
    scope
        The downloading user (``briefing.permissions.check_export``, else ``store.ScopeError``).
    lang
        Language of the layer descriptions.
    restricted
        Exact polygons and counts, plus the incidents layer; marked RESTRICTED.
    min_count
        Suppression threshold of aggregated files.

    Returns
    -------
    bytes
    """
    check_language(lang)
    min_count = check_export(analysis, scope, restricted=restricted, min_count=min_count)
    table = hotspots_table(analysis, restricted=restricted, min_count=min_count)
    members = _members(analysis, lang=lang, restricted=restricted, min_count=min_count)
    metadata = {key: str(value) for key, value in members.items() if value is not None}
    description = f"{members['classification']} ({members['marking']}): {members['name']}"
    with tempfile.TemporaryDirectory(prefix="hotspots-gpkg-") as folder:
        path = Path(folder) / "hotspots.gpkg"
        table.to_file(
            path,
            driver="GPKG",
            layer="hotspots",
            layer_metadata=metadata,
            layer_options={"DESCRIPTION": description},
        )
        if restricted:
            incidents = _incidents_frame(analysis).drop(columns=["lon", "lat"])
            incidents.to_file(
                path,
                driver="GPKG",
                layer="incidents",
                layer_metadata=metadata,
                layer_options={"DESCRIPTION": description},
            )
        return path.read_bytes()


def hotspots_csv_bytes(
    analysis: Analysis, *, scope: Scope, restricted: bool = False, min_count: int = DEFAULT_MIN_COUNT
) -> bytes:
    """Hotspots as CSV: one row per hotspot, the outline as WKT (EPSG:4326, 6 decimals).

    Parameters
    ----------
    analysis
        Analysis result.
    scope
        The downloading user (``briefing.permissions.check_export``, else ``store.ScopeError``).
    restricted
        Exact polygons and counts; a ``classification`` column says RESTRICTED.
    min_count
        Suppression threshold of aggregated files.

    Returns
    -------
    bytes
    """
    min_count = check_export(analysis, scope, restricted=restricted, min_count=min_count)
    table = hotspots_table(analysis, restricted=restricted, min_count=min_count)
    frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    frame["geometry_wkt"] = table.geometry.to_wkt(rounding_precision=6)
    return csv_bytes(frame)


def incidents_csv_bytes(analysis: Analysis, *, scope: Scope, restricted: bool = False) -> bytes:
    """Return the period's incidents (id, time, category, source, severity, description, lon/lat).

    Parameters
    ----------
    analysis
        Analysis result.
    scope
        The downloading user: an analyst or an admin (``briefing.permissions.check_export``),
        else ``store.ScopeError``.
    restricted
        Must be True: single incidents never leave in an aggregated export.

    Returns
    -------
    bytes
        CSV with a ``classification`` column saying RESTRICTED on every row.

    Raises
    ------
    PrivacyError
        When ``restricted`` is not True.
    ScopeError
        When ``scope`` may not have restricted files, or the analysis holds incidents
        outside its districts.
    """
    if restricted is not True:
        raise PrivacyError(
            "incidents_csv_bytes writes single incidents with their descriptions; pass restricted=True "
            "to choose a RESTRICTED export deliberately, or share the aggregated hotspot and district files"
        )
    check_export(analysis, scope, restricted=True, min_count=DEFAULT_MIN_COUNT)
    frame = pd.DataFrame(_incidents_frame(analysis).drop(columns="geometry"))
    return csv_bytes(frame)


#: Hotspot file formats by suffix (``hotspots cluster --out`` and the app's downloads).
HOTSPOT_FORMATS: Final = (".geojson", ".json", ".gpkg", ".csv")


def write_hotspots(
    analysis: Analysis,
    path: str | Path,
    *,
    scope: Scope,
    lang: str = "fi",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
) -> Path:
    """Write the hotspots to ``path`` (.geojson, .json, .gpkg or .csv) through the one aggregation.

    The same bytes as the app's downloads: aggregated unless ``restricted``.

    Parameters
    ----------
    analysis
        Analysis result.
    path
        Output file; its suffix picks the format.
    scope
        The user writing it (``briefing.permissions.check_export``, else ``store.ScopeError``,
        and nothing is written).
    lang
        Language of the descriptive members.
    restricted
        Exact counts and the incidents, marked RESTRICTED.
    min_count
        Suppression threshold of aggregated files.

    Returns
    -------
    Path
        The written file.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in HOTSPOT_FORMATS:
        raise ParameterError(
            f"--out was {target.name!r} but is expected to end in one of {list(HOTSPOT_FORMATS)}"
        )
    if suffix == ".csv":
        content = hotspots_csv_bytes(analysis, scope=scope, restricted=restricted, min_count=min_count)
    else:
        make = hotspots_gpkg_bytes if suffix == ".gpkg" else hotspots_geojson_bytes
        content = make(analysis, scope=scope, lang=lang, restricted=restricted, min_count=min_count)
    return files.write_bytes_atomically(target, content)
