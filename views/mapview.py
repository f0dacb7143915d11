"""The map: districts coloured by a value, hotspots by rank, incidents as points or density.

``build_map`` is pure (no Streamlit) and returns a ``folium.Map`` whose every script and
stylesheet is one of the app's own files (``views.assets``). Inputs are in EPSG:3067
metres; the map reprojects to WGS84 itself. Every text that reaches the page (names,
labels, categories, descriptions) is HTML-escaped here, because Leaflet puts popup and
tooltip content into the page as HTML.
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
from folium.elements import MacroElement
from folium.template import Template
from numpy.typing import NDArray

import i18n
from geo import crs, schema
from geo.errors import ParameterError
from i18n import t
from views.assets import AssetUrls, localise_map, package_asset_urls

#: Helsinki's mainland and inner islands in EPSG:3067 (minx, miny, maxx, maxy): the default view.
HELSINKI_BOUNDS_M: Final = (377_000.0, 6_665_000.0, 404_000.0, 6_686_000.0)
#: Sequential colours for the district values (light = low).
DISTRICT_COLOURS: Final = ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")
#: Sequential colours for incident density cells.
DENSITY_COLOURS: Final = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR: Final = "#c8c8c8"
#: Hotspot fill from the top rank to the last: red, orange, yellow.
HOTSPOT_COLOURS: Final = ("#d7191c", "#fd8d3c", "#ffe44d")
BACKGROUND_COLOUR: Final = "#eef1f3"
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

_HOTSPOT_COLUMNS: Final = ("id", "rank", "n")
_CSS: Final = """
.hs-legend { background: rgba(255,255,255,0.92); padding: 6px 9px; font: 12px/1.35 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35); max-width: 240px; color: #222; }
.hs-legend h4 { margin: 4px 0 3px; font-size: 12px; }
.hs-legend .hs-row { display: flex; align-items: center; gap: 6px; }
.hs-legend .hs-swatch { width: 16px; height: 11px; border: 1px solid #777; flex: none; }
.hs-legend .hs-ramp { height: 10px; border: 1px solid #777; margin: 2px 0; }
.hs-legend .hs-ends { display: flex; justify-content: space-between; gap: 8px; }
.hs-rank-icon { background: none; border: none; }
.hs-rank { width: 24px; height: 24px; border-radius: 12px; background: #fff; border: 2px solid #7a0000;
  color: #7a0000; font: bold 12px/24px sans-serif; text-align: center; box-sizing: border-box;
  line-height: 20px; box-shadow: 0 1px 3px rgba(0,0,0,0.4); }
.hs-popup th { text-align: left; padding-right: 8px; vertical-align: top; font-weight: 600; }
.hs-popup td { vertical-align: top; }
"""


class MapInputError(ParameterError):
    """A frame given to the map lacks a column, has the wrong type or no CRS."""


class _MapDecor(MacroElement):
    """Page CSS, the map's background colour and the legend as a Leaflet control."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.getContainer().style.background = {{ this.background|tojson }};
            {%- if this.legend %}
            var {{ this.get_name() }} = L.control({position: "bottomright"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "hs-legend");
                div.innerHTML = {{ this.legend|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, css: str, legend: str, background: str) -> None:
        super().__init__()
        self._name = "MapDecor"
        self.css = css
        self.legend = legend
        self.background = background


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


def _metric_frame(frame: object, name: str, required: Sequence[str]) -> gpd.GeoDataFrame:
    """``frame`` as a new GeoDataFrame in EPSG:3067, after checking its columns and CRS."""
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


def _district_layer(
    districts: gpd.GeoDataFrame, value_column: str, value_label: str, lang: str
) -> tuple[folium.GeoJson | None, str]:
    """Return the choropleth layer and its legend section."""
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
    for i, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom):
            continue
        value = numbers[i]
        shown = no_data if not np.isfinite(value) else i18n.format_number(value, lang, decimals=decimals)
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


def _hotspot_layers(
    hotspots: gpd.GeoDataFrame, lang: str, selected: str | None
) -> tuple[folium.GeoJson | None, folium.FeatureGroup | None, str]:
    """Hotspot polygons, their rank labels and the legend section."""
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
        lon, lat = anchors[i]
        folium.Marker(
            location=[float(lat), float(lon)],
            icon=folium.DivIcon(
                html=f'<div class="hs-rank">{rank}</div>',
                icon_size=(24, 24),
                icon_anchor=(12, 12),
                class_name="hs-rank-icon",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(labels)
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.hotspots", lang)),
        style_function=_styled(styles),
        highlight_function=lambda feature: {"weight": 4, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=340),
    )
    ramp = ", ".join(HOTSPOT_COLOURS)
    legend = (
        f"<h4>{escape(t('map.legend.hotspots', lang))}</h4>"
        f'<div class="hs-ramp" style="background: linear-gradient(to right, {ramp})"></div>'
        f'<div class="hs-ends"><span>{escape(t("map.legend.rank_top", lang))}</span>'
        f"<span>{escape(t('map.legend.rank_last', lang, rank=int(high)))}</span></div>"
    )
    return layer, labels, legend


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
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    cell_m: float,
    min_count: int,
    lang: str,
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


def _check_bounds(bounds_m: Sequence[float]) -> tuple[float, float, float, float]:
    values = tuple(float(v) for v in bounds_m)
    if len(values) != 4 or not all(np.isfinite(values)) or values[0] >= values[2] or values[1] >= values[3]:
        raise MapInputError(
            f"bounds_m must be (minx, miny, maxx, maxy) in EPSG:3067 metres with min < max, got {bounds_m!r}"
        )
    return values[0], values[1], values[2], values[3]


def _latlon_box(bounds_m: tuple[float, float, float, float]) -> list[list[float]]:
    x0, y0, x1, y1 = bounds_m
    lon, lat = crs.to_wgs84([x0, x0, x1, x1], [y0, y1, y0, y1])
    return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]


def build_map(
    *,
    districts: gpd.GeoDataFrame,
    value_column: str,
    value_label: str,
    hotspots: gpd.GeoDataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    tiles_url: str | None = None,
    tiles_attribution: str = "",
    selected_hotspot: str | None = None,
    bounds_m: tuple[float, float, float, float] | None = None,
    exact_points_max: int = 2000,
    density_cell_m: float = 250.0,
    min_cell_count: int = 5,
    asset_urls: AssetUrls | None = None,
) -> folium.Map:
    """Build the hotspot map: districts by value, hotspots by rank, incidents.

    Parameters
    ----------
    districts
        EPSG:3067 districts with ``code``, ``name_fi``, ``name_sv``, geometry and ``value_column``.
    value_column
        Numeric column that colours the districts; None/NaN draws grey "no data".
    value_label
        Already translated name of the value (legend and tooltips).
    hotspots
        EPSG:3067 hotspot polygons with ``id``, ``rank``, ``n`` and optionally
        ``top_category``, ``categories``, ``peak_windows``, ``trend`` or ``status``,
        ``recommendation`` (strings); rank 1 is drawn red, the last yellow.
    incidents
        Incidents with ``x_m``/``y_m`` (or ``lon``/``lat``) and optionally ``category``,
        ``occurred_at``, ``description``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (English uses the Finnish district names).
    tiles_url
        XYZ tile URL template; empty or None draws no basemap.
    tiles_attribution
        Attribution of the tiles (HTML allowed: it is the deployer's configuration);
        required with ``tiles_url``.
    selected_hotspot
        Hotspot ``id`` to outline and zoom to; an id not on the map is ignored.
    bounds_m
        ``(minx, miny, maxx, maxy)`` in EPSG:3067 to zoom to; wins over ``selected_hotspot``.
    exact_points_max
        Up to this many incidents are drawn as points with popups; more are drawn as
        counts per grid cell (no descriptions, small page).
    density_cell_m
        Side of a density cell in metres.
    min_cell_count
        Cells with fewer incidents are not drawn (they would locate lone incidents).
    asset_urls
        Where the browser loads Leaflet and the rest; default :func:`views.assets.package_asset_urls`.

    Returns
    -------
    folium.Map
        A map whose scripts and stylesheets are all the app's own files.

    Raises
    ------
    MapInputError
        A frame lacks a column, has no CRS or non-numeric values; a parameter is out of range.
    """
    i18n.check_language(lang)
    if exact_points_max < 0:
        raise MapInputError(f"exact_points_max must be >= 0, got {exact_points_max}")
    if not density_cell_m > 0:
        raise MapInputError(f"density_cell_m must be > 0 metres, got {density_cell_m}")
    if min_cell_count < 1:
        raise MapInputError(f"min_cell_count must be >= 1, got {min_cell_count}")
    if tiles_url and not tiles_attribution.strip():
        raise MapInputError(
            "tiles_attribution must name the tile provider when tiles_url is set "
            "(e.g. '© OpenStreetMap contributors'); tile licences require it"
        )
    metric_districts = _metric_frame(districts, "districts", ("name_fi", "name_sv", value_column))
    metric_hotspots = _metric_frame(hotspots, "hotspots", _HOTSPOT_COLUMNS) if hotspots is not None else None

    if bounds_m is not None:
        view = _check_bounds(bounds_m)
    else:
        view = HELSINKI_BOUNDS_M
        if selected_hotspot is not None and metric_hotspots is not None:
            chosen = metric_hotspots[metric_hotspots["id"].astype(str) == str(selected_hotspot)]
            if not chosen.empty and not chosen.geometry.is_empty.all():
                x0, y0, x1, y1 = chosen.geometry.total_bounds
                view = (x0 - 250.0, y0 - 250.0, x1 + 250.0, y1 + 250.0)
    box = _latlon_box(view)
    centre = [(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2]

    m = folium.Map(location=centre, zoom_start=11, tiles=None, control_scale=True, prefer_canvas=True)
    if tiles_url:
        folium.TileLayer(
            tiles=tiles_url, attr=tiles_attribution, name=escape(t("map.layer.basemap", lang)), overlay=False
        ).add_to(m)

    legends: list[str] = []
    district_layer, legend = _district_layer(metric_districts, value_column, value_label, lang)
    if district_layer is not None:
        district_layer.add_to(m)
    legends.append(legend)

    if incidents is not None and len(incidents) > 0:
        x, y = _incident_xy(incidents)
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() <= exact_points_max:
            rows = incidents.loc[keep].reset_index(drop=True)
            if len(rows):
                _point_layer(rows, x[keep], y[keep], lang).add_to(m)
        else:
            density, legend = _density_layer(
                x[keep], y[keep], cell_m=density_cell_m, min_count=min_cell_count, lang=lang
            )
            if density is not None:
                density.add_to(m)
            legends.append(legend)

    if metric_hotspots is not None:
        layer, labels, legend = _hotspot_layers(
            metric_hotspots, lang, None if selected_hotspot is None else str(selected_hotspot)
        )
        if layer is not None and labels is not None:
            layer.add_to(m)
            labels.add_to(m)
        legends.append(legend)

    m.fit_bounds(box)
    folium.LayerControl(collapsed=True).add_to(m)
    _MapDecor(
        css=_CSS,
        legend="".join(part for part in legends if part),
        background=BACKGROUND_COLOUR,
    ).add_to(m)
    return localise_map(m, asset_urls if asset_urls is not None else package_asset_urls())
