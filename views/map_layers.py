"""The map's lead layers, hotspots by rank and incidents as dots, and the helpers every layer shares.

Each layer function is pure: it takes EPSG:3067 frames and returns a layer with its legend
section, the geometries reprojected to rounded WGS84 degrees. Every text that reaches the
page (names, labels, categories, descriptions) is HTML-escaped here, because Leaflet puts
popup and tooltip content into the page as HTML; a value that is a mapping or a list is
written out as words, never as Python's ``{...}``. ``views.map_areas`` draws the geography
under them and ``views.mapview`` puts the layers together into one map.
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
from views.map_elements import HotspotLayer

#: Hotspot fill from the top rank to the last: red, orange, yellow.
HOTSPOT_COLOURS: Final = ("#d7191c", "#fd8d3c", "#ffe44d")
HOTSPOT_OUTLINE: Final = "#7a0000"
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
#: Decimals of the degrees written to the page (1e-6 degree is about 0.1 m).
COORD_DECIMALS: Final = 6
#: Hotspots numbered at every zoom; the others' numbers appear from ``DETAIL_ZOOM`` on.
LABELLED_RANKS: Final = 30
DETAIL_ZOOM: Final = 14
#: Categories listed in a hotspot's popup.
POPUP_CATEGORIES: Final = 3
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
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


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


def geometries_wgs84(geoms: NDArray[np.object_], *, simplify_m: float) -> NDArray[np.object_]:
    """Simplify EPSG:3067 geometries in metres, then reproject them to rounded lon/lat (one call for all).

    Parameters
    ----------
    geoms
        Geometries in EPSG:3067.
    simplify_m
        Tolerance in metres (0 for none); topology is preserved.

    Returns
    -------
    ndarray of shapely geometries
        In WGS84 degrees, rounded to ``COORD_DECIMALS``.
    """
    if simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    return np.asarray(shapely.transform(geoms, _lonlat), dtype=object)


def feature(fid: str, geom: shapely.Geometry, properties: dict[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON feature with an id (folium styles features by id)."""
    return {
        "type": "Feature",
        "id": fid,
        "properties": properties,
        "geometry": shapely.geometry.mapping(geom),
    }


def styled(styles: Mapping[str, dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a folium style function that looks each feature's style up by its id."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return dict(styles[feature["id"]])

    return style


def _words(value: object, lang: str) -> str:
    """Return a popup value as words: a category mix ``{category: n}`` by its largest, a list joined."""
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda item: -float(item[1]))[:POPUP_CATEGORIES]
        return ", ".join(
            f"{i18n.category_label(str(k), lang)} {i18n.format_number(float(n), lang)}" for k, n in items
        )
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    return str(value)


def hotspot_popup(row: pd.Series, rank: int, lang: str) -> tuple[str, list[list[str]]]:
    """Return a hotspot popup's title and rows of what is known, escaped, in ``lang``.

    The browser writes them into a table (``views.map_elements.HotspotLayer``): the page
    carries each label once and no markup per hotspot.

    Parameters
    ----------
    row
        One hotspot: ``n`` and optionally ``place``, ``district``, ``top_category``,
        ``categories`` (a mix ``{category: n}`` or text), ``peak_windows``, ``trend`` or
        ``status``, ``recommendation``.
    rank
        Its rank.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    tuple[str, list[list[str]]]
        The title and ``[key, value]`` rows, the key one of ``POPUP_KEYS``; escaped HTML.
    """
    where = next(
        (str(row[c]) for c in ("place", "district") if c in row.index and not _is_missing(row[c])), ""
    )
    title = t("popup.hotspot", lang, rank=rank) + (f" · {where}" if where else "")
    rows = [["popup.incidents", i18n.format_number(float(row["n"]), lang)]]
    shown: set[str] = set()
    for column, key in POPUP_COLUMNS:
        if column not in row.index or key in shown or _is_missing(row[column]):
            continue
        if column == "district" and row[column] == where:
            continue
        value = row[column]
        text = i18n.category_label(str(value), lang) if column == "top_category" else _words(value, lang)
        rows.append([key, text])
        shown.add(key)
    return escape(title), [[key, escape(value)] for key, value in rows]


#: Popup rows after the count: the hotspot's column and the row's catalogue key, in order.
POPUP_COLUMNS: Final = (
    ("district", "popup.district"),
    ("top_category", "popup.top_category"),
    ("categories", "popup.category_mix"),
    ("peak_windows", "popup.peak_windows"),
    ("trend", "popup.trend"),
    ("status", "popup.trend"),
    ("recommendation", "popup.recommendation"),
)
POPUP_KEYS: Final = ("popup.incidents", *dict.fromkeys(key for _, key in POPUP_COLUMNS))


def _rank_colour(fraction: float) -> str:
    """Red for 0 (the top rank) through orange to yellow for 1 (the last)."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in HOTSPOT_COLOURS], dtype=float)
    x = np.linspace(0.0, 1.0, len(HOTSPOT_COLOURS))
    mixed = [round(float(np.interp(fraction, x, rgb[:, j]))) for j in range(3)]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def _rank_legend(last_rank: int, lang: str) -> str:
    """Return the legend's hotspot section: the colour ramp from the top rank to the last."""
    ramp = ", ".join(HOTSPOT_COLOURS)
    return (
        f"<h4>{escape(t('map.legend.hotspots', lang))}</h4>"
        f'<div class="hs-ramp" style="background: linear-gradient(to right, {ramp})"></div>'
        f'<div class="hs-ends"><span>{escape(t("map.legend.rank_top", lang))}</span>'
        f"<span>{escape(t('map.legend.rank_last', lang, rank=last_rank))}</span></div>"
        f'<div class="hs-muted">{escape(t("map.legend.hotspot_click", lang))}</div>'
    )


def hotspot_layer(hotspots: gpd.GeoDataFrame, lang: str) -> tuple[HotspotLayer | None, str]:
    """Return the hotspots (polygons coloured by rank, popups, numbers) and the legend section.

    Parameters
    ----------
    hotspots
        EPSG:3067 hotspots with ``id``, ``rank``, ``n`` and the optional popup columns of
        :func:`hotspot_popup`.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    tuple[HotspotLayer | None, str]
        The layer (None when no hotspot has a geometry) and the legend's HTML. The top
        ``LABELLED_RANKS`` are numbered at every zoom, the rest from ``DETAIL_ZOOM`` on.

    Raises
    ------
    MapInputError
        A rank is not a whole number.
    """
    frame = hotspots[~(hotspots.geometry.isna() | hotspots.geometry.is_empty)]
    if frame.empty:
        return None, ""
    ranks = pd.to_numeric(frame["rank"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(ranks)):
        bad = frame["rank"].iloc[int(np.flatnonzero(~np.isfinite(ranks))[0])]
        raise MapInputError(f"hotspots['rank'] must be whole numbers (1 = top), got {bad!r}")
    order = np.argsort(-ranks, kind="stable")  # top rank drawn last, on top
    frame, ranks = frame.iloc[order], ranks[order]
    low, high = float(np.min(ranks)), float(np.max(ranks))
    geoms = np.asarray(frame.geometry.values, dtype=object)
    drawn = geometries_wgs84(geoms, simplify_m=2.0)
    anchors = shapely.get_coordinates(geometries_wgs84(shapely.point_on_surface(geoms), simplify_m=0))
    features: list[dict[str, Any]] = []
    labels: list[list[Any]] = []
    heads = {key: i for i, key in enumerate(POPUP_KEYS)}
    for i, ((_, row), geom) in enumerate(zip(frame.iterrows(), drawn, strict=True)):
        rank = int(row["rank"])
        fraction = 0.0 if high == low else (rank - low) / (high - low)
        tip = t("popup.hotspot", lang, rank=rank)
        title, rows = hotspot_popup(row, rank, lang)
        properties = {
            "hotspot_id": str(row["id"]),
            "tip": escape(tip),
            "title": title,
            "rows": [[heads[key], value] for key, value in rows],
            "c": _rank_colour(fraction),
        }
        features.append(feature(f"h{i}", geom, properties))
        lon, lat = anchors[i]
        min_zoom = 0 if rank <= LABELLED_RANKS else DETAIL_ZOOM
        labels.append([float(lat), float(lon), rank, min_zoom, str(row["id"]), tip])
    labels.reverse()  # top rank first
    layer = HotspotLayer(
        {"type": "FeatureCollection", "features": features},
        labels,
        heads=[escape(t(key, lang)) for key in POPUP_KEYS],
        name=escape(t("map.layer.hotspots", lang)),
        outline=HOTSPOT_OUTLINE,
    )
    return layer, _rank_legend(int(high), lang)


def incident_xy(incidents: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return EPSG:3067 metres of each incident (``x_m``/``y_m``, else ``lon``/``lat``).

    Parameters
    ----------
    incidents
        The incidents.

    Returns
    -------
    tuple of ndarray
        ``x`` and ``y``; NaN where a row has no coordinates.

    Raises
    ------
    MapInputError
        Neither pair of columns is there.
    """
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


def _times(incidents: pd.DataFrame, lang: str) -> list[str]:
    if "occurred_at" not in incidents.columns:
        return ["" for _ in range(len(incidents))]
    column = incidents["occurred_at"]
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_convert(schema.TIMEZONE)
    if pd.api.types.is_datetime64_any_dtype(column):
        return ["" if _is_missing(v) else i18n.format_datetime(v, lang) for v in column]
    return ["" if _is_missing(v) else str(v) for v in column]


def _category_legend(categories: list[str], lang: str) -> str:
    present = [c for c in CATEGORY_COLOURS if c in set(categories)]
    others = sorted(set(categories) - set(CATEGORY_COLOURS) - {""})
    rows = "".join(
        f'<div class="hs-row"><span class="hs-dot" style="background:{CATEGORY_COLOURS.get(c, "#555555")}">'
        f"</span>{escape(i18n.category_label(c, lang))}</div>"
        for c in [*present, *others]
    )
    return f"<h4>{escape(t('map.legend.incidents', lang))}</h4>{rows}"


def incident_layer(
    incidents: pd.DataFrame, *, lang: str, exact_points_max: int
) -> tuple[folium.GeoJson | None, str]:
    """Return the incidents as dots coloured by category, under the hotspots, and the category legend.

    Parameters
    ----------
    incidents
        Incidents with ``x_m``/``y_m`` (or ``lon``/``lat``) and optionally ``category``,
        ``occurred_at``, ``description``; rows without coordinates are left out.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    exact_points_max
        More incidents than this are not drawn one by one (the page would be large and the
        dots would hide the hotspots): the legend says so instead.

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when nothing is drawn) and the legend's HTML.

    Raises
    ------
    MapInputError
        The incidents have neither ``x_m``/``y_m`` nor ``lon``/``lat``.
    """
    x, y = incident_xy(incidents)
    keep = np.isfinite(x) & np.isfinite(y)
    n = int(keep.sum())
    if n == 0:
        return None, ""
    if n > exact_points_max:
        text = t("map.legend.too_many_incidents", lang, n=i18n.format_number(n, lang))
        return (
            None,
            f'<h4>{escape(t("map.legend.incidents", lang))}</h4><div class="hs-muted">{escape(text)}</div>',
        )
    rows = incidents.loc[keep].reset_index(drop=True)
    lon, lat = crs.to_wgs84(x[keep], y[keep])
    lon, lat = np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)

    def texts(column: str) -> list[str]:
        if column not in rows.columns:
            return [""] * n
        return ["" if _is_missing(v) else str(v) for v in rows[column]]

    categories, descriptions, times = texts("category"), texts("description"), _times(rows, lang)
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
        point = {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]}
        features.append({"type": "Feature", "id": fid, "properties": properties, "geometry": point})
        colour = CATEGORY_COLOURS.get(categories[i], "#555555")
        styles[fid] = {"color": "#ffffff", "weight": 1, "fillColor": colour, "fillOpacity": 0.85}
    aliases = [escape(t(key, lang)) for key in ("popup.category", "popup.time", "popup.description")]
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.incidents", lang)),
        style_function=styled(styles),
        marker=folium.CircleMarker(radius=4, fill=True, pane="hs-incidents"),
        popup=folium.GeoJsonPopup(fields=["k", "t", "d"], aliases=aliases, max_width=320, localize=False),
        pane="hs-incidents",
    )
    return layer, _category_legend(categories, lang)
