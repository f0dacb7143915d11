"""Where a measure was: its area from districts or a drawing, and the osa-alue it touches.

A measure is placed in one of three ways (``store.measure_records.PLACE_KINDS``): at a
hotspot as it was on the day, on one or more districts, or on an area drawn on the map
(or read from a file). Whichever way, the store keeps the area in EPSG:3067 metres and the
osa-alue codes it touches, and who may see or record the measure follows those codes
(``store.scope``), as for incidents.

- ``district_osaalue`` says which osa-alue a choice of districts means, names or codes at
  any level, by the one district rule of ``hotspots.selection`` (a district named inside
  another narrows it), as the CLI's ``--district`` and the app's filter do;
- ``districts_area`` is the union of their polygons;
- ``osaalue_touched`` lists the osa-alue an area overlaps by more than a sliver
  (``SLIVER_M2``): a line drawn along a street that is a district border, or a hotspot's
  cell grazing the next district by a few metres, does not make the measure the
  neighbour's;
- ``districts_place`` and ``drawn_place`` put it together as a ``Place``: area, osa-alue,
  and the ``place_kind`` / ``place_ref`` the store keeps.

Pure: the district layers come in as arguments (``geo.districts.hierarchy()``,
``geo.districts.load_districts("osaalue")``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import ParameterError
from hotspots.selection import Selection, districts_by_name
from store.measure_records import PlaceKind, checked_area

#: Overlap in m² below which an area does not count as touching an osa-alue: 10 m x 10 m,
#: under 0.5 % of a street-scale hotspot (a 150 m cell is 22,500 m²) yet far above the
#: slivers where two digitised district borders do not quite coincide.
SLIVER_M2: Final = 100.0


@dataclass(frozen=True)
class Place:
    """Where a measure was, as the store keeps it.

    Attributes
    ----------
    place_kind
        ``"districts"``, ``"drawn"`` or ``"hotspot"``.
    place_ref
        The district codes joined by commas, a hotspot's id and name, or '' for a drawing.
    area
        The area in EPSG:3067 metres.
    osaalue
        The osa-alue codes it touches, sorted.
    """

    place_kind: PlaceKind
    place_ref: str
    area: shapely.Geometry
    osaalue: tuple[str, ...]


def _codes(layer: gpd.GeoDataFrame) -> np.ndarray:
    """Return the ``code`` column of an osa-alue layer as text; ParameterError when it is not one."""
    if "code" not in layer.columns or layer.crs is None or layer.crs.to_epsg() != 3067:
        raise ParameterError(
            "osaalue_layer must be the osa-alue layer of geo.districts.load_districts('osaalue') "
            "(a 'code' column, EPSG:3067)"
        )
    return layer["code"].astype(str).to_numpy()


def osaalue_touched(area: shapely.Geometry, osaalue_layer: gpd.GeoDataFrame) -> tuple[str, ...]:
    """Return the codes of the osa-alue that ``area`` overlaps by more than ``SLIVER_M2``.

    Parameters
    ----------
    area
        Polygon or MultiPolygon in EPSG:3067 metres.
    osaalue_layer
        ``geo.districts.load_districts("osaalue")``; not modified.

    Returns
    -------
    tuple of str
        Sorted codes; empty when the area lies outside every osa-alue (at sea, in Espoo).

    Raises
    ------
    ParameterError
        ``area`` is not a polygonal area in EPSG:3067, or the layer is not the osa-alue layer.
    """
    checked = checked_area("area", area)
    codes = _codes(osaalue_layer)
    polygons = osaalue_layer.geometry.to_numpy()
    candidates = shapely.STRtree(polygons).query(checked, predicate="intersects")
    overlap = shapely.area(shapely.intersection(polygons[candidates], checked))
    return tuple(sorted(codes[candidates[overlap > SLIVER_M2]]))


def district_osaalue(names: Sequence[str], hierarchy: pd.DataFrame) -> tuple[str, ...]:
    """Return the osa-alue codes a choice of districts means, by the one district rule.

    Parameters
    ----------
    names
        Names (fi or sv) or codes at any level, e.g. ``["Kallio", "Linjat", "503"]``; a
        district named inside another narrows it (``hotspots.selection.choose_districts``).
    hierarchy
        ``geo.districts.hierarchy()``.

    Returns
    -------
    tuple of str
        The osa-alue codes, sorted.

    Raises
    ------
    ParameterError
        No name given, or a name matches no Helsinki district (the message suggests close names).
    """
    if isinstance(names, str) or not names:
        raise ParameterError(
            f"give the districts as a list of names or codes, e.g. ['Kallio', '503'], got {names!r}"
        )
    named = districts_by_name(names, hierarchy)
    chosen = Selection(suurpiiri=named["suurpiiri"], peruspiiri=named["peruspiiri"], osaalue=named["osaalue"])
    return tuple(sorted(hierarchy.loc[chosen.district_mask(hierarchy), "osaalue_code"].astype(str)))


def districts_area(codes: Sequence[str], osaalue_layer: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return the union of the osa-alue ``codes`` in EPSG:3067 (``district_osaalue`` gives them).

    Raises
    ------
    ParameterError
        No code, or a code that is not in the layer.
    """
    known = _codes(osaalue_layer)
    missing = sorted(set(codes) - set(known))
    if not codes or missing:
        raise ParameterError(
            f"osa-alue codes {missing or list(codes)} are not in the osa-alue layer; "
            "`hotspots districts list --level osaalue` lists them"
        )
    chosen = osaalue_layer.geometry.to_numpy()[np.isin(known, list(codes))]
    return shapely.make_valid(shapely.union_all(chosen))


#: One district of a ``districts_place`` reference: ``"Kallio (Berghäll)"`` or ``"Kallio"``.
_BOTH_NAMES: Final = re.compile(r"^(?P<fi>.+?) \((?P<sv>[^()]+)\)$")


def districts_text(place_ref: str, lang: str) -> str:
    """Return a ``districts_place`` reference in one language: ``"Berghäll"`` in Swedish.

    Parameters
    ----------
    place_ref
        ``Place.place_ref`` of a measure on districts: names joined by ``", "``, each
        Finnish with the Swedish in brackets when it differs.
    lang
        ``"fi"``, ``"sv"`` or ``"en"`` (Finnish names, as on Helsinki's English maps).

    Returns
    -------
    str
        The names in ``lang``, joined by ``", "``; a reference in another form as it is.
    """
    names = []
    for name in place_ref.split(", "):
        both = _BOTH_NAMES.match(name)
        names.append(name if both is None else both["sv"] if lang == "sv" else both["fi"])
    return ", ".join(names)


def _both_names(hierarchy: pd.DataFrame, level: str, code: str) -> str:
    """Return a district's Finnish name, with the Swedish one after it when it differs."""
    row = hierarchy.loc[hierarchy[f"{level}_code"] == code].iloc[0]
    finnish, swedish = str(row[f"{level}_fi"]), str(row[f"{level}_sv"])
    return finnish if swedish in ("", finnish) else f"{finnish} ({swedish})"


def districts_place(
    names: Sequence[str], *, hierarchy: pd.DataFrame, osaalue_layer: gpd.GeoDataFrame
) -> Place:
    """Return the place of a measure on one or more districts named at any level.

    Parameters
    ----------
    names
        Names (fi or sv) or codes at any level (see ``district_osaalue``).
    hierarchy, osaalue_layer
        ``geo.districts.hierarchy()`` and ``geo.districts.load_districts("osaalue")``.

    Returns
    -------
    Place
        ``place_kind`` "districts", ``place_ref`` the chosen districts' names as people say
        them, Finnish with the Swedish after it when it differs (``"Kallio (Berghäll)"``),
        the union of the osa-alue and their codes (which the scope rules use).
    """
    chosen = districts_by_name(names, hierarchy)
    ref = ", ".join(
        _both_names(hierarchy, level, code)
        for level in ("suurpiiri", "peruspiiri", "osaalue")
        for code in chosen[level]
    )
    codes = district_osaalue(names, hierarchy)
    return Place("districts", ref, districts_area(codes, osaalue_layer), codes)


def drawn_place(area: shapely.Geometry, *, osaalue_layer: gpd.GeoDataFrame) -> Place:
    """Return the place of a measure on an area drawn on the map or read from a file (EPSG:3067)."""
    checked = checked_area("area", area)
    return Place("drawn", "", checked, osaalue_touched(checked, osaalue_layer))
