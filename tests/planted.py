"""Generated incidents with known places, for the backtest and the parameter search."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A 6 km x 6 km square in EPSG:3067 (eastern Helsinki's scale), cells of 150 m.
BOX = (380_000.0, 6_670_000.0, 386_000.0, 6_676_000.0)
TZ = "Europe/Helsinki"


def times(rng: np.random.Generator, n: int, start: str, stop: str) -> pd.Series:
    """``n`` random times in ``[start, stop)``, the first and last near the two ends."""
    first, last = pd.Timestamp(start, tz=TZ), pd.Timestamp(stop, tz=TZ)
    span = (last - first).total_seconds()
    seconds = rng.uniform(0, span, n)
    # The data start on the first day and end on the last, as the windows are anchored there.
    seconds[0], seconds[-1] = 1800.0, span - 1800.0
    return pd.Series(first + pd.to_timedelta(seconds, unit="s"))


def frame_of(x: np.ndarray, y: np.ndarray, when: pd.Series) -> pd.DataFrame:
    """A backtest frame: ``x_m``, ``y_m`` and aware ``occurred_at``."""
    return pd.DataFrame(
        {"x_m": np.asarray(x, dtype=float), "y_m": np.asarray(y, dtype=float), "occurred_at": when.to_numpy()}
    ).assign(occurred_at=lambda f: pd.to_datetime(f["occurred_at"], utc=True).dt.tz_convert(TZ))


def planted(seed: int = 1, *, rings: bool = False) -> pd.DataFrame:
    """A year of incidents: uniform background plus stable places (blobs, or rings of 500 m)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = BOX
    parts_x, parts_y = [rng.uniform(x0, x1, 1500)], [rng.uniform(y0, y1, 1500)]
    centres = [
        (381_500.0, 6_671_500.0),
        (384_500.0, 6_671_500.0),
        (381_500.0, 6_674_500.0),
        (384_500.0, 6_674_500.0),
    ]
    for cx, cy in centres:
        if rings:
            angle = rng.uniform(0, 2 * np.pi, 500)
            radius = 500.0 + rng.normal(0, 25.0, 500)
            parts_x.append(cx + radius * np.cos(angle))
            parts_y.append(cy + radius * np.sin(angle))
        else:
            parts_x.append(rng.normal(cx, 120.0, 500))
            parts_y.append(rng.normal(cy, 120.0, 500))
    x, y = np.concatenate(parts_x), np.concatenate(parts_y)
    when = times(rng, x.size, "2025-01-01", "2026-01-01")
    return frame_of(x, y, when)
