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
cells a spreadsheet would run as a formula are neutralised (``geo.spreadsheet``).
"""

from __future__ import annotations

import io
import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font

from briefing.privacy import (
    AGGREGATED,
    DEFAULT_MIN_COUNT,
    RESTRICTED,
    PrivacyError,
    check_min_count,
    count_column,
    mix_text,
    shareable_district_table,
    shareable_outlines,
)
from briefing.texts import (
    SOFTWARE,
    filters_text,
    format_datetime,
    is_synthetic,
    marking,
    method_text,
    period_text,
    title_text,
)
from geo import crs, files, schema
from geo import districts as district_layers
from geo.errors import DataUnavailableError, ParameterError
from geo.population import residents_by_district
from geo.spreadsheet import neutralise_cell, neutralise_frame
from hotspots import figures
from hotspots.analysis import Analysis
from hotspots.export import export_table
from i18n import check_language, hotspot_texts, t

#: Incident columns of a restricted export (besides the point geometry / lon, lat): the
#: canonical ones without coordinates and the demo flag.
INCIDENT_COLUMNS: Final = tuple(
    c for c in schema.INCIDENT_COLUMNS if c not in ("x_m", "y_m", "lon", "lat", "synthetic")
)
#: District table columns written to files, with their translation keys.
DISTRICT_COLUMNS: Final[dict[str, str]] = {
    "code": "column.code",
    "name_fi": "column.district",
    "name_sv": "column.district",
    "n": "column.incidents",
    "n_prev": "column.incidents_previous",
    "change": "column.change",
    "change_pct": "brief.column_change_pct",
    "residents": "column.residents",
    "rate_per_1000": "column.rate",
    "young_residents": "brief.column_young",
    "rate_per_1000_young": "column.rate_young",
}


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
    analysis: Analysis, *, lang: str = "fi", restricted: bool = False, min_count: int = DEFAULT_MIN_COUNT
) -> bytes:
    """Hotspots as a GeoJSON FeatureCollection (EPSG:4326), UTF-8.

    Parameters
    ----------
    analysis
        Analysis result.
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
    analysis: Analysis, *, lang: str = "fi", restricted: bool = False, min_count: int = DEFAULT_MIN_COUNT
) -> bytes:
    """Hotspots as a GeoPackage (layer ``hotspots``, EPSG:4326).

    Each layer's description and metadata (``classification``, ``marking``, ``period``) say
    what it is; restricted files add the layer ``incidents`` (points with time, category,
    source, severity, description and hotspot id).

    Parameters
    ----------
    analysis
        Analysis result.
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


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheets read it right), formula-like cells neutralised."""
    buffer = io.BytesIO()
    # object first: mapping a nullable integer column with gaps would turn 40 into "40.0"
    neutralise_frame(frame).to_csv(buffer, index=False, encoding="utf-8-sig")
    return buffer.getvalue()


def hotspots_csv_bytes(
    analysis: Analysis, *, restricted: bool = False, min_count: int = DEFAULT_MIN_COUNT
) -> bytes:
    """Hotspots as CSV: one row per hotspot, the outline as WKT (EPSG:4326, 6 decimals).

    Parameters
    ----------
    analysis
        Analysis result.
    restricted
        Exact polygons and counts; a ``classification`` column says RESTRICTED.
    min_count
        Suppression threshold of aggregated files.

    Returns
    -------
    bytes
    """
    table = hotspots_table(analysis, restricted=restricted, min_count=min_count)
    frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    frame["geometry_wkt"] = table.geometry.to_wkt(rounding_precision=6)
    return _csv_bytes(frame)


def incidents_csv_bytes(analysis: Analysis, *, restricted: bool = False) -> bytes:
    """Return the period's incidents (id, time, category, source, severity, description, lon/lat).

    Parameters
    ----------
    analysis
        Analysis result.
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
    """
    if restricted is not True:
        raise PrivacyError(
            "incidents_csv_bytes writes single incidents with their descriptions; pass restricted=True "
            "to choose a RESTRICTED export deliberately, or share the aggregated hotspot and district files"
        )
    frame = pd.DataFrame(_incidents_frame(analysis).drop(columns="geometry"))
    return _csv_bytes(frame)


# --------------------------------------------------------------------------- districts


def _district_frame(table: pd.DataFrame, *, restricted: bool, min_count: int) -> pd.DataFrame:
    shown = table if restricted else shareable_district_table(table, min_count=min_count)
    columns = [c for c in DISTRICT_COLUMNS if c in shown.columns]
    out = shown.loc[:, columns].copy()
    if "change" in out.columns:
        out["change"] = out["change"].astype("Int64")
    for column in ("change_pct", "rate_per_1000", "rate_per_1000_young"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").round(1)
    for column in ("residents", "young_residents"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").round(0).astype("Int64")
    if restricted:
        out["classification"] = RESTRICTED
    return out


def districts_csv_bytes(
    table: pd.DataFrame, *, restricted: bool = False, min_count: int = DEFAULT_MIN_COUNT
) -> bytes:
    """District figures as CSV (machine-readable column names, ``DISTRICT_COLUMNS``).

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output (or ``district_figures``); not modified.
    restricted
        Exact counts; a ``classification`` column says RESTRICTED.
    min_count
        Counts below this become ``"<min_count"``; changes and rates beside them are blanked.

    Returns
    -------
    bytes
    """
    min_count = check_min_count(min_count)
    return _csv_bytes(_district_frame(table, restricted=restricted, min_count=min_count))


def _cell(value: object) -> object:
    """Return a value openpyxl can write: missing -> empty, numpy scalars -> Python, text neutralised."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return neutralise_cell(value)


def _district_sheet(book: Workbook, frame: pd.DataFrame, *, lang: str, restricted: bool) -> None:
    """Write the figures, one row per district, under translated headers; marked in print when restricted."""
    sheet = book.create_sheet(t("brief.sheet_districts", lang)[:31])
    book.remove(book.worksheets[0])
    headers = []
    for column in frame.columns:
        key = DISTRICT_COLUMNS.get(column)
        label = t(key, lang) if key else t("brief.classification", lang)
        headers.append(f"{label} ({column[-2:]})" if column in ("name_fi", "name_sv") else label)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    if restricted:
        sheet.oddHeader.center.text = marking(lang, restricted=True)
        sheet.oddFooter.center.text = marking(lang, restricted=True)


def _about_lines(
    frame: pd.DataFrame,
    analysis: Analysis | None,
    *,
    lang: str,
    restricted: bool,
    min_count: int,
    when: pd.Timestamp,
) -> list[tuple[str, str]]:
    """Label and value of each line of the about sheet: classification, time, notes, sources."""
    classification = RESTRICTED if restricted else AGGREGATED
    lines: list[tuple[str, str]] = [
        (t("brief.classification", lang), f"{classification} – {marking(lang, restricted=restricted)}"),
        (t("brief.generated", lang, when=""), format_datetime(when, lang)),
    ]
    if restricted:
        lines.append(("", t("brief.restricted_note", lang)))
    else:
        lines.append(("", t("msg.privacy_suppressed", lang, min_count=min_count)))
    if analysis is not None:
        lines += [
            (t("brief.period", lang, period=""), period_text(analysis.selection, lang)),
            ("", filters_text(analysis.selection, lang)),
            ("", method_text(analysis.clustering, lang)),
        ]
        if is_synthetic(analysis):
            lines.append(("", t("brief.synthetic", lang)))
    lines.append((t("brief.sources", lang), t("map.attribution.districts", lang)))
    if frame.get("residents") is not None and frame["residents"].notna().any():
        lines.append(("", t("brief.source_population", lang)))
    return lines


def _workbook_properties(
    book: Workbook, analysis: Analysis | None, *, lang: str, restricted: bool, when: pd.Timestamp
) -> None:
    """Title, subject, keywords and category say what the workbook is and how it is classified."""
    classification = RESTRICTED if restricted else AGGREGATED
    title = f"{title_text(analysis.selection if analysis is not None else None, lang)} – "
    title += t("panel.district_table", lang)
    props = book.properties
    props.title = f"{marking(lang, restricted=True)} – {title}" if restricted else title
    props.subject = f"{classification}: {marking(lang, restricted=restricted)}"
    props.keywords = ", ".join([classification, marking(lang, restricted=restricted), "Helsinki"])
    props.category = classification
    props.creator = SOFTWARE
    props.created = when.tz_convert("UTC").tz_localize(None).to_pydatetime()


def districts_xlsx_bytes(
    table: pd.DataFrame,
    *,
    lang: str = "fi",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    analysis: Analysis | None = None,
    generated_at: datetime | pd.Timestamp | None = None,
) -> bytes:
    """District figures as an XLSX workbook: a table sheet and an "about" sheet.

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output; not modified.
    lang
        Language of the headers and the about sheet.
    restricted
        Exact counts; the workbook's title, subject and keywords, its print header and the
        about sheet say RESTRICTED (translated).
    min_count
        Counts below this become ``"<min_count"`` (text cells).
    analysis
        When given, the about sheet states its period, filters and method.
    generated_at
        Time stated as generated and stored as the workbook's creation time; default now.

    Returns
    -------
    bytes
    """
    check_language(lang)
    min_count = check_min_count(min_count)
    frame = _district_frame(table, restricted=restricted, min_count=min_count)
    when = pd.Timestamp.now(tz=schema.TIMEZONE) if generated_at is None else pd.Timestamp(generated_at)
    book = Workbook()
    _district_sheet(book, frame, lang=lang, restricted=restricted)
    about = book.create_sheet(t("brief.sheet_about", lang)[:31])
    lines = _about_lines(frame, analysis, lang=lang, restricted=restricted, min_count=min_count, when=when)
    for label, value in lines:
        about.append([_cell(label.strip().rstrip(":")), _cell(value)])
    _workbook_properties(book, analysis, lang=lang, restricted=restricted, when=when)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: Hotspot file formats by suffix (``hotspots cluster --out`` and the app's downloads).
HOTSPOT_FORMATS: Final = (".geojson", ".json", ".gpkg", ".csv")


def write_hotspots(
    analysis: Analysis,
    path: str | Path,
    *,
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
        content = hotspots_csv_bytes(analysis, restricted=restricted, min_count=min_count)
    elif suffix == ".gpkg":
        content = hotspots_gpkg_bytes(analysis, lang=lang, restricted=restricted, min_count=min_count)
    else:
        content = hotspots_geojson_bytes(analysis, lang=lang, restricted=restricted, min_count=min_count)
    return files.write_bytes_atomically(target, content)
