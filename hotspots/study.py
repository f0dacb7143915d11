"""What a study is made of: incidents and the area they are studied on, in Helsinki or anywhere.

Helsinki (``helsinki_study``): canonical incidents, imported or from the store; the study
area is Helsinki's land and the hotspots are named after its districts. Anywhere else
(``points_study``): a plain table with lon/lat (WGS84) and a time column, projected to a
local metric CRS (the UTM zone of the points; EPSG:3067 in Finland); the study area is
the 150 m cells that hold any incident (``area="none"``) or the polygons of a file.

``cluster``, ``brief`` and ``evaluate`` of the command line share these, so a hotspot
found by ``cluster`` on another city's data is the one ``evaluate`` scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo import crs as geo_crs
from geo import districts, schema, settings
from geo.errors import HotspotsError, InputFormatError
from hotspots import grid as study
from hotspots.evaluation import prepare_points

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


__all__ = ["StudyData", "helsinki_study", "points_study", "read_points"]
