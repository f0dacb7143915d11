"""The map's geography: sea, districts coloured on land, outlines, names, and the density grid.

One colour scale for areas at a time: the districts by a value, or incidents per grid
cell. Its classes are computed from what is in view (the chosen districts, the cells of
the chosen incidents), on the values as shown (rounded), and labelled so that they never
overlap ("0–4", "5–9", ...). District colours are clipped to the land, so the sea is never
coloured; without a street map the sea is drawn blue-grey and the rest of the map stays
neutral. Every text is escaped (``views.map_layers.escape``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

import i18n
from i18n import t
from views.map_layers import VALUE_TEXT_COLUMN, MapInputError, escape, feature, geometries_wgs84, styled

#: Sequential colours for the district values (light = low).
DISTRICT_COLOURS: Final = ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")
#: Sequential colours for incident density cells (purples: the hotspots keep red to yellow).
DENSITY_COLOURS: Final = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR: Final = "#c8c8c8"
SEA_COLOUR: Final = "#b7cad6"
#: Under everything when there is no street map: the land outside the drawn shapes.
LAND_COLOUR: Final = "#f3f1ec"
OUTLINE_COLOUR: Final = "#5b6670"
FOCUS_COLOUR: Final = "#1b2630"
N_CLASSES: Final = 5
#: Simplification of drawn outlines and the sea, metres: invisible at city zoom.
SIMPLIFY_M: Final = 5.0
SEA_SIMPLIFY_M: Final = 10.0
#: Zoom from which a level's district names are written (chosen districts: always).
NAME_ZOOM: Final[dict[str, int]] = {"suurpiiri": 10, "peruspiiri": 11, "osaalue": 13}
PLACE_ZOOM: Final = 14
#: At most one place name per square of this side, and at most this many names.
PLACE_SPACING_M: Final = 300.0
PLACE_LABELS_MAX: Final = 400


@dataclass(frozen=True)
class Classes:
    """Classes of values for one colour scale.

    Attributes
    ----------
    index
        Class of each value; -1 for a value without data (or left out).
    labels
        One label per class, ascending, never overlapping ("0–4", "5–9").
    colours
        One colour per class.
    decimals
        Decimals the values are shown with (and were classified at).
    """

    index: NDArray[np.int64]
    labels: list[str]
    colours: list[str]
    decimals: int


def _decimals(values: NDArray[np.float64]) -> int:
    if values.size == 0 or np.all(values == np.round(values)):
        return 0
    return 1 if np.nanmax(np.abs(values)) >= 1 else 2


def _range_label(low: float, high: float, lang: str, decimals: int) -> str:
    lo = i18n.format_number(low, lang, decimals=decimals)
    hi = i18n.format_number(high, lang, decimals=decimals)
    if lo == hi:
        return lo
    return f"{lo} – {hi}" if low < 0 or high < 0 else f"{lo}–{hi}"


def classify(
    values: NDArray[np.float64], *, lang: str, palette: Sequence[str], keep: NDArray[np.bool_] | None = None
) -> Classes:
    """Sort values into at most ``N_CLASSES`` quantile classes with labels that do not overlap.

    Values are rounded to the decimals they are shown with before they are classed, and
    class ``i`` runs from just above class ``i - 1``'s top to its own top: for whole
    numbers "0–4", "5–9", for one decimal "0,0–4,3", "4,4–9,1". With few distinct values
    each is its own class.

    Parameters
    ----------
    values
        The values; NaN means no data.
    lang
        Language of the number format.
    palette
        Sequential colours, light to dark.
    keep
        Only these values are classed (the districts in view); others get -1.

    Returns
    -------
    Classes
        Class per value, labels and colours.
    """
    index = np.full(values.shape, -1, dtype=np.int64)
    chosen = np.isfinite(values) & (np.ones(values.shape, dtype=bool) if keep is None else keep)
    decimals = _decimals(values[chosen])
    rounded = np.round(values[chosen], decimals)
    if rounded.size == 0:
        return Classes(index, [], [], decimals)
    distinct = np.unique(rounded)
    if distinct.size <= N_CLASSES:
        tops = distinct
    else:
        tops = np.unique(np.quantile(rounded, np.linspace(0.0, 1.0, N_CLASSES + 1)[1:], method="nearest"))
    index[chosen] = np.searchsorted(tops, rounded, side="left")
    step = 10.0**-decimals
    lows = np.concatenate([[distinct[0]], tops[:-1] + step])
    labels = [_range_label(float(lo), float(hi), lang, decimals) for lo, hi in zip(lows, tops, strict=True)]
    return Classes(index, labels, _palette(palette, len(labels)), decimals)


def _palette(colours: Sequence[str], k: int) -> list[str]:
    """``k`` colours spread over a sequential palette (light to dark)."""
    if k <= 0:
        return []
    if k == 1:
        return [colours[len(colours) // 2]]
    picks = np.round(np.linspace(0, len(colours) - 1, k)).astype(int)
    return [colours[i] for i in picks]


def legend_row(colour: str, text: str, *, shape: str = "hs-swatch") -> str:
    """One legend row: a colour sample and its (unescaped) text."""
    return (
        f'<div class="hs-row"><span class="{shape}" style="background:{colour}"></span>{escape(text)}</div>'
    )


def legend_classes(title: str, classes: Classes) -> str:
    """Return the legend section of a colour scale: its title and one row per class."""
    rows = "".join(legend_row(c, label) for c, label in zip(classes.colours, classes.labels, strict=True))
    return f"<h4>{escape(title)}</h4>{rows}" if rows else ""


def sea_layer(sea: shapely.Geometry) -> folium.GeoJson | None:
    """Return the sea inside the districts as one blue-grey, non-interactive shape (None when empty)."""
    (drawn,) = geometries_wgs84(np.asarray([sea], dtype=object), simplify_m=SEA_SIMPLIFY_M)
    if drawn is None or shapely.is_empty(drawn):
        return None
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": [feature("sea", drawn, {})]},
        style_function=lambda _: {"fillColor": SEA_COLOUR, "fillOpacity": 1.0, "stroke": False},
        control=False,
        pane="hs-sea",
        interactive=False,
    )


@dataclass(frozen=True)
class DistrictShapes:
    """Districts as the map draws them: on land, in view or not, with a label point.

    Attributes
    ----------
    frame
        The districts (EPSG:3067) with ``geometry`` cut to the land.
    in_view
        Districts of the chosen area (all when none is chosen).
    anchors
        A point on each district's land (EPSG:3067), for its name.
    """

    frame: gpd.GeoDataFrame
    in_view: NDArray[np.bool_]
    anchors: NDArray[np.object_]


def district_shapes(
    districts: gpd.GeoDataFrame, *, land: shapely.Geometry | None, focus: shapely.Geometry | None
) -> DistrictShapes:
    """Cut the districts to the land and find those of the chosen area.

    Parameters
    ----------
    districts
        EPSG:3067 districts.
    land
        Helsinki's land (EPSG:3067); None draws the districts as they are, sea included.
    focus
        The chosen area (EPSG:3067); None when nothing is chosen (every district in view).

    Returns
    -------
    DistrictShapes
        The districts on land, which are in view, and where their names go.
    """
    geoms = np.asarray(districts.geometry.values, dtype=object)
    if land is not None:
        shapely.prepare(land)
        geoms = shapely.intersection(geoms, land)
    frame = districts.set_geometry(gpd.GeoSeries(geoms, index=districts.index, crs=districts.crs))
    areas = shapely.area(geoms)
    if focus is None:
        in_view = np.ones(len(frame), dtype=bool)
    else:
        shared = shapely.area(shapely.intersection(geoms, focus))
        focus_area = shapely.area(focus if land is None else shapely.intersection(focus, land))
        in_view = (areas > 0) & ((shared >= 0.5 * areas) | (shared >= 0.5 * max(focus_area, 1.0)))
    anchors = shapely.point_on_surface(_largest_parts(geoms))
    return DistrictShapes(frame, np.asarray(in_view, dtype=bool), np.asarray(anchors, dtype=object))


def _largest_parts(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Return the largest polygon of each geometry, so a name sits on the mainland, not on an islet."""
    out = []
    for geom in geoms:
        parts = shapely.get_parts(geom) if geom is not None else np.asarray([], dtype=object)
        out.append(parts[int(np.argmax(shapely.area(parts)))] if len(parts) else shapely.Point())
    return np.asarray(out, dtype=object)


def choropleth_layer(
    shapes: DistrictShapes, value_column: str, value_label: str, lang: str, *, opacity: float
) -> tuple[folium.GeoJson | None, str]:
    """Return the districts in view coloured by classes of a value, and the legend section.

    Parameters
    ----------
    shapes
        From :func:`district_shapes`; its frame has ``name_fi``, ``name_sv`` and ``value_column``.
    value_column
        Numeric column; None/NaN draws grey "no data". An optional ``VALUE_TEXT_COLUMN``
        gives the tooltip's text instead of the number (escaped).
    value_label
        Already translated name of the value (legend and tooltips).
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (English uses the Finnish names).
    opacity
        Fill opacity (lower over a street map).

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when no district in view has land) and the legend's HTML.

    Raises
    ------
    MapInputError
        ``value_column`` holds something other than numbers.
    """
    frame = shapes.frame
    try:
        values = pd.to_numeric(frame[value_column], errors="raise")
    except (ValueError, TypeError) as exc:
        raise MapInputError(
            f"districts[{value_column!r}] must hold numbers (or None for no data): {exc}"
        ) from exc
    numbers = np.asarray(pd.Series(values).astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    classes = classify(numbers, lang=lang, palette=DISTRICT_COLOURS, keep=shapes.in_view)
    names = frame["name_sv" if lang == "sv" else "name_fi"].tolist()
    geoms = geometries_wgs84(np.asarray(frame.geometry.values, dtype=object), simplify_m=SIMPLIFY_M)
    no_data = t("map.no_data", lang)
    # A text given for a district (a count held back as "<5") stands in for its number.
    given = frame[VALUE_TEXT_COLUMN] if VALUE_TEXT_COLUMN in frame.columns else None
    texts = [None] * len(frame) if given is None else given.astype(object).where(given.notna()).tolist()
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    for i, geom in enumerate(geoms):
        if not shapes.in_view[i] or geom is None or shapely.is_empty(geom):
            continue
        value = numbers[i]
        shown = (
            no_data if not np.isfinite(value) else i18n.format_number(value, lang, decimals=classes.decimals)
        )
        if isinstance(texts[i], str) and texts[i]:
            shown = str(texts[i])
        fid = f"d{i}"
        features.append(_district_feature(fid, geom, names[i], value_label, shown))
        fill = classes.colours[classes.index[i]] if classes.index[i] >= 0 else NO_DATA_COLOUR
        styles[fid] = {
            "fillColor": fill,
            "fillOpacity": opacity,
            "color": OUTLINE_COLOUR,
            "weight": 1,
            "opacity": 0.8,
        }
    legend = legend_classes(value_label, classes)
    if any(not np.isfinite(numbers[i]) for i in np.flatnonzero(shapes.in_view)):
        legend += ("" if legend else f"<h4>{escape(value_label)}</h4>") + legend_row(NO_DATA_COLOUR, no_data)
    if not features:
        return None, legend
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.districts", lang, value_label=value_label)),
        style_function=styled(styles),
        highlight_function=lambda _: {"fillOpacity": min(opacity + 0.2, 0.9)},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        attribution=escape(t("map.attribution.districts", lang)),
        pane="hs-areas",
    )
    return layer, legend


def _district_feature(fid: str, geom: shapely.Geometry, name: str, label: str, shown: str) -> dict[str, Any]:
    return feature(fid, geom, {"tip": f"<b>{escape(name)}</b><br>{escape(label)}: {escape(shown)}"})


def outline_layer(
    shapes: DistrictShapes, focus: shapely.Geometry | None, lang: str, *, coloured: bool
) -> folium.GeoJson:
    """Return district outlines, thin, and the chosen area's outline, strong; not interactive.

    Parameters
    ----------
    shapes
        From :func:`district_shapes`.
    focus
        The chosen area to outline strongly, or None.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    coloured
        The districts in view are drawn by :func:`choropleth_layer` with their outline
        already: only the others are outlined here (the page carries each shape once).

    Returns
    -------
    folium.GeoJson
        The outlines.
    """
    frame = shapes.frame if not coloured else shapes.frame[~shapes.in_view]
    geoms = geometries_wgs84(np.asarray(frame.geometry.values, dtype=object), simplify_m=SIMPLIFY_M)
    features = [
        feature(f"o{i}", g, {}) for i, g in enumerate(geoms) if g is not None and not shapely.is_empty(g)
    ]
    styles = {
        f["id"]: {"color": OUTLINE_COLOUR, "weight": 1, "opacity": 0.8, "fill": False} for f in features
    }
    if focus is not None:
        (drawn,) = geometries_wgs84(np.asarray([focus], dtype=object), simplify_m=SIMPLIFY_M)
        if drawn is not None and not shapely.is_empty(drawn):
            features.append(feature("focus", drawn, {}))
            styles["focus"] = {"color": FOCUS_COLOUR, "weight": 3.5, "opacity": 0.95, "fill": False}
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.outlines", lang)),
        style_function=styled(styles),
        attribution=escape(t("map.attribution.districts", lang)),
        pane="hs-outlines",
        interactive=False,
        control=False,
    )


def district_labels(shapes: DistrictShapes, lang: str) -> list[list[Any]]:
    """Return ``[lat, lon, html, min_zoom(, class)]`` for each district name on land."""
    frame = shapes.frame
    names = frame["name_sv" if lang == "sv" else "name_fi"].tolist()
    levels = frame["level"].tolist() if "level" in frame.columns else ["peruspiiri"] * len(frame)
    points = geometries_wgs84(shapes.anchors, simplify_m=0)
    items: list[list[Any]] = []
    for i, point in enumerate(points):
        if point is None or shapely.is_empty(point) or not shapely.area(frame.geometry.iloc[i]) > 0:
            continue
        lon, lat = shapely.get_coordinates(point)[0]
        if shapes.in_view[i] and not shapes.in_view.all():
            items.append([float(lat), float(lon), escape(names[i]), 0, "hs-focus"])
        else:
            items.append([float(lat), float(lon), escape(names[i]), NAME_ZOOM.get(str(levels[i]), 11)])
    return items


def place_labels(
    places: pd.DataFrame, lang: str, box_m: tuple[float, float, float, float]
) -> list[list[Any]]:
    """Return place names inside ``box_m`` (EPSG:3067), at most one per ``PLACE_SPACING_M`` square.

    Parameters
    ----------
    places
        ``name_fi``, ``name_sv``, ``x_m``, ``y_m`` (``geo.gazetteer`` places).
    lang
        Swedish names in Swedish (Finnish when a place has none), Finnish otherwise.
    box_m
        The area the map shows.

    Returns
    -------
    list of list
        ``[lat, lon, html, min_zoom]``, at most ``PLACE_LABELS_MAX``.
    """
    x = pd.to_numeric(places["x_m"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(places["y_m"], errors="coerce").to_numpy(dtype=float)
    x0, y0, x1, y1 = box_m
    inside = np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    fi = places["name_fi"].fillna("").astype(str).to_numpy()
    sv = places["name_sv"].fillna("").astype(str).to_numpy()
    names = np.where((sv != "") & (lang == "sv"), sv, np.where(fi != "", fi, sv))
    rows = np.flatnonzero(inside & (names != ""))
    cells = np.column_stack([np.floor(x[rows] / PLACE_SPACING_M), np.floor(y[rows] / PLACE_SPACING_M)])
    _, first = np.unique(cells, axis=0, return_index=True) if len(rows) else (None, np.asarray([], dtype=int))
    rows = rows[np.sort(first)][:PLACE_LABELS_MAX]
    lonlat = geometries_wgs84(shapely.points(x[rows], y[rows]), simplify_m=0)
    coords = shapely.get_coordinates(lonlat)
    return [
        [float(lat), float(lon), escape(names[r]), PLACE_ZOOM]
        for r, (lon, lat) in zip(rows, coords, strict=True)
    ]


def density_layer(
    x: NDArray[np.float64], y: NDArray[np.float64], *, cell_m: float, min_count: int, lang: str
) -> tuple[folium.GeoJson | None, str]:
    """Count incidents per square cell (aligned to multiples of ``cell_m`` in EPSG:3067), one shape per class.

    Cells of one class are merged into one shape, which keeps the page small; the tooltip
    gives the class, not the cell's exact count. Cells with fewer than ``min_count``
    incidents are not drawn at all (a shaded "<5" cell would mark where a lone incident is).

    Parameters
    ----------
    x, y
        EPSG:3067 metres of the incidents (finite).
    cell_m
        Side of a cell in metres.
    min_count
        Smallest count drawn.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    tuple[folium.GeoJson | None, str]
        The layer (None when no cell is drawn) and the legend's HTML.
    """
    ix, iy = np.floor(x / cell_m).astype(np.int64), np.floor(y / cell_m).astype(np.int64)
    cells, counts = np.unique(np.column_stack([ix, iy]), axis=0, return_counts=True)
    shown = counts >= min_count
    title = t("map.legend.density_cells", lang, cell_m=i18n.format_number(cell_m, lang))
    classes = classify(counts[shown].astype(float), lang=lang, palette=DENSITY_COLOURS)
    features: list[dict[str, Any]] = []
    styles: dict[str, dict[str, Any]] = {}
    kept = cells[shown]
    for k, (label, colour) in enumerate(zip(classes.labels, classes.colours, strict=True)):
        members = kept[classes.index == k]
        boxes = shapely.box(
            members[:, 0] * cell_m,
            members[:, 1] * cell_m,
            (members[:, 0] + 1) * cell_m,
            (members[:, 1] + 1) * cell_m,
        )
        (merged,) = geometries_wgs84(
            np.asarray([shapely.coverage_union_all(boxes)], dtype=object), simplify_m=0
        )
        fid = f"c{k}"
        features.append(feature(fid, merged, {"tip": escape(f"{t('map.cell_count', lang)}: {label}")}))
        styles[fid] = {"fillColor": colour, "fillOpacity": 0.75, "color": colour, "weight": 0.5}
    legend = legend_classes(title, classes)
    if np.any(~shown):
        legend = legend or f"<h4>{escape(title)}</h4>"
        legend += (
            f'<div class="hs-muted">{escape(t("map.legend.suppressed", lang, min_count=min_count))}</div>'
        )
    if not features:
        return None, legend
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=escape(t("map.layer.density", lang, cell_m=i18n.format_number(cell_m, lang))),
        style_function=styled(styles),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        pane="hs-areas",
    )
    return layer, legend
