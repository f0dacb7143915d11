"""The map's layers: districts coloured by a value, hotspots by rank, incidents as points or density.

Each layer function is pure: it takes EPSG:3067 frames and returns a ``folium`` layer with
its legend section, the geometries reprojected to rounded WGS84 degrees. Every text that
reaches the page (names, labels, categories, descriptions) is HTML-escaped here, because
Leaflet puts popup and tooltip content into the page as HTML. ``views.mapview`` puts the
layers together into one map.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from numpy.typing import NDArray

import i18n
from geo import crs, schema
from geo.errors import ParameterError
from i18n import t

#: Sequential colours for the district values (light = low).
DISTRICT_COLOURS: Final = ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")
#: Sequential colours for incident density cells.
DENSITY_COLOURS: Final = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR: Final = "#c8c8c8"
#: Hotspot fill from the top rank to the last: red, orange, yellow.
HOTSPOT_COLOURS: Final = ("#d7191c", "#fd8d3c", "#ffe44d")
CATEGORY_COLOURS: Final[dict[str, str]] = dict(
    zip(
        schema.CATEGORIES,
        (
            "#e41a1c",
            "#ff7f00",
            "#984ea3",
            "#a65628",
            "#377eb8",
            "#000000",
            "#4daf4a",
            "#f781bf",
            "#999999",
            "#666666",
        ),
        strict=True,
    )
)
#: Tolerance of the district and hotspot outline simplification: invisible at city zoom.
SIMPLIFY_M: Final = 5.0
#: Decimals of the degrees written to the page (1e-6 degree is about 0.1 m).
COORD_DECIMALS: Final = 6
N_CLASSES: Final = 5
#: A district's text the tooltip shows instead of its value when given (a count held back as "<5").
VALUE_TEXT_COLUMN: Final = "value_text"


class MapInputError(ParameterError):
    """A frame given to the map lacks a column, has the wrong type or no CRS."""


def escape(value: object) -> str:
    """HTML-escape ``value`` for a popup, tooltip or legend.

    Beyond ``html.escape`` it also encodes ``$``, backticks and backslashes, so the text
    is inert even where folium places HTML inside a JavaScript template literal.

    Parameters
    ----------
    value
        Any value; it is converted with ``str`` first.

    Returns
    -------
    str
        Text safe to place into HTML.
    """
    text = html.escape(str(value), quote=True)
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """Popup HTML from already-escaped title and cells."""
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<div class="hs-popup"><b>{title}</b><table>{body}</table></div>'


def metric_frame(frame: object, name: str, required: Sequence[str]) -> gpd.GeoDataFrame:
    """Return ``frame`` as a new GeoDataFrame in EPSG:3067, after checking its columns and CRS.

    Parameters
    ----------
    frame
        What the caller was given (checked to be a GeoDataFrame).
    name
        The argument's name, for the error message.
    required
        Columns the frame must have.

    Returns
    -------
    GeoDataFrame
        A reprojected copy; ``frame`` itself is not changed.

    Raises
    ------
    MapInputError
        Not a GeoDataFrame, a column missing or no CRS.
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise MapInputError(f"{name} must be a GeoDataFrame, got {type(frame).__name__}")
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise MapInputError(f"{name} lacks the columns {missing}; it has {list(frame.columns)}")
    if frame.crs is None:
        raise MapInputError(f"{name} has no CRS; set it (EPSG:3067 metres) with .set_crs(3067)")
    return frame.to_crs(crs.METRIC)


def _lonlat(coords: NDArray[np.float64]) -> NDArray[np.float64]:
    lon, lat = crs.to_wgs84(coords[:, 0], coords[:, 1])
    return np.asarray(np.round(np.column_stack([lon, lat]), COORD_DECIMALS), dtype=np.float64)


def _geometries_wgs84(geoms: NDArray[np.object_], *, simplify_m: float) -> NDArray[np.object_]:
    """Simplify in metres, then reproject to rounded lon/lat (all geometries in one call)."""
    if simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    return np.asarray(shapely.transform(geoms, _lonlat), dtype=object)


def _feature(fid: str, geom: shapely.Geometry, properties: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": fid,
        "properties": properties,
        "geometry": shapely.geometry.mapping(geom),
    }


def _styled(styles: Mapping[str, dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return dict(styles[feature["id"]])

    return style


def _classes(values: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Quantile classes of the finite values: class index per value (-1 for NaN), class edges."""
    finite = values[np.isfinite(values)]
    index = np.full(values.shape, -1, dtype=np.int64)
    if finite.size == 0:
        return index, np.empty(0)
    edges = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, N_CLASSES + 1), method="nearest"))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    ok = np.isfinite(values)
    cls = np.searchsorted(edges[1:-1], values[ok], side="right")
    index[ok] = np.minimum(cls, edges.size - 2)
    return index, edges


def _palette(colours: Sequence[str], k: int) -> list[str]:
    """``k`` colours spread over a sequential palette (light to dark)."""
    if k <= 0:
        return []
    if k == 1:
        return [colours[len(colours) // 2]]
    picks = np.round(np.linspace(0, len(colours) - 1, k)).astype(int)
    return [colours[i] for i in picks]


def _rank_colour(fraction: float) -> str:
    """Red for 0 (the top rank) through orange to yellow for 1 (the last)."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in HOTSPOT_COLOURS], dtype=float)
    x = np.linspace(0.0, 1.0, len(HOTSPOT_COLOURS))
    mixed = [round(float(np.interp(fraction, x, rgb[:, j]))) for j in range(3)]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def _decimals(values: NDArray[np.float64]) -> int:
    finite = values[np.isfinite(values)]
    return 0 if finite.size == 0 or np.all(finite == np.round(finite)) else 1


def _legend_classes(
    title: str, edges: NDArray[np.float64], colours: list[str], lang: str, decimals: int
) -> str:
    rows = [f"<h4>{escape(title)}</h4>"]
    for i, colour in enumerate(colours):
        low = i18n.format_number(float(edges[i]), lang, decimals=decimals)
        high = i18n.format_number(float(edges[i + 1]), lang, decimals=decimals)
        text = low if low == high else f"{low} – {high}"
        rows.append(
            f'<div class="hs-row"><span class="hs-swatch" style="background:{colour}"></span>'
            f"{escape(text)}</div>"
        )
    return "".join(rows)


def _legend_row(colour: str, text: str) -> str:
    return (
        f'<div class="hs-row"><span class="hs-swatch" style="background:{colour}"></span>{escape(text)}</div>'
    )


def choropleth_layer(
    districts: gpd.GeoDataFrame, value_column: str, value_label: str, lang: str
) -> tuple[folium.GeoJson | None, str]:
    """Return the districts coloured by quantile classes of a value, and the legend section.

    Parameters
    ----------
    districts
        EPSG:3067 districts with ``name_fi``, ``name_sv``, geometry and ``value_column``.
    value_column
        Numeric column; None/NaN draws grey "no data". An optional ``VALUE_TEXT_COLUMN``
        gives the tooltip's text instead of the number (escaped).
    value_label
        Already translated name of the value (legend and tooltips).
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (English uses the Finnish names).

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when no district has a geometry) and the legend's HTML.

    Raises
    ------
    MapInputError
        ``value_column`` holds something other than numbers.
    """
    try:
        values = pd.to_numeric(districts[value_column], errors="raise")
    except (ValueError, TypeError) as exc:
        raise MapInputError(
            f"districts[{value_column!r}] must hold numbers (or None for no data): {exc}"
        ) from exc
    numbers: NDArray[np.float64] = np.asarray(
        pd.Series(values, index=districts.index).astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        dtype=np.float64,
    )
    index, edges = _classes(numbers)
    colours = _palette(DISTRICT_COLOURS, max(edges.size - 1, 0))
    decimals = _decimals(numbers)
    name_column = "name_sv" if lang == "sv" else "name_fi"
    geoms = _geometries_wgs84(np.asarray(districts.geometry.values), simplify_m=SIMPLIFY_M)
    no_data = t("map.no_data", lang)
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    names = districts[name_column].tolist()
    given = districts[VALUE_TEXT_COLUMN] if VALUE_TEXT_COLUMN in districts.columns else None
    texts = [None] * len(districts) if given is None else given.astype(object).where(given.notna()).tolist()
    for i, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom):
            continue
        value = numbers[i]
        shown = no_data if not np.isfinite(value) else i18n.format_number(value, lang, decimals=decimals)
        text = texts[i]
        if isinstance(text, str) and text:
            shown = text
        fid = f"d{i}"
        tip = f"<b>{escape(names[i])}</b><br>{escape(value_label)}: {escape(shown)}"
        features.append(_feature(fid, geom, {"tip": tip}))
        fill = colours[index[i]] if index[i] >= 0 else NO_DATA_COLOUR
        styles[fid] = {"fillColor": fill, "color": "#4a5560", "weight": 1, "fillOpacity": 0.55}
    legend = ""
    if colours:
        legend = _legend_classes(value_label, edges, colours, lang, decimals)
    if np.any(~np.isfinite(numbers)):
        legend += ("" if legend else f"<h4>{escape(value_label)}</h4>") + _legend_row(NO_DATA_COLOUR, no_data)
    if not features:
        return None, legend
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.districts", lang, value_label=value_label)),
        style_function=_styled(styles),
        highlight_function=lambda feature: {"weight": 3, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        attribution=escape(t("map.attribution.districts", lang)),
    )
    return layer, legend


def _hotspot_popup(row: pd.Series, rank: int, lang: str) -> str:
    rows: list[tuple[str, str]] = [
        (escape(t("popup.rank", lang)), escape(rank)),
        (escape(t("popup.incidents", lang)), escape(i18n.format_number(float(row["n"]), lang))),
    ]
    optional = [
        ("top_category", "popup.top_category"),
        ("categories", "popup.category_mix"),
        ("peak_windows", "popup.peak_windows"),
        ("trend", "popup.trend"),
        ("status", "popup.trend"),
        ("recommendation", "popup.recommendation"),
    ]
    shown_keys: set[str] = set()
    for column, key in optional:
        if column not in row.index or key in shown_keys or _is_missing(row[column]):
            continue
        value = row[column]
        if column == "top_category":
            value = i18n.category_label(str(value), lang)
        elif isinstance(value, Mapping):  # a category mix {category: count}: words, not a dict
            value = ", ".join(
                f"{i18n.category_label(str(name), lang)} {i18n.format_number(float(count), lang)}"
                for name, count in value.items()
            )
        rows.append((escape(t(key, lang)), escape(value)))
        shown_keys.add(key)
    return _table(escape(t("popup.hotspot", lang, rank=rank)), rows)


#: Hotspots whose rank is written on the map (the chosen one always is).
LABELLED_RANKS: Final = 30


def _rank_label(rank: int, lonlat: NDArray[np.float64]) -> folium.Marker:
    """Return the rank as written on the map, at a point inside its hotspot."""
    lon, lat = lonlat
    return folium.Marker(
        location=[float(lat), float(lon)],
        icon=folium.DivIcon(
            html=f'<div class="hs-rank">{rank}</div>',
            icon_size=(24, 24),
            icon_anchor=(12, 12),
            class_name="hs-rank-icon",
        ),
        interactive=False,
        keyboard=False,
    )


def _rank_legend(last_rank: int, lang: str) -> str:
    """Return the legend's hotspot section: the colour ramp from the top rank to the last."""
    ramp = ", ".join(HOTSPOT_COLOURS)
    return (
        f"<h4>{escape(t('map.legend.hotspots', lang))}</h4>"
        f'<div class="hs-ramp" style="background: linear-gradient(to right, {ramp})"></div>'
        f'<div class="hs-ends"><span>{escape(t("map.legend.rank_top", lang))}</span>'
        f"<span>{escape(t('map.legend.rank_last', lang, rank=last_rank))}</span></div>"
    )


def hotspot_layers(
    hotspots: gpd.GeoDataFrame, lang: str, selected: str | None
) -> tuple[folium.GeoJson | None, folium.FeatureGroup | None, str]:
    """Return the hotspot polygons coloured by rank, their rank labels and the legend section.

    Parameters
    ----------
    hotspots
        EPSG:3067 hotspots with ``id``, ``rank``, ``n`` and optionally ``top_category``,
        ``categories``, ``peak_windows``, ``trend`` or ``status``, ``recommendation``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    selected
        Hotspot ``id`` drawn with a heavier outline and always labelled.

    Returns
    -------
    tuple[folium.GeoJson | None, folium.FeatureGroup | None, str]
        Polygons with popups, labels of the top ``LABELLED_RANKS`` (both None when no
        hotspot has a geometry) and the legend's HTML.

    Raises
    ------
    MapInputError
        A rank is not a whole number.
    """
    frame = hotspots[~(hotspots.geometry.isna() | hotspots.geometry.is_empty)]
    if frame.empty:
        return None, None, ""
    ranks = pd.to_numeric(frame["rank"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(ranks)):
        bad = frame["rank"].iloc[int(np.flatnonzero(~np.isfinite(ranks))[0])]
        raise MapInputError(f"hotspots['rank'] must be whole numbers (1 = top), got {bad!r}")
    order = np.argsort(-ranks, kind="stable")  # top rank drawn last, on top
    frame, ranks = frame.iloc[order], ranks[order]
    low, high = float(np.min(ranks)), float(np.max(ranks))
    geoms = np.asarray(frame.geometry.values)
    drawn = _geometries_wgs84(geoms, simplify_m=min(SIMPLIFY_M, 2.0))
    anchors = shapely.get_coordinates(_geometries_wgs84(shapely.point_on_surface(geoms), simplify_m=0))
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    labels = folium.FeatureGroup(name=escape(t("map.layer.hotspot_labels", lang)))
    for i, ((_, row), geom) in enumerate(zip(frame.iterrows(), drawn, strict=True)):
        rank = int(row["rank"])
        fid = f"h{i}"
        fraction = 0.0 if high == low else (rank - low) / (high - low)
        is_selected = selected is not None and str(row["id"]) == selected
        popup = _hotspot_popup(row, rank, lang)
        tip = escape(t("popup.hotspot", lang, rank=rank))
        features.append(_feature(fid, geom, {"tip": tip, "popup": popup, "hotspot_id": escape(row["id"])}))
        styles[fid] = {
            "fillColor": _rank_colour(fraction),
            "color": "#000000" if is_selected else "#7a0000",
            "weight": 4 if is_selected else 2,
            "fillOpacity": 0.6,
        }
        if rank > LABELLED_RANKS and not is_selected:
            continue  # the long tail stays unlabelled: numbers would bury the map
        _rank_label(rank, anchors[i]).add_to(labels)
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.hotspots", lang)),
        style_function=_styled(styles),
        highlight_function=lambda feature: {"weight": 4, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=340),
    )
    return layer, labels, _rank_legend(int(high), lang)


def _incident_xy(incidents: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """EPSG:3067 metres of each incident (``x_m``/``y_m``, else ``lon``/``lat``)."""
    if {"x_m", "y_m"} <= set(incidents.columns):
        return (
            pd.to_numeric(incidents["x_m"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            pd.to_numeric(incidents["y_m"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
        )
    if {"lon", "lat"} <= set(incidents.columns):
        lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lat = pd.to_numeric(incidents["lat"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return crs.to_metric(lon, lat, src=crs.WGS84)
    raise MapInputError(
        f"incidents need x_m/y_m (EPSG:3067) or lon/lat columns; they have {list(incidents.columns)}"
    )


def _times(incidents: pd.DataFrame) -> list[str]:
    if "occurred_at" not in incidents.columns:
        return ["" for _ in range(len(incidents))]
    column = incidents["occurred_at"]
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_convert(schema.TIMEZONE)
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d %H:%M")
        return ["" if _is_missing(v) else str(v) for v in text]
    return ["" if _is_missing(v) else str(v) for v in column]


def _point_layer(
    incidents: pd.DataFrame, x: NDArray[np.float64], y: NDArray[np.float64], lang: str
) -> folium.GeoJson:
    """One CircleMarker per incident; the popup shows category, time and description, escaped."""
    lon, lat = crs.to_wgs84(x, y)
    lon, lat = np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)
    n = len(incidents)

    def texts(column: str) -> list[str]:
        if column not in incidents.columns:
            return [""] * n
        return ["" if _is_missing(v) else str(v) for v in incidents[column]]

    categories, descriptions, times = texts("category"), texts("description"), _times(incidents)
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    for i in range(n):
        fid = f"p{i}"
        # Short keys: the popup table is built in the browser from these (already escaped) texts.
        properties = {
            "k": escape(i18n.category_label(categories[i], lang)) if categories[i] else "–",
            "t": escape(times[i]),
            "d": escape(descriptions[i]),
        }
        features.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": properties,
                "geometry": {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]},
            }
        )
        colour = CATEGORY_COLOURS.get(categories[i], "#555555")
        styles[fid] = {"color": "#ffffff", "weight": 1, "fillColor": colour, "fillOpacity": 0.85}
    aliases = [escape(t(key, lang)) for key in ("popup.category", "popup.time", "popup.description")]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.incidents", lang)),
        style_function=_styled(styles),
        marker=folium.CircleMarker(radius=5, fill=True),
        popup=folium.GeoJsonPopup(fields=["k", "t", "d"], aliases=aliases, max_width=320, localize=False),
    )


def _density_layer(
    x: NDArray[np.float64], y: NDArray[np.float64], *, cell_m: float, min_count: int, lang: str
) -> tuple[folium.GeoJson | None, str]:
    """Count incidents per square cell (aligned to multiples of ``cell_m`` in EPSG:3067).

    Cells with the same count form one MultiPolygon feature, which keeps the page small;
    cells with fewer than ``min_count`` incidents are not drawn (the legend says so).
    """
    ix = np.floor(x / cell_m).astype(np.int64)
    iy = np.floor(y / cell_m).astype(np.int64)
    cells, counts = np.unique(np.column_stack([ix, iy]), axis=0, return_counts=True)
    if cells.size == 0:
        return None, ""
    boxes = shapely.box(
        cells[:, 0] * cell_m, cells[:, 1] * cell_m, (cells[:, 0] + 1) * cell_m, (cells[:, 1] + 1) * cell_m
    )
    boxes = _geometries_wgs84(np.asarray(boxes), simplify_m=0)
    shown = counts >= min_count
    index, edges = _classes(counts[shown].astype(float))
    colours = _palette(DENSITY_COLOURS, max(edges.size - 1, 0))
    label = t("map.cell_count", lang)
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    base = {"color": "#ffffff", "weight": 0.5, "fillOpacity": 0.7}
    # Cells below the threshold are not drawn: a shaded "<5" cell would mark a lone incident.
    shown_counts = counts[shown]
    shown_boxes = boxes[shown]
    for value in np.unique(shown_counts):
        members = shown_counts == value
        fid = f"c{int(value)}"
        text = f"{label}: {i18n.format_number(float(value), lang)}"
        features.append(_feature(fid, shapely.multipolygons(shown_boxes[members]), {"tip": escape(text)}))
        styles[fid] = {**base, "fillColor": colours[int(index[np.flatnonzero(members)[0]])]}
    legend = ""
    if colours:
        legend = _legend_classes(t("map.legend.density", lang), edges, colours, lang, 0)
    if np.any(~shown):
        if not legend:
            legend = f"<h4>{escape(t('map.legend.density', lang))}</h4>"
        legend += f"<div>{escape(t('map.legend.suppressed', lang, min_count=min_count))}</div>"
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.density", lang, cell_m=i18n.format_number(cell_m, lang))),
        style_function=_styled(styles),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    )
    return layer, legend


def incident_layer(
    incidents: pd.DataFrame, *, lang: str, exact_points_max: int, cell_m: float, min_count: int
) -> tuple[folium.GeoJson | None, str]:
    """Return the incidents as points with popups, or as counts per grid cell when there are many.

    Parameters
    ----------
    incidents
        Incidents with ``x_m``/``y_m`` (or ``lon``/``lat``) and optionally ``category``,
        ``occurred_at``, ``description``; rows without coordinates are left out.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    exact_points_max
        Up to this many incidents are points with popups; more are counts per square cell
        (no descriptions, small page).
    cell_m
        Side of a density cell in metres (cells aligned to multiples of it in EPSG:3067).
    min_count
        Cells with fewer incidents are not drawn (they would locate lone incidents).

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when nothing is drawn) and the legend's HTML ("" for points).

    Raises
    ------
    MapInputError
        The incidents have neither ``x_m``/``y_m`` nor ``lon``/``lat``.
    """
    x, y = _incident_xy(incidents)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() <= exact_points_max:
        rows = incidents.loc[keep].reset_index(drop=True)
        return (_point_layer(rows, x[keep], y[keep], lang) if len(rows) else None), ""
    return _density_layer(x[keep], y[keep], cell_m=cell_m, min_count=min_count, lang=lang)
