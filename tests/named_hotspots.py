"""Incidents planted at known addresses and places of the OSM centre register, for hotspot names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import crs
from geo.gazetteer import Register

#: Planted hotspots: a register address and a register place, and how many incidents each.
PLANTED = {("address", "Kaivokatu", "8"): 60, ("place", "Rautatientori", ""): 60}


def point_of(register: Register, kind: str, name: str, number: str) -> tuple[float, float]:
    """Return the EPSG:3067 point of a register address (``kind='address'``) or place."""
    if kind == "address":
        table = register.addresses
        row = table[(table["street_fi"] == name) & (table["number"] == number)].iloc[0]
    else:
        table = register.places
        row = table[table["name_fi"] == name].iloc[0]
    return float(row["x_m"]), float(row["y_m"])


def raw_incidents(register: Register, *, seed: int = 13, background: int = 150) -> pd.DataFrame:
    """Rows as a partner's file: incidents within a few metres of each planted point, and a
    sparse background over the centre; ``occurred_at``, ``category``, ``lon``, ``lat``.
    """
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for (kind, name, number), n in PLANTED.items():
        x_m, y_m = point_of(register, kind, name, number)
        xs.append(x_m + rng.normal(0.0, 4.0, n))
        ys.append(y_m + rng.normal(0.0, 4.0, n))
    xs.append(rng.uniform(384_500.0, 387_500.0, background))
    ys.append(rng.uniform(6_670_500.0, 6_673_500.0, background))
    x_all, y_all = np.concatenate(xs), np.concatenate(ys)
    lon, lat = crs.to_wgs84(x_all, y_all)
    start = pd.Timestamp("2026-03-01", tz="Europe/Helsinki")
    when = start + pd.to_timedelta(rng.uniform(0, 150 * 86_400, len(x_all)), unit="s")
    return pd.DataFrame(
        {
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "category": "assault",
            "lon": np.round(lon, 7),
            "lat": np.round(lat, 7),
        }
    )
