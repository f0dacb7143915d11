"""Coordinate reference systems: metres inside (EPSG:3067), WGS84 only at the edges."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from geo.errors import ParameterError

WGS84 = "EPSG:4326"
#: ETRS-TM35FIN, the national metric CRS; every analysis runs in it.
METRIC = "EPSG:3067"
#: ETRS-GK25, Helsinki's own plane coordinates.
GK25 = "EPSG:3879"

SUPPORTED = (WGS84, METRIC, GK25)


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def normalise_crs(crs: str | int) -> str:
    """Return ``'EPSG:n'`` for ``3879``, ``'3879'``, ``'epsg:3879'`` or ``'EPSG:3879'``.

    Parameters
    ----------
    crs
        An EPSG code as int or string.

    Returns
    -------
    str
        The code in the form ``EPSG:n``.
    """
    text = str(crs).strip().upper()
    if text.startswith("EPSG:"):
        text = text[5:]
    if not text.isdigit():
        raise ValueError(f"crs must be an EPSG code such as 3879 or EPSG:3067, got {crs!r}")
    return f"EPSG:{int(text)}"


def transform(
    x: ArrayLike, y: ArrayLike, *, src: str, dst: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Transform coordinate arrays between two CRS (x = easting/longitude first).

    Parameters
    ----------
    x, y
        Coordinates in ``src``; lon/lat order for EPSG:4326.
    src, dst
        EPSG codes.

    Returns
    -------
    tuple of ndarray
        x and y in ``dst`` as float64 arrays.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    src, dst = normalise_crs(src), normalise_crs(dst)
    if src == dst:
        return xs.copy(), ys.copy()
    out_x, out_y = _transformer(src, dst).transform(xs, ys)
    return np.asarray(out_x, dtype=np.float64), np.asarray(out_y, dtype=np.float64)


def to_metric(x: ArrayLike, y: ArrayLike, *, src: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Transform coordinates in ``src`` to metres in EPSG:3067.

    Parameters
    ----------
    x, y
        Coordinates in ``src``; lon/lat order for EPSG:4326.
    src
        EPSG code, e.g. ``'EPSG:3879'``.

    Returns
    -------
    tuple of ndarray
        Eastings and northings in EPSG:3067 metres.
    """
    return transform(x, y, src=src, dst=METRIC)


def to_wgs84(
    x: ArrayLike, y: ArrayLike, *, src: str = METRIC
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Transform coordinates in ``src`` (EPSG:3067 by default) to lon/lat.

    Parameters
    ----------
    x, y
        Coordinates in ``src``.
    src
        EPSG code of the input; EPSG:3067 metres by default.

    Returns
    -------
    tuple of ndarray
        Longitudes and latitudes in EPSG:4326 degrees.
    """
    return transform(x, y, src=src, dst=WGS84)


# Plausible coordinate ranges for the Helsinki region in each CRS. They do not overlap,
# which is what makes a guess unambiguous: lon/lat are tiny, GK25 eastings carry the zone
# prefix 25 (25.4-25.52 million), TM35FIN eastings are six digits (370-410 thousand).
_HELSINKI_REGION_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    WGS84: ((24.5, 25.5), (59.9, 60.5)),
    GK25: ((25_440_000.0, 25_530_000.0), (6_640_000.0, 6_700_000.0)),
    METRIC: ((360_000.0, 420_000.0), (6_640_000.0, 6_700_000.0)),
}


def guess_crs(x: ArrayLike, y: ArrayLike) -> str | None:
    """Guess the CRS of coordinates in the Helsinki region, or None when ambiguous.

    A CRS is returned only when at least 95 % of the finite coordinate pairs fall in its
    plausible range for the Helsinki region and no other CRS's range holds any of them.

    Parameters
    ----------
    x, y
        Easting/longitude and northing/latitude values.

    Returns
    -------
    str or None
        ``EPSG:4326``, ``EPSG:3879`` or ``EPSG:3067``; None when the numbers do not decide.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    finite = np.isfinite(xs) & np.isfinite(ys)
    if not finite.any():
        return None
    xs, ys = xs[finite], ys[finite]
    shares: dict[str, float] = {}
    for crs, ((x0, x1), (y0, y1)) in _HELSINKI_REGION_RANGES.items():
        inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
        shares[crs] = float(inside.mean())
    candidates = [crs for crs, share in shares.items() if share >= 0.95]
    others = [crs for crs, share in shares.items() if share > 0 and crs not in candidates]
    if len(candidates) == 1 and not others:
        return candidates[0]
    return None


#: Finland's extent in lon/lat: points inside use EPSG:3067, others a UTM zone.
_FINLAND_LONLAT = ((19.0, 32.0), (59.0, 70.5))


def local_metric_crs(lon: ArrayLike, lat: ArrayLike) -> str:
    """Return a metric CRS for points given in lon/lat: EPSG:3067 in Finland, else their UTM zone.

    Parameters
    ----------
    lon, lat
        WGS84 degrees.

    Returns
    -------
    str
        ``EPSG:3067`` when the median point lies in Finland's extent, otherwise
        ``EPSG:326zz`` (north) or ``EPSG:327zz`` (south) of the median point's zone.

    Raises
    ------
    ParameterError
        No finite WGS84 coordinate pair.
    """
    lons = np.asarray(lon, dtype=np.float64)
    lats = np.asarray(lat, dtype=np.float64)
    ok = np.isfinite(lons) & np.isfinite(lats) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    if not ok.any():
        raise ParameterError("lon/lat hold no finite WGS84 coordinates; cannot choose a metric CRS")
    mid_lon, mid_lat = float(np.median(lons[ok])), float(np.median(lats[ok]))
    (x0, x1), (y0, y1) = _FINLAND_LONLAT
    if x0 <= mid_lon <= x1 and y0 <= mid_lat <= y1:
        return METRIC
    zone = min(60, math.floor((mid_lon + 180.0) / 6.0) + 1)
    return f"EPSG:{(32600 if mid_lat >= 0 else 32700) + zone}"
