"""What a study is made of: incidents and the area they are studied on, in Helsinki or anywhere.

Helsinki (``helsinki_study``): canonical incidents, imported or from the store; the study
area is Helsinki's land and the hotspots are named after its districts. Anywhere else
(``points_study``): a plain table with lon/lat (WGS84) and a time column, projected to a
local metric CRS (the UTM zone of the points; EPSG:3067 in Finland); the study area is
the 150 m cells that hold any incident (``area="none"``) or the polygons of a file.

Reading a plain points table (``read_points``) parses its times (``parse_times``: offsets
kept, naive times localised) and projects it (``prepare_points``); ``aware_times`` is the
check every backtest makes of an incident frame's times.

``cluster``, ``brief`` and ``evaluate`` of the command line share these, so a hotspot
found by ``cluster`` on another city's data is the one ``evaluate`` scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import crs as geo_crs
from geo import districts, schema, settings
from geo.errors import HotspotsError, InputFormatError, ParameterError
from hotspots import grid as study

_TABLE_SUFFIXES: Final = (".csv", ".parquet", ".geojson", ".json", ".gpkg")


@dataclass(frozen=True)
class StudyData:
    """Incidents and the area they are studied on.

    Attributes
    ----------
    incidents
        Canonical incidents (Helsinki) or ``x_m``/``y_m``/``occurred_at`` rows (elsewhere).
    origin
        The file name or store URL, for reports.
    grid
        The study grid; None for Helsinki's land (the analysis makes it).
    districts
        The peruspiiri layer (Helsinki) or None (the study area is one district).
    where
        One line describing the study area.
    timezone
        Zone of the period's dates (``--since``/``--until``).
    helsinki
        True for Helsinki data (district names, residents, the district filter).
    note
        What reading left out, for the user; None when nothing was.
    """

    incidents: pd.DataFrame
    origin: str
    grid: study.StudyGrid | None
    districts: gpd.GeoDataFrame | None
    where: str
    timezone: str
    helsinki: bool
    note: str | None


_OFFSET_AT_END: Final = r"(?:[+-]\d{2}:?\d{2}|Z)\s*$"


def _to_datetime(values: pd.Series, *, utc: bool) -> pd.Series:
    """``pd.to_datetime`` of ISO 8601 text, falling back to per-value parsing for other forms."""
    try:
        return pd.to_datetime(values, errors="coerce", utc=utc, format="ISO8601")
    except (ValueError, TypeError):
        return pd.to_datetime(values, errors="coerce", utc=utc, format="mixed")


def parse_times(values: pd.Series, *, timezone: str | None, name: str = "occurred_at") -> pd.Series:
    """Read the times of a column as aware timestamps in ``timezone``.

    Text with a UTC offset (``2022-03-14T01:30:00-05:00``, ``...Z``) keeps its instant,
    also when the offset changes with daylight saving time inside the column; text
    without one is local time in ``timezone`` (a time in the spring gap moves forward, a
    repeated autumn hour is missing). Unparseable values are missing (NaT).

    Raises
    ------
    ParameterError
        Naive times and no ``timezone``.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(timezone) if timezone is not None else values
    if pd.api.types.is_datetime64_dtype(values.dtype):
        naive, aware = values, None
    else:
        text = values.astype("string").str.strip()
        offset = text.str.contains(_OFFSET_AT_END, regex=True, na=False).to_numpy(dtype=bool)
        naive = _to_datetime(text.where(~offset), utc=False) if (~offset).any() else None
        aware = _to_datetime(text.where(offset), utc=True) if offset.any() else None
        if naive is not None and isinstance(naive.dtype, pd.DatetimeTZDtype):
            naive = naive.dt.tz_localize(None)
    zone = timezone if timezone is not None else "UTC"
    if naive is not None and naive.notna().any():
        if timezone is None:
            raise ParameterError(
                f"column {name!r} holds times without a time zone; pass timezone= "
                "(e.g. 'America/Toronto') to localise them"
            )
        local = naive.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")
    else:
        local = pd.Series(pd.NaT, index=values.index, dtype=f"datetime64[ns, {zone}]")
    if aware is not None:
        local = local.where(aware.isna(), aware.dt.tz_convert(zone))
    return local


def prepare_points(
    frame: pd.DataFrame,
    *,
    lon: str = "lon",
    lat: str = "lat",
    occurred_at: str = "occurred_at",
    timezone: str | None = None,
    metric_crs: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """Return incidents anywhere as a backtest frame: ``x_m``/``y_m`` in a local metric CRS.

    Parameters
    ----------
    frame
        Rows with WGS84 ``lon``/``lat`` columns and a time column; not changed.
    lon, lat, occurred_at
        Names of those columns.
    timezone
        IANA zone to localise naive times in (e.g. ``America/Toronto``); aware times are
        converted to it. None keeps aware times as they are and needs aware times.
    metric_crs
        EPSG code of the metric CRS; None chooses with ``local_metric_crs``.

    Returns
    -------
    frame : DataFrame
        A copy with ``x_m``, ``y_m`` (metres) and ``occurred_at`` (aware); rows without
        finite coordinates or time are dropped.
    crs : str
        The metric CRS used.
    """
    for name in (lon, lat, occurred_at):
        if name not in frame.columns:
            raise ParameterError(
                f"frame lacks the column {name!r}; name the columns with lon=, lat=, occurred_at="
            )
    lons = pd.to_numeric(frame[lon], errors="coerce").to_numpy(dtype=np.float64)
    lats = pd.to_numeric(frame[lat], errors="coerce").to_numpy(dtype=np.float64)
    target = geo_crs.normalise_crs(metric_crs) if metric_crs else geo_crs.local_metric_crs(lons, lats)
    when = parse_times(frame[occurred_at], timezone=timezone, name=occurred_at)
    x, y = geo_crs.transform(lons, lats, src=geo_crs.WGS84, dst=target)
    out = frame.copy()
    out["x_m"], out["y_m"], out["occurred_at"] = x, y, when.to_numpy()
    out["occurred_at"] = when
    keep = np.isfinite(x) & np.isfinite(y) & when.notna().to_numpy(dtype=bool)
    return out.loc[keep].reset_index(drop=True), target


def aware_times(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return the ``occurred_at`` column of an incident frame, checked to hold aware times.

    Parameters
    ----------
    frame
        Incidents (canonical, or ``prepare_points`` output).
    name
        What the frame is called in messages (``"incidents"``).

    Returns
    -------
    Series
        ``frame["occurred_at"]`` itself.

    Raises
    ------
    ParameterError
        The column is missing or its times are naive.
    """
    if "occurred_at" not in frame.columns:
        raise ParameterError(f"{name} lacks the column 'occurred_at'; pass the canonical incident table")
    when = frame["occurred_at"]
    if not isinstance(when.dtype, pd.DatetimeTZDtype):
        raise ParameterError(
            f"{name}.occurred_at must hold timezone-aware times, got dtype {when.dtype}; "
            "import incidents through geo or use prepare_points(..., timezone=...)"
        )
    return when


def read_points(
    path: Path, *, lon: str, lat: str, time: str, timezone: str
) -> tuple[pd.DataFrame, str, str | None]:
    """Incidents anywhere from a CSV/Parquet/GeoJSON/GPKG file, projected to a local metric CRS.

    Parameters
    ----------
    path
        The table.
    lon, lat, time
        Its longitude, latitude (WGS84) and time columns.
    timezone
        Zone of naive times.

    Returns
    -------
    tuple
        The points (``x_m``, ``y_m``, ``occurred_at`` and the file's columns), the metric CRS
        and a note counting the rows left out (without coordinates or time, or dated outside
        ``geo.settings.plausible_period``), None when none were.
    """
    suffix = path.suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise InputFormatError(f"{path} has the suffix {path.suffix!r}; give one of {list(_TABLE_SUFFIXES)}")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, low_memory=False)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            layer = gpd.read_file(path)
            if layer.crs is None:
                raise InputFormatError(f"{path} has no CRS; save it with one (e.g. EPSG:4326)")
            points = layer.to_crs(geo_crs.WGS84)
            frame = pd.DataFrame(points.drop(columns=points.geometry.name))
            frame[lon], frame[lat] = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    except (ValueError, OSError, ImportError) as exc:
        if isinstance(exc, HotspotsError):
            raise
        raise InputFormatError(f"cannot read {path}: {exc}; save it as UTF-8 CSV with a header row") from exc
    missing = [name for name in (lon, lat, time) if name not in frame.columns]
    if missing:
        raise InputFormatError(
            f"{path} lacks the columns {missing}; name its longitude, latitude and time columns "
            f"(columns are {list(frame.columns)[:12]})"
        )
    points, metric = prepare_points(frame, lon=lon, lat=lat, occurred_at=time, timezone=timezone)
    earliest, latest = settings.plausible_period()
    when = points["occurred_at"]
    plausible = ((when >= earliest) & (when < latest)).to_numpy(dtype=bool, na_value=False)
    dropped = len(frame) - len(points)
    note = None
    if dropped or not plausible.all():
        note = (
            f"{path.name}: {dropped} rows without coordinates or time and "
            f"{int((~plausible).sum())} dated outside {earliest.date()} .. {latest.date()} left out"
        )
    return points.loc[plausible].reset_index(drop=True), metric, note


def helsinki_study(incidents: pd.DataFrame, origin: str) -> StudyData:
    """Helsinki's canonical incidents on Helsinki's land, named after its peruspiiri."""
    return StudyData(
        incidents=incidents,
        origin=origin,
        grid=None,
        districts=districts.load_districts("peruspiiri"),
        where="Helsinki's districts (land, without the sea)",
        timezone=schema.TIMEZONE,
        helsinki=True,
        note=None,
    )


def points_study(
    path: Path, *, area: str, cell_m: float, lon: str, lat: str, time: str, timezone: str
) -> StudyData:
    """Incidents anywhere (``read_points``) on the cells that hold them or on a polygon file.

    Parameters
    ----------
    path
        The incident table.
    area
        ``"none"``: the ``cell_m`` cells holding incidents; else a polygon file.
    cell_m
        Side of the study cells in metres.
    lon, lat, time, timezone
        As in ``read_points``.

    Returns
    -------
    StudyData
        ``helsinki`` False, ``districts`` None (the study area is one district).
    """
    if not path.is_file():
        raise InputFormatError(f"input file {path} does not exist")
    frame, metric, note = read_points(path, lon=lon, lat=lat, time=time, timezone=timezone)
    if frame.empty:
        raise InputFormatError(f"{path} has no row with coordinates and a plausible time")
    if area.strip().lower() == "none":
        grid = study.occupied_grid(frame["x_m"], frame["y_m"], cell_m=cell_m, crs=metric)
        where = f"the {cell_m:g} m cells holding incidents ({metric})"
    else:
        grid = study.study_grid(study.read_study_area(area, crs=metric), cell_m=cell_m, crs=metric)
        where = f"polygons of {area} ({metric})"
    return StudyData(
        incidents=frame,
        origin=path.name,
        grid=grid,
        districts=None,
        where=where,
        timezone=timezone,
        helsinki=False,
        note=note,
    )


__all__ = [
    "StudyData",
    "aware_times",
    "helsinki_study",
    "parse_times",
    "points_study",
    "prepare_points",
    "read_points",
]
