"""A hotspot's name on the street: the register's address or place nearest to its centre.

A patrol plan names streets, not coordinates. :func:`name_hotspots` gives each hotspot the
name of the address or place (``"Kaivokatu 1"``, ``"Tallinnanaukio"``) of the register
nearest to its centre (``centroid_x_m`` / ``centroid_y_m``, the mean of its incidents), in
Finnish and in Swedish (the other language's name where the register lacks one). The
name is the register's, never an incident's point, so it may leave in aggregated exports.
Which of the two a reader sees is the interface's choice (:func:`place_name`); this module
holds names, not translations.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.geocoder import Geocoder

#: Columns :func:`name_hotspots` adds: the names in Finnish and Swedish, and how far the
#: named address or place lies from the hotspot's centre.
PLACE_COLUMNS: Final = ("place_fi", "place_sv", "place_distance_m")


def name_hotspots(hotspots: gpd.GeoDataFrame, names: Geocoder | None) -> gpd.GeoDataFrame:
    """Return a copy of the hotspot table with the nearest address or place of each hotspot.

    Parameters
    ----------
    hotspots
        Hotspot table with ``centroid_x_m`` / ``centroid_y_m`` in EPSG:3067 (``hotspots.summary``).
    names
        The register's geocoder to name points with; None leaves the names missing.

    Returns
    -------
    GeoDataFrame
        ``hotspots`` with ``PLACE_COLUMNS``: ``place_fi`` and ``place_sv`` (string, NA
        without a register) and ``place_distance_m`` (metres, NaN without a register).
    """
    out = hotspots.copy()
    if names is None or not len(hotspots):
        for column in PLACE_COLUMNS[:2]:
            out[column] = pd.array([pd.NA] * len(hotspots), dtype="string")
        out[PLACE_COLUMNS[2]] = np.full(len(hotspots), np.nan)
        return out
    x_m = hotspots["centroid_x_m"].to_numpy(dtype="float64")
    y_m = hotspots["centroid_y_m"].to_numpy(dtype="float64")
    finnish = names.reverse(x_m, y_m, lang="fi")
    swedish = names.reverse(x_m, y_m, lang="sv")
    out["place_fi"] = pd.array(finnish["name"].to_numpy(dtype=object), dtype="string")
    out["place_sv"] = pd.array(swedish["name"].to_numpy(dtype=object), dtype="string")
    out["place_distance_m"] = finnish["distance_m"].to_numpy(dtype="float64").round(1)
    return out


def place_name(row: pd.Series, lang: str) -> str:
    """Return a hotspot's place name for an interface language ('' when it has none).

    Parameters
    ----------
    row
        One row of a table from :func:`name_hotspots` (or without its columns).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``; English reads the Finnish name, as Helsinki's
        English street signs do.

    Returns
    -------
    str
        The name in that language, the other language's when it is missing, or ''.
    """
    first, second = ("place_sv", "place_fi") if lang == "sv" else ("place_fi", "place_sv")
    for column in (first, second):
        value = row.get(column)
        if isinstance(value, str) and value:
            return value
    return ""
