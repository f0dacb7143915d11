"""What a user's Scope lets the page show: their districts, and aggregates where that is all they may see.

The data are already cut to the scope where they are read (``views.datasource`` passes the
``store.scope.Scope`` to the store's query, or applies ``store.scope.apply_scope`` to the
demo data and uploads). These pure functions keep the rest of the page inside it:

- ``within_scope``: a district choice (the URL's, the sidebar's) intersected with the
  scope's districts; nothing left means the scope's own districts, so a youth worker who
  edits ``?peruspiiri=`` to another district still gets only hers;
- ``scope_hierarchy`` and ``scope_rows``: only the scope's districts in the sidebar, the
  district table and the map;
- for scopes that see only aggregates (``Scope.aggregated_only``): ``shown_hotspots``,
  ``shown_district_table`` and ``map_district_values`` write counts below the threshold as
  "<5" through ``briefing.privacy``, and ``suppressed_count`` does it for one figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from briefing.privacy import DEFAULT_MIN_COUNT, count_column, count_text, shareable_district_table
from i18n import category_label
from store.scope import Scope
from views.map_layers import VALUE_TEXT_COLUMN
from views.urlstate import LEVEL_KEYS


def scope_hierarchy(hierarchy: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Return the rows (osa-alue) of ``geo.districts.hierarchy()`` inside the scope.

    Parameters
    ----------
    hierarchy
        One row per osa-alue with the codes of every level; not modified.
    scope
        The user's scope; a whole-city scope keeps every row.

    Returns
    -------
    DataFrame
        A new frame.
    """
    if scope.osaalue is None:
        return hierarchy.copy()
    return hierarchy[hierarchy["osaalue_code"].astype(str).isin(scope.osaalue)].copy()


def coarsest(osaalue: Sequence[str], hierarchy: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Name a set of osa-alue by the largest districts it fills: Kallio, not its seven osa-alue.

    Parameters
    ----------
    osaalue
        Osa-alue codes.
    hierarchy
        ``geo.districts.hierarchy()``.

    Returns
    -------
    dict
        ``{"suurpiiri": ..., "peruspiiri": ..., "osaalue": ...}``: each code of a level whose
        every osa-alue is given, the rest at the next level down.
    """
    left = set(map(str, osaalue))
    codes = hierarchy.assign(osaalue_code=hierarchy["osaalue_code"].astype(str))
    out: dict[str, tuple[str, ...]] = {}
    for level in LEVEL_KEYS:
        column = f"{level}_code"
        whole = [
            str(code)
            for code, rows in codes.groupby(column, sort=True)
            if set(rows["osaalue_code"]) <= left and set(rows["osaalue_code"]) & left
        ]
        out[level] = tuple(whole)
        left -= set(codes.loc[codes[column].astype(str).isin(whole), "osaalue_code"])
    return out


def within_scope(
    scope: Scope,
    hierarchy: pd.DataFrame,
    *,
    suurpiiri: Sequence[str] = (),
    peruspiiri: Sequence[str] = (),
    osaalue: Sequence[str] = (),
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return a district choice cut to the scope: codes per level, suurpiiri first.

    A district wholly inside the scope stays; one partly inside becomes the scope's part of
    it; one outside is dropped. When nothing is left the choice is the scope's own
    districts (a district-scoped user always looks at her districts); a whole-city scope
    keeps the choice as it is.

    Parameters
    ----------
    scope
        The user's scope.
    hierarchy
        ``geo.districts.hierarchy()``.
    suurpiiri, peruspiiri, osaalue
        The codes chosen (from the URL or the sidebar).

    Returns
    -------
    tuple of three tuples
        Suurpiiri, peruspiiri and osa-alue codes.
    """
    given = {"suurpiiri": tuple(suurpiiri), "peruspiiri": tuple(peruspiiri), "osaalue": tuple(osaalue)}
    if scope.osaalue is None:
        return given["suurpiiri"], given["peruspiiri"], given["osaalue"]
    allowed = set(scope.osaalue)
    kept: dict[str, list[str]] = {level: [] for level in LEVEL_KEYS}
    for level, codes in given.items():
        for code in codes:
            inside = set(hierarchy.loc[hierarchy[f"{level}_code"].astype(str) == str(code), "osaalue_code"])
            if inside and inside <= allowed:
                kept[level].append(str(code))
            elif inside & allowed:
                for finer, finer_codes in coarsest(sorted(inside & allowed), hierarchy).items():
                    kept[finer].extend(finer_codes)
    if not any(kept.values()):
        kept = {level: list(codes) for level, codes in coarsest(scope.osaalue, hierarchy).items()}
    chosen = {level: tuple(dict.fromkeys(codes)) for level, codes in kept.items()}
    return chosen["suurpiiri"], chosen["peruspiiri"], chosen["osaalue"]


def scope_rows(frame: pd.DataFrame, scope: Scope, hierarchy: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Return the rows of a per-district frame (``code`` at ``level``) that touch the scope.

    Parameters
    ----------
    frame
        The district table or layer, one row per district of ``level``; not modified.
    scope
        The user's scope; a whole-city scope keeps every row.
    hierarchy
        ``geo.districts.hierarchy()``.
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.

    Returns
    -------
    DataFrame
        A new frame (a GeoDataFrame stays one) with a fresh index.
    """
    if scope.osaalue is None:
        return frame.reset_index(drop=True)
    codes = set(scope_hierarchy(hierarchy, scope)[f"{level}_code"].astype(str))
    return frame[frame["code"].astype(str).isin(codes)].reset_index(drop=True)


def suppressed_count(value: int, scope: Scope, *, min_count: int = DEFAULT_MIN_COUNT) -> str | None:
    """Return ``"<5"`` for a small count an aggregated scope may not see exactly, else None."""
    if not scope.aggregated_only:
        return None
    text = count_text(value, min_count=min_count)
    return text if text.startswith("<") else None


def shown_hotspots(
    hotspots: gpd.GeoDataFrame, scope: Scope, lang: str, *, min_count: int = DEFAULT_MIN_COUNT
) -> gpd.GeoDataFrame:
    """Return the hotspot table (``views.panels.localised_hotspots``) as the scope may see it.

    For an aggregated scope: hotspots of fewer than ``min_count`` incidents are left out
    (their outline would locate them), the previous period's count and the category mix
    write small counts as "<5".

    Parameters
    ----------
    hotspots
        The localised hotspot table; not modified.
    scope
        The user's scope.
    lang
        Language of the category names.
    min_count
        The suppression threshold.

    Returns
    -------
    GeoDataFrame
        A new frame with a fresh index.
    """
    if not scope.aggregated_only:
        return hotspots.copy()
    out = hotspots[pd.to_numeric(hotspots["n"]).to_numpy() >= min_count].reset_index(drop=True)
    if "n_prev" in out.columns:
        out["n_prev"] = count_column(out["n_prev"], min_count=min_count).to_numpy()
    if "categories" in out.columns:
        texts = [
            ", ".join(
                f"{category_label(str(c), lang)} {count_text(n, min_count=min_count)}"
                for c, n in (mix or {}).items()
            )
            for mix in out["categories"]
        ]
        out["categories"] = texts  # the map's popup shows it as it is
        out["category_text"] = texts
    return out


def shown_district_table(table: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Return the district table as the scope may see it (``briefing.privacy.shareable_district_table``)."""
    return shareable_district_table(table) if scope.aggregated_only else table.copy()


def map_district_values(
    layer: gpd.GeoDataFrame, scope: Scope, value_column: str, *, suppressed: str
) -> gpd.GeoDataFrame:
    """Return the map's district layer with the values an aggregated scope may not see left out.

    Parameters
    ----------
    layer
        Districts with the figures (``n`` and ``value_column``); not modified.
    scope
        The user's scope.
    value_column
        The column that colours the map.
    suppressed
        The tooltip's words for a district below the threshold ("fewer than 5 incidents").

    Returns
    -------
    GeoDataFrame
        A copy; for an aggregated scope, districts with fewer than 5 incidents (now or in
        the comparison period, for the change) carry no value and ``VALUE_TEXT_COLUMN`` says why.
    """
    out = layer.copy()
    if not scope.aggregated_only:
        return out
    n = pd.to_numeric(out["n"]).to_numpy(dtype=float, na_value=np.nan)
    small = n < DEFAULT_MIN_COUNT
    if value_column == "change" and "n_prev" in out.columns:
        small |= pd.to_numeric(out["n_prev"]).to_numpy(dtype=float, na_value=np.nan) < DEFAULT_MIN_COUNT
    out[value_column] = pd.to_numeric(out[value_column]).astype("Float64").mask(small)
    out[VALUE_TEXT_COLUMN] = pd.array([suppressed if s else pd.NA for s in small], dtype="string")
    return out


def scope_areas(layer: gpd.GeoDataFrame, scope: Scope, osaalue_layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cut a district layer to the scope's osa-alue: the control areas of a measure's effect.

    A youth worker's incidents hold only her districts, so a control area reaching beyond
    them would count nothing there and read a measure wrongly (and its counts would be
    figures of districts she may not see). Cut to her osa-alue, the control is the rest
    of the peruspiiri *within her districts*; a whole-city scope gets the layer as it is.

    Parameters
    ----------
    layer
        Districts in EPSG:3067 with ``code`` and ``geometry`` (the peruspiiri layer).
    scope
        The user's scope.
    osaalue_layer
        The osa-alue layer (``code``, ``geometry``) the scope's codes refer to.

    Returns
    -------
    GeoDataFrame
        ``layer`` (unchanged for a whole-city scope) or its parts inside the scope's
        osa-alue, districts left with no area dropped.
    """
    if scope.osaalue is None:
        return layer
    seen = osaalue_layer.geometry[osaalue_layer["code"].astype(str).isin(scope.osaalue)].union_all()
    cut = layer.copy()
    cut["geometry"] = cut.geometry.intersection(seen)
    return cut[cut.geometry.area > 1.0].reset_index(drop=True)
