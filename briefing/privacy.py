"""Safe to share: small counts suppressed, hotspot outlines coarse, restricted exports marked.

Exports are *aggregated* by default and *restricted* only on a deliberate choice:

aggregated (default)
    No incident points, ids or descriptions. Every incident count below ``min_count``
    (5 by default) is written ``"<5"``; a figure from which such a count could be worked
    back is blanked with it (a change or a rate next to a suppressed count, a category
    count inside a hotspot's mix).
restricted (``restricted=True``)
    Exact counts and the individual incidents, marked ``RESTRICTED`` (translated) on every
    page and in each file's metadata.

Hotspot outlines (``shareable_outlines``): the engine's hotspots (``hotspots.areas``) are
unions of the 150 m study cells, so their vertices lie on a fixed grid, never on an
incident: they leave as they are, the same shape the map draws and the backtest scores.
Other outlines (the concave hull of a cluster, ``summarise_hotspots`` without polygons) are
buffered by ``buffer_eps_ratio * eps_m`` (half of eps by default). A buffer of
radius r makes every part of the polygon at least 2r wide, so the default outline is never
narrower than the clustering radius; ``min_width_ok`` checks this with a morphological
opening, and an outline that fails (a smaller buffer ratio) is buffered again by eps/2.
That alone is not enough to share: the buffer's rounded corners are circular arcs of
radius eps/2 centred *on the hull's outermost incidents*, so fitting a circle to three
vertices of a corner gives back an incident's exact position. The shareable outline is
therefore the union of the grid cells (``cell_m``, eps/3 by default: 50 m for the default
150 m) that touch the polygon. Its vertices lie on a fixed grid, not on arcs; it contains
the polygon (so it still covers every member, and every member lies at least eps/2 inside
it); and an incident can be placed from it no better than to about one cell.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from geo.errors import HotspotsError, ParameterError
from hotspots.grid import DEFAULT_CELL_M

#: Counts below this are shown as ``"<5"`` in aggregated exports.
DEFAULT_MIN_COUNT: Final = 5
#: Machine-readable classification words (also written in English into file metadata).
RESTRICTED: Final = "RESTRICTED"
AGGREGATED: Final = "AGGREGATED"
#: Shareable outline cells per clustering radius: cell side = eps_m / this.
OUTLINE_CELLS_PER_EPS: Final = 3.0
#: Share of a polygon's area its opening may lose and still count as wide enough; the
#: polygons are approximations of round buffers, so a tiny loss is rounding, not a neck.
_WIDTH_AREA_TOLERANCE: Final = 0.02
_OPENING_RADIUS_SHARE: Final = 0.98


class PrivacyError(HotspotsError):
    """An export would reveal individual incidents without the deliberate ``restricted`` choice."""


def check_min_count(min_count: object) -> int:
    """Return ``min_count`` as an int when it is a whole number >= 1, else raise ParameterError.

    Parameters
    ----------
    min_count
        The suppression threshold as given (an int or a numpy integer; not a bool).

    Returns
    -------
    int
    """
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or int(min_count) < 1:
        raise ParameterError(
            f"min_count must be a whole number >= 1 (counts below it are shown as '<min_count'), "
            f"got {min_count!r}; the default is {DEFAULT_MIN_COUNT}"
        )
    return int(min_count)


def suppressed_label(min_count: int) -> str:
    """Return the text a suppressed count is shown as: ``"<5"`` for ``min_count`` 5.

    Parameters
    ----------
    min_count
        Threshold, >= 1.

    Returns
    -------
    str
    """
    return f"<{check_min_count(min_count)}"


def is_small(value: object, *, min_count: int) -> bool:
    """Return True when ``value`` is a count below ``min_count`` (missing values are not small).

    Parameters
    ----------
    value
        A count (int, float or missing).
    min_count
        Threshold.

    Returns
    -------
    bool
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return float(value) < min_count  # type: ignore[arg-type]


def count_text(value: object, *, min_count: int, restricted: bool = False) -> str:
    """Return a count as shareable text: ``"12"``, ``"<5"`` below ``min_count``, ``""`` when missing.

    Parameters
    ----------
    value
        A count (int, float or missing).
    min_count
        Threshold; counts below it are suppressed unless ``restricted``.
    restricted
        Exact counts (restricted exports).

    Returns
    -------
    str
        The text to show.
    """
    check_min_count(min_count)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not restricted and is_small(value, min_count=min_count):
        return suppressed_label(min_count)
    return str(round(float(value)))  # type: ignore[arg-type]


def count_column(values: ArrayLike, *, min_count: int, restricted: bool = False) -> pd.Series:
    """Apply ``count_text`` to a column: a string Series (``"12"``, ``"<5"``, ``""``).

    Parameters
    ----------
    values
        Counts.
    min_count
        Threshold; counts below it are suppressed unless ``restricted``.
    restricted
        Exact counts (restricted exports).

    Returns
    -------
    Series
        Dtype ``string``, with a new index 0..n-1.
    """
    return pd.Series(
        [count_text(v, min_count=min_count, restricted=restricted) for v in pd.Series(values, dtype=object)],
        dtype="string",
    )


def mix_text(mix: Mapping[str, int] | None, *, min_count: int, restricted: bool = False) -> str:
    """Return a category mix as text with small counts suppressed: ``"drug_dealing 34, weapons <5"``.

    Parameters
    ----------
    mix
        Category -> count (a hotspot's ``categories``); None is an empty mix.
    min_count
        Threshold; counts below it are suppressed unless ``restricted``.
    restricted
        Exact counts (restricted exports).

    Returns
    -------
    str
    """
    return ", ".join(
        f"{name} {count_text(count, min_count=min_count, restricted=restricted)}"
        for name, count in (mix or {}).items()
    )


def shareable_district_table(table: pd.DataFrame, *, min_count: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """Return the district table (``hotspots.figures.district_table``) with small counts suppressed.

    ``n`` and ``n_prev`` become text (``"<5"`` below ``min_count``). A change or a change in
    per cent beside a suppressed count is blanked (it would give the count back), and so is
    a rate per 1,000 residents beside a suppressed ``n``. Residents are public statistics
    and stay as they are.

    Parameters
    ----------
    table
        Output of ``district_table``; not modified.
    min_count
        Threshold, >= 1.

    Returns
    -------
    DataFrame
        A copy with the same columns; counts as strings, blanked figures missing.
    """
    min_count = check_min_count(min_count)
    missing = [c for c in ("n", "n_prev") if c not in table.columns]
    if missing:
        raise ParameterError(
            f"table lacks the columns {missing}; pass the output of hotspots.figures.district_table"
        )
    out = table.copy()
    small_now = table["n"].to_numpy(dtype=np.float64) < min_count
    small_prev = table["n_prev"].to_numpy(dtype=np.float64) < min_count
    if "change" in out.columns:
        out["change"] = out["change"].astype("Int64").mask(small_now | small_prev)
    if "change_pct" in out.columns:
        out["change_pct"] = out["change_pct"].astype("Float64").mask(small_now | small_prev)
    for column in ("rate_per_1000", "rate_per_1000_young"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(small_now)
    out["n"] = count_column(table["n"], min_count=min_count).to_numpy()
    out["n_prev"] = count_column(table["n_prev"], min_count=min_count).to_numpy()
    return out


def min_width_ok(polygon: shapely.Geometry, width_m: float) -> bool:
    """Return True when no part of ``polygon`` is narrower than ``width_m`` metres.

    Checked by a morphological opening: shrinking by half the width and growing back gives
    the polygon again exactly when every point lies in a disc of that diameter inside it.
    A polygonal circle is slightly smaller than its circle, so the test uses 98 % of the
    radius and allows the opening to lose 2 % of the area.

    Parameters
    ----------
    polygon
        A polygon in metres (EPSG:3067).
    width_m
        Smallest allowed width, > 0.

    Returns
    -------
    bool
    """
    if not np.isfinite(width_m) or width_m <= 0:
        raise ParameterError(f"width_m must be > 0 metres, got {width_m}")
    if polygon is None or shapely.is_empty(polygon):
        return True
    radius = _OPENING_RADIUS_SHARE * width_m / 2.0
    opened = shapely.buffer(shapely.buffer(polygon, -radius, quad_segs=16), radius, quad_segs=16)
    area = float(shapely.area(polygon))
    lost = area - float(shapely.area(shapely.intersection(polygon, opened)))
    return area > 0 and lost <= _WIDTH_AREA_TOLERANCE * area


def _grid_cover(polygon: shapely.Geometry, cell_m: float) -> shapely.Geometry:
    """Union of the ``cell_m`` grid cells (aligned to multiples of ``cell_m``) that touch ``polygon``."""
    x0, y0, x1, y1 = shapely.bounds(polygon)
    ix = np.arange(math.floor(x0 / cell_m), math.ceil(x1 / cell_m) + 1)
    iy = np.arange(math.floor(y0 / cell_m), math.ceil(y1 / cell_m) + 1)
    gx, gy = (a.ravel() for a in np.meshgrid(ix, iy))
    boxes = shapely.box(gx * cell_m, gy * cell_m, (gx + 1) * cell_m, (gy + 1) * cell_m)
    shapely.prepare(polygon)
    hit = shapely.intersects(polygon, boxes)
    merged = shapely.coverage_union_all(boxes[hit])
    # Collinear corners of merged cells add nothing but vertices.
    return shapely.simplify(merged, 0.0)


def on_lattice(geom: shapely.Geometry, step_m: float) -> bool:
    """Return True when every vertex of ``geom`` lies on multiples of ``step_m`` metres.

    Parameters
    ----------
    geom
        A geometry in metres.
    step_m
        Lattice spacing in metres (the study cells: 150).

    Returns
    -------
    bool
        False for an empty geometry.
    """
    coords = shapely.get_coordinates(geom)
    if not coords.size:
        return False
    ratio = coords / step_m
    return bool(np.allclose(ratio, np.round(ratio), rtol=0, atol=1e-6))


def outline_cell_m(eps_m: float, study_cell_m: float | None) -> float:
    """Return the grid the shared outlines lie on: the engine's study cells, else eps / 3 (for the notes).

    Parameters
    ----------
    eps_m
        Clustering radius in metres.
    study_cell_m
        The engine's study cell side, when the hotspots came from the study grid.

    Returns
    -------
    float
        Metres.
    """
    return float(study_cell_m) if study_cell_m is not None else eps_m / OUTLINE_CELLS_PER_EPS


def shareable_outlines(
    polygons: ArrayLike, *, eps_m: float, cell_m: float | None = None, lattice_m: float = DEFAULT_CELL_M
) -> NDArray[np.object_]:
    """Hotspot outlines fit to share: at least ``eps_m`` wide and snapped out to a grid.

    Parameters
    ----------
    polygons
        Hotspot polygons in EPSG:3067 metres (``summarise_hotspots``).
    eps_m
        Clustering radius in metres; the smallest width of an outline.
    cell_m
        Side of the grid cells the outline is made of; default ``eps_m / 3``.
    lattice_m
        Outlines whose every vertex lies on multiples of this many metres (unions of
        study cells, ``hotspots.grid.DEFAULT_CELL_M``) are kept as they are: a grid that
        coarse places no incident better than to a cell.

    Returns
    -------
    ndarray of shapely geometries
        One outline per input polygon; each contains its polygon.
    """
    if not np.isfinite(eps_m) or eps_m <= 0:
        raise ParameterError(f"eps_m must be > 0 metres, got {eps_m}")
    cell = eps_m / OUTLINE_CELLS_PER_EPS if cell_m is None else float(cell_m)
    if not np.isfinite(cell) or cell <= 0:
        raise ParameterError(f"cell_m must be > 0 metres, got {cell_m}")
    geoms = np.asarray(polygons, dtype=object).ravel()
    out = np.empty(geoms.size, dtype=object)
    for i, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom) or on_lattice(geom, lattice_m):
            out[i] = geom
            continue
        wide = geom if min_width_ok(geom, eps_m) else shapely.buffer(geom, eps_m / 2.0, quad_segs=8)
        out[i] = _grid_cover(wide, cell)
    return out
