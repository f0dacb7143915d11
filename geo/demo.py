"""Synthetic but realistic demo incidents over Helsinki's real districts.

The demo set stands in for a two-year joint situational picture when no real export is
at hand. It is built from known rules, so the hotspot engine has answers to find:

- concentrations around real busy places (``geo.demo_profiles``: the central railway
  station, Kamppi, Kallio, Itäkeskus, Kontula, Malmi, Vuosaari ...), each a Gaussian blob
  in EPSG:3067 metres with its own category mix, time profile and *life*: ``stable``,
  ``emerging`` (active only in the last six months) or ``fading`` (strong for the first
  eighteen months, weak in the last six);
- a background of scattered incidents of every category over populated 250 m cells of
  the HSY population grid (weighted by the square root of inhabitants, so it is spread
  thin and gives DBSCAN noise);
- residents' concerns following where people live (cells weighted by inhabitants,
  uniform within a cell).

Times follow the category: street drug dealing mostly 16-02 and more Thursday to
Saturday, youth violence on Friday and Saturday evenings (19-02), assaults at night
especially at weekends, vandalism at night, residents' concerns by day and in the
evening; youth categories are more frequent in summer. An incident after midnight belongs
to the evening before it (its *service day*), so "Friday evening" includes Saturday 01:30.
Sources follow the category (police for drug dealing, robbery and weapons, youth services
for youth violence and gangs, residents for residents' concerns ...). Severity is 1-5 with
a category-dependent distribution and a few missing values.

Every row has ``synthetic`` True: that is how a demo row is marked demo, while ``source``
keeps the canonical values that filters use. Points fall inside Helsinki's osa-alue
polygons and never in the territorial sea (osa-alue 533 'Aluemeri'); points outside are
drawn again. Output depends only on ``n``, ``seed`` and ``end``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo import crs, demo_profiles, districts, files, schema
from geo.districts import TERRITORIAL_SEA_CODE
from geo.download import require
from geo.errors import DataUnavailableError, ParameterError

#: Default (exclusive) end of the demo period: a fixed date, never "today", so that the
#: same seed gives the same frame on every day. The period is the two years before it,
#: 2024-10-31 00:00 to 2026-10-31 00:00 Europe/Helsinki.
DEFAULT_END: Final = date(2026, 10, 31)
SPAN_YEARS: Final = 2
#: Length of the last half-year in which emerging places appear and fading ones fade.
RECENT_MONTHS: Final = 6
#: Shares of all incidents in the scattered background and in residents' spread concerns;
#: the rest belong to the concentrations.
BACKGROUND_SHARE: Final = 0.30
RESIDENT_SHARE: Final = 0.12
#: Largest ``n`` accepted by ``generate_demo``.
MAX_N: Final = 10_000_000
#: File formats ``write_demo`` writes, by suffix.
WRITE_SUFFIXES: Final = (".csv", ".geojson", ".gpkg", ".parquet")

_DAY_S: Final = 86_400
#: Hour at which a service day starts: incidents 00-05 belong to the evening before.
_SERVICE_DAY_START_H: Final = 6
_MAX_RESAMPLE_ROUNDS: Final = 200
_LIFE_OUTSIDE: Final[dict[str, float]] = {"stable": 1.0, "emerging": 0.02, "fading": 1.0}
_LIFE_RECENT: Final[dict[str, float]] = {"stable": 1.0, "emerging": 1.0, "fading": 0.06}
#: Shares of rows without a severity and without a description.
_SEVERITY_MISSING: Final = 0.04
_DESCRIPTION_MISSING: Final = 0.08


# --------------------------------------------------------------------------- period


def demo_period(end: date | pd.Timestamp | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the half-open period ``[start, stop)`` the demo covers, in Europe/Helsinki time.

    Parameters
    ----------
    end
        Exclusive end: a date means local midnight at the start of that day; a naive
        timestamp is local time, an aware one is converted; either is truncated to local
        midnight. None means ``DEFAULT_END`` (2026-10-31), a fixed date so that output
        does not change from day to day.

    Returns
    -------
    tuple of Timestamp
        ``start`` (two years before ``stop``) and ``stop``, both local midnights.
    """
    if end is None:
        end = DEFAULT_END
    if not isinstance(end, date):  # pd.Timestamp and datetime are dates too
        raise ParameterError(
            f"end must be a datetime.date or pandas.Timestamp (the exclusive end of the demo "
            f"period) or None for {DEFAULT_END}, got {end!r}"
        )
    stamp = pd.Timestamp(end)
    stamp = stamp.tz_localize(schema.TIMEZONE) if stamp.tzinfo is None else stamp.tz_convert(schema.TIMEZONE)
    stop = stamp.normalize()
    start = (stop.tz_localize(None) - pd.DateOffset(years=SPAN_YEARS)).tz_localize(schema.TIMEZONE)
    return start, stop


def recent_start(end: date | pd.Timestamp | None = None) -> pd.Timestamp:
    """Return the start of the last ``RECENT_MONTHS`` of the demo period, when emerging places appear.

    Parameters
    ----------
    end
        As in ``demo_period``.

    Returns
    -------
    Timestamp
        Local midnight six months before the (exclusive) end.
    """
    _, stop = demo_period(end)
    return (stop.tz_localize(None) - pd.DateOffset(months=RECENT_MONTHS)).tz_localize(schema.TIMEZONE)


# --------------------------------------------------------------------------- components


@dataclass(frozen=True)
class _Component:
    """One source of incidents: a concentration, the background or residents' concerns."""

    mix: NDArray[np.float64]  # per category in schema.CATEGORIES order
    hours: NDArray[np.float64]  # 24 clock-hour multipliers
    weekdays: NDArray[np.float64]  # 7 service-weekday multipliers
    life: demo_profiles.Life
    share: float  # expected share of all incidents
    centre: tuple[float, float] | None  # EPSG:3067 metres; None samples population cells
    sigma_m: float
    cell_power: float  # exponent on inhabitants for population sampling


def _mix_array(mix: Mapping[str, float]) -> NDArray[np.float64]:
    values = np.array([mix.get(category, 0.0) for category in schema.CATEGORIES], dtype=np.float64)
    return values / values.sum()


def _components(recent_days_share: float) -> list[_Component]:
    """Concentrations first, then the background and the residents' spread."""
    flat_h, flat_w = np.ones(24), np.ones(7)

    def active(life: demo_profiles.Life) -> float:
        return _LIFE_OUTSIDE[life] * (1 - recent_days_share) + _LIFE_RECENT[life] * recent_days_share

    rates = np.array([c.weight * active(c.life) for c in demo_profiles.DEMO_CONCENTRATIONS])
    shares = (1 - BACKGROUND_SHARE - RESIDENT_SHARE) * rates / rates.sum()
    lon = np.array([c.lon for c in demo_profiles.DEMO_CONCENTRATIONS])
    lat = np.array([c.lat for c in demo_profiles.DEMO_CONCENTRATIONS])
    xs, ys = crs.to_metric(lon, lat, src=crs.WGS84)
    out = [
        _Component(
            mix=_mix_array(c.category_mix),
            hours=np.asarray(c.hours, dtype=np.float64),
            weekdays=np.asarray(c.weekdays, dtype=np.float64),
            life=c.life,
            share=float(share),
            centre=(float(x), float(y)),
            sigma_m=c.sigma_m,
            cell_power=0.0,
        )
        for c, share, x, y in zip(demo_profiles.DEMO_CONCENTRATIONS, shares, xs, ys, strict=True)
    ]

    def spread(mix: Mapping[str, float], share: float, cell_power: float) -> _Component:
        return _Component(_mix_array(mix), flat_h, flat_w, "stable", share, None, 0.0, cell_power)

    # The background follows the square root of inhabitants: thin everywhere people live,
    # never a cluster of its own. Residents' concerns follow inhabitants as they are.
    out.append(spread(demo_profiles.BACKGROUND_MIX, BACKGROUND_SHARE, 0.5))
    out.append(spread({"resident_concern": 1.0}, RESIDENT_SHARE, 1.0))
    return out


@dataclass(frozen=True)
class _PopulationGrid:
    """Populated cells: native-CRS bounds and inhabitants."""

    epsg: str
    x0: NDArray[np.float64]
    y0: NDArray[np.float64]
    x1: NDArray[np.float64]
    y1: NDArray[np.float64]
    inhabitants: NDArray[np.float64]


@lru_cache(maxsize=2)
def _read_population_grid(path: str, mtime_ns: int) -> _PopulationGrid:
    del mtime_ns  # cache key only: a refreshed file is read again
    grid = gpd.read_file(path)
    if "inhabitants" not in grid.columns or grid.crs is None or grid.crs.to_epsg() is None:
        raise DataUnavailableError(
            f"the population grid {path} lacks an 'inhabitants' column or an EPSG CRS; it is not the HSY "
            "Väestötietoruudukko. Delete the file and fetch it again, or set HOTSPOTS_DATA_DIR to a "
            "folder with a good copy."
        )
    inhabitants = pd.to_numeric(grid["inhabitants"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    keep = np.isfinite(inhabitants) & (inhabitants > 0)
    if not keep.any():
        raise DataUnavailableError(f"the population grid {path} has no cell with inhabitants > 0")
    bounds = grid.geometry.bounds.to_numpy(dtype=np.float64)[keep]
    return _PopulationGrid(
        epsg=f"EPSG:{grid.crs.to_epsg()}",
        x0=bounds[:, 0],
        y0=bounds[:, 1],
        x1=bounds[:, 2],
        y1=bounds[:, 3],
        inhabitants=inhabitants[keep],
    )


def _population_grid() -> _PopulationGrid:
    path = require("population_grid")
    return _read_population_grid(str(path), path.stat().st_mtime_ns)


def _sample_points(
    component: _Component, size: int, grid: _PopulationGrid, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``size`` EPSG:3067 points of one component (not yet checked against the districts)."""
    if component.centre is not None:
        x = component.centre[0] + rng.normal(0.0, component.sigma_m, size)
        y = component.centre[1] + rng.normal(0.0, component.sigma_m, size)
        return x, y
    weights = grid.inhabitants**component.cell_power
    cell = rng.choice(weights.size, size=size, p=weights / weights.sum())
    u, v = rng.random(size), rng.random(size)
    gx = grid.x0[cell] + u * (grid.x1[cell] - grid.x0[cell])
    gy = grid.y0[cell] + v * (grid.y1[cell] - grid.y0[cell])
    return crs.to_metric(gx, gy, src=grid.epsg)


def _allowed(tags: pd.DataFrame) -> NDArray[np.bool_]:
    """Rows of a ``tag_points`` answer that lie in Helsinki and not in the territorial sea."""
    inside = tags["in_helsinki"].to_numpy(dtype=bool)
    sea = tags["osaalue_code"].eq(TERRITORIAL_SEA_CODE).fillna(False).to_numpy(dtype=bool)
    return inside & ~sea


def _place_points(
    components: list[_Component],
    component_of: NDArray[np.intp],
    grid: _PopulationGrid,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64], pd.DataFrame]:
    """Draw every point, then again those outside Helsinki or in the territorial sea.

    Returns the EPSG:3067 coordinates and their ``tag_points`` district columns.
    """
    n = component_of.size
    x = np.empty(n, dtype=np.float64)
    y = np.empty(n, dtype=np.float64)
    todo = np.arange(n)
    tags: pd.DataFrame | None = None
    redrawn: list[NDArray[np.intp]] = []
    for _ in range(_MAX_RESAMPLE_ROUNDS):
        for index, component in enumerate(components):
            rows = todo[component_of[todo] == index]
            if rows.size:
                x[rows], y[rows] = _sample_points(component, rows.size, grid, rng)
        round_tags = districts.tag_points(x[todo], y[todo])
        if tags is None:
            tags = round_tags
        else:
            redrawn.append(todo)
        todo = todo[~_allowed(round_tags)]
        if todo.size == 0:
            break
    else:
        worst = int(np.bincount(component_of[todo]).argmax())
        raise DataUnavailableError(
            f"demo component {worst} keeps drawing points outside Helsinki's land districts after "
            f"{_MAX_RESAMPLE_ROUNDS} rounds; its centre must lie inside an osa-alue other than "
            f"{TERRITORIAL_SEA_CODE} (Aluemeri). Check geo.demo_profiles.DEMO_CONCENTRATIONS and the "
            "district layer."
        )
    assert tags is not None  # the loop ran at least once
    if redrawn:
        # Tag the redrawn rows once, at their final place, and put them into the first answer.
        rows = np.unique(np.concatenate(redrawn))
        patch = districts.tag_points(x[rows], y[rows])
        columns = {}
        for name in tags.columns:
            values = tags[name].array.copy()
            values[rows] = patch[name].array
            columns[name] = values
        tags = pd.DataFrame(columns)
    return x, y, tags


# --------------------------------------------------------------------------- times


def _place_times(
    components: list[_Component],
    component_of: NDArray[np.intp],
    category_of: NDArray[np.intp],
    start: pd.Timestamp,
    stop: pd.Timestamp,
    cutoff: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DatetimeIndex:
    """Local times from the category and component profiles and the component's life."""
    first, last = start.tz_localize(None), stop.tz_localize(None)
    days = pd.date_range(first, last, freq="D", inclusive="left")
    n_days = len(days)
    weekday = days.weekday.to_numpy()
    month0 = days.month.to_numpy() - 1
    recent = days >= cutoff.tz_localize(None)
    # Position k of a service day is clock hour (k + 6) % 24: the small hours follow the evening.
    service_hours = (np.arange(24) + _SERVICE_DAY_START_H) % 24
    day = np.empty(component_of.size, dtype=np.int64)
    second = np.empty(component_of.size, dtype=np.int64)
    for index, component in enumerate(components):
        life = np.where(recent, _LIFE_RECENT[component.life], _LIFE_OUTSIDE[component.life])
        in_component = component_of == index
        for code, category in enumerate(schema.CATEGORIES):
            rows = np.flatnonzero(in_component & (category_of == code))
            if rows.size == 0:
                continue
            hours_w, weekdays_w, months_w = (
                np.asarray(p, dtype=np.float64) for p in demo_profiles.CATEGORY_TIME[category]
            )
            day_p = weekdays_w[weekday] * component.weekdays[weekday] * months_w[month0] * life
            day[rows] = rng.choice(n_days, size=rows.size, p=day_p / day_p.sum())
            hour_p = (hours_w * component.hours)[service_hours]
            position = rng.choice(24, size=rows.size, p=hour_p / hour_p.sum())
            second[rows] = position * 3600 + rng.integers(0, 3600, size=rows.size)
    offset_s = day * _DAY_S + _SERVICE_DAY_START_H * 3600 + second
    # Evenings of the last day run past the end: wrap them onto the first morning.
    offset_s = np.where(offset_s >= n_days * _DAY_S, offset_s - n_days * _DAY_S, offset_s)
    wall = first.to_datetime64().astype("datetime64[ns]") + offset_s.astype("timedelta64[s]")
    # Autumn's repeated hour reads as summer time; a time in spring's skipped hour moves on.
    return pd.DatetimeIndex(wall).tz_localize(
        schema.TIMEZONE, ambiguous=np.ones(wall.size, dtype=bool), nonexistent="shift_forward"
    )


# --------------------------------------------------------------------------- attributes


def _by_category(
    category_of: NDArray[np.intp],
    table: Mapping[str, tuple[float, ...]],
    rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Draw an index into each category's probability row of ``table``."""
    out = np.zeros(category_of.size, dtype=np.intp)
    for code, category in enumerate(schema.CATEGORIES):
        rows = np.flatnonzero(category_of == code)
        if rows.size:
            p = np.asarray(table[category], dtype=np.float64)
            out[rows] = rng.choice(p.size, size=rows.size, p=p / p.sum())
    return out


def _texts(
    category_of: NDArray[np.intp], table: Mapping[str, tuple[str, ...]], rng: np.random.Generator
) -> NDArray[np.object_]:
    """Pick one of each category's texts uniformly."""
    out = np.empty(category_of.size, dtype=object)
    for code, category in enumerate(schema.CATEGORIES):
        rows = np.flatnonzero(category_of == code)
        if rows.size:
            options = np.array(table[category], dtype=object)
            out[rows] = options[rng.integers(0, options.size, size=rows.size)]
    return out


def _draw_categories(
    components: list[_Component], n: int, rng: np.random.Generator
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Component and category of each of ``n`` incidents, grouped by component."""
    shares = np.array([c.share for c in components])
    counts = rng.multinomial(n, shares / shares.sum())
    component_of = np.repeat(np.arange(len(components)), counts)
    category_of = np.empty(n, dtype=np.intp)
    for index, component in enumerate(components):
        rows = component_of == index
        category_of[rows] = rng.choice(len(schema.CATEGORIES), size=int(counts[index]), p=component.mix)
    return component_of, category_of


def _attributes(category_of: NDArray[np.intp], rng: np.random.Generator) -> dict[str, object]:
    """Source, severity, the source's own label and a description of each incident, by its category."""
    n = category_of.size
    source = np.asarray(schema.SOURCES, dtype=object)[
        _by_category(category_of, demo_profiles.SOURCE_MIX, rng)
    ]
    severity = pd.array(_by_category(category_of, demo_profiles.SEVERITY_MIX, rng) + 1, dtype="Int64")
    severity[rng.random(n) < _SEVERITY_MISSING] = pd.NA
    category_raw = _texts(category_of, demo_profiles.RAW_LABELS, rng)
    description = _texts(category_of, demo_profiles.DESCRIPTIONS, rng)
    description[rng.random(n) < _DESCRIPTION_MISSING] = None
    return {
        "category_raw": category_raw,
        "source": source,
        "severity": severity,
        "description": pd.array(description, dtype="string"),
    }


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= int(n) <= MAX_N:
        raise ParameterError(f"n must be a whole number of incidents in 1..{MAX_N}, got {n!r}")
    return int(n)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or int(seed) < 0:
        raise ParameterError(f"seed must be a whole number >= 0 (e.g. 2026), got {seed!r}")
    return int(seed)


# --------------------------------------------------------------------------- public


def generate_demo(
    *, n: int = 20_000, seed: int = 2026, end: date | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Generate a synthetic but realistic two-year incident set over Helsinki's districts.

    Parameters
    ----------
    n
        Number of incidents, 1 to ``MAX_N``. From about a thousand up every category and
        every source appears.
    seed
        Seed of the random generator (>= 0); the same ``n``, ``seed`` and ``end`` give an
        identical frame.
    end
        Exclusive end of the two-year period (see ``demo_period``); None means the fixed
        ``DEFAULT_END``, 2026-10-31, so the period is 2024-10-31 to 2026-10-31.

    Returns
    -------
    DataFrame
        The canonical incident table (``schema.INCIDENT_DTYPES``, district columns from
        ``districts.tag_points``), sorted by ``occurred_at``, ids ``demo-<seed>-<row>``,
        ``synthetic`` True on every row.

    Raises
    ------
    ParameterError
        When ``n``, ``seed`` or ``end`` is out of range; the message names it.
    DataUnavailableError
        When the district layers or the population grid cannot be had.
    """
    n = _check_n(n)
    seed = _check_seed(seed)
    start, stop = demo_period(end)
    cutoff = recent_start(end)
    rng = np.random.default_rng(seed)
    grid = _population_grid()
    recent_share = (stop - cutoff) / (stop - start)
    components = _components(float(recent_share))

    component_of, category_of = _draw_categories(components, n, rng)
    occurred_at = _place_times(components, component_of, category_of, start, stop, cutoff, rng)
    # Rows in time order, as an export would list them; ids follow that order.
    order = np.argsort(occurred_at.asi8, kind="stable")
    occurred_at, component_of, category_of = occurred_at[order], component_of[order], category_of[order]

    x, y, tags = _place_points(components, component_of, grid, rng)
    attributes = _attributes(category_of, rng)
    lon, lat = crs.to_wgs84(x, y)
    frame = pd.DataFrame(
        {
            "id": pd.array([f"demo-{seed}-{i}" for i in range(n)], dtype="string"),
            "occurred_at": occurred_at,
            "category": np.asarray(schema.CATEGORIES, dtype=object)[category_of],
            **attributes,
            "x_m": x,
            "y_m": y,
            "lon": lon,
            "lat": lat,
            "synthetic": np.ones(n, dtype=bool),
        }
    )
    return schema.conform(pd.concat([frame, tags], axis=1))


#: Columns ``write_demo`` writes (besides geometry in GeoJSON/GeoPackage, where lon/lat go):
#: the canonical ones without the metric x_m/y_m, which an import derives again.
EXPORT_COLUMNS: Final = tuple(c for c in schema.INCIDENT_COLUMNS if c not in ("x_m", "y_m"))


def _iso_with_offset(times: pd.Series) -> pd.Series:
    """'2026-10-30T23:15:04+02:00' for each aware timestamp."""
    text = times.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return text.str[:-2] + ":" + text.str[-2:]


def write_demo(
    path: Path,
    *,
    n: int = 20_000,
    seed: int = 2026,
    end: date | pd.Timestamp | None = None,
) -> Path:
    """Generate demo incidents and write them as CSV, GeoJSON, GeoPackage or Parquet.

    The format follows the suffix. CSV is UTF-8 with ISO 8601 times carrying their UTC
    offset and ``lon``/``lat`` columns; GeoJSON (EPSG:4326) and GeoPackage (EPSG:3067)
    carry the position as point geometry and the time as ISO text; Parquet keeps the
    aware timestamps and ``lon``/``lat``. Columns are the canonical names
    ``EXPORT_COLUMNS``, including ``synthetic`` (True).

    Parameters
    ----------
    path
        Target file; ``.csv``, ``.geojson``, ``.gpkg`` or ``.parquet``. Its folder is
        created; an existing file is replaced.
    n, seed, end
        As in ``generate_demo``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ParameterError
        For an unknown suffix or a bad ``n``, ``seed`` or ``end``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise ParameterError(
            f"path suffix was {path.suffix!r} ({path}) but is expected to be one of {list(WRITE_SUFFIXES)}; "
            "name the file e.g. demo.csv"
        )
    frame = generate_demo(n=n, seed=seed, end=end)
    table = frame.loc[:, list(EXPORT_COLUMNS)].copy()
    if suffix != ".parquet":
        table["occurred_at"] = _iso_with_offset(table["occurred_at"])

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8")
        elif suffix == ".parquet":
            table.to_parquet(tmp, index=False)
        else:
            attributes = table.drop(columns=["lon", "lat"])
            if suffix == ".geojson":
                points = gpd.points_from_xy(frame["lon"], frame["lat"], crs=crs.WGS84)
                driver = "GeoJSON"
            else:
                points = gpd.points_from_xy(frame["x_m"], frame["y_m"], crs=crs.METRIC)
                driver = "GPKG"
            gpd.GeoDataFrame(attributes, geometry=points).to_file(tmp, driver=driver, layer="incidents")

    return files.write_atomically(path, write)
