"""Where the command line's incidents come from: Helsinki's import or store, or any city's table.

``--districts helsinki`` (the default) reads INPUT like ``hotspots import`` does (or the
store with ``--db``); the study area is Helsinki's land and the hotspots are named after
its districts. ``--districts none`` or a polygon file reads INPUT as a plain table with
lon/lat (WGS84) and a time column (``--lon --lat --time --timezone``), projects it to a
local metric CRS (the UTM zone of the points; EPSG:3067 in Finland) and uses as the study
area the 150 m cells that hold any incident (``none``) or the file's polygons.

``cluster``, ``brief`` and ``evaluate`` share these options, so a hotspot found by
``cluster`` on another city's data is the one ``evaluate`` scores.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo import crs as geo_crs
from geo import schema, settings
from geo.errors import HotspotsError, InputFormatError
from geo.timeparse import local_day
from hotspots import grid as study
from hotspots.evaluation import prepare_points
from hotspots.selection import Selection, districts_by_name

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
    """

    incidents: pd.DataFrame
    origin: str
    grid: study.StudyGrid | None
    districts: gpd.GeoDataFrame | None
    where: str
    timezone: str
    helsinki: bool


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """``--districts --cell --lon --lat --time --timezone`` (shared by cluster, brief and evaluate)."""
    parser.add_argument(
        "--districts",
        default="helsinki",
        help="helsinki (default), none (the 150 m cells holding incidents: any city, lon/lat) "
        "or a polygon file (the study area)",
    )
    parser.add_argument("--cell", type=float, default=study.DEFAULT_CELL_M, help="cell side in metres (150)")
    parser.add_argument("--lon", default="lon", help="longitude column when --districts is not helsinki")
    parser.add_argument("--lat", default="lat", help="latitude column when --districts is not helsinki")
    parser.add_argument("--time", default="occurred_at", help="time column when --districts is not helsinki")
    parser.add_argument(
        "--timezone",
        default=schema.TIMEZONE,
        help=f"zone of naive times and of --since/--until when --districts is not helsinki "
        f"(default {schema.TIMEZONE})",
    )


def add_part_arguments(parser: argparse.ArgumentParser) -> None:
    """``--sheet`` (XLSX) and ``--layer`` (GeoPackage): which table of a file to read."""
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    parser.add_argument("--layer", help="GeoPackage layer to read (default: the first)")


def load_incidents(args: argparse.Namespace) -> tuple[pd.DataFrame, str]:
    """Helsinki incidents from INPUT (imported in memory, rejects reported) or from the store."""
    if args.input and args.db:
        raise HotspotsError("give either INPUT or --db, not both")
    if args.input:
        from geo import incidents

        path = Path(args.input)
        if not path.is_file():
            raise HotspotsError(f"input file {path} does not exist")
        result = incidents.import_incidents(
            path,
            crs=args.crs,
            file_name=path.name,
            sheet=getattr(args, "sheet", None),
            layer=getattr(args, "layer", None),
        )
        if result.report.rejected:
            print(
                f"note: {result.report.rejected} rows of {path.name} were rejected; "
                f"`hotspots import {path}` writes them with reasons",
                file=sys.stderr,
            )
        return result.incidents, path.name
    from geo import store

    with store.open_store(args.db) as db:
        return db.query(), db.url


def read_points(path: Path, *, lon: str, lat: str, time: str, timezone: str) -> tuple[pd.DataFrame, str]:
    """Incidents anywhere from a CSV/Parquet/GeoJSON/GPKG file, projected to a local metric CRS.

    Rows without coordinates or time, and rows dated outside the plausible period
    (``geo.settings.plausible_period``), are left out and counted on standard error.
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
            f"{path} lacks the columns {missing}; name them with --lon, --lat and --time "
            f"(columns are {list(frame.columns)[:12]})"
        )
    points, metric = prepare_points(frame, lon=lon, lat=lat, occurred_at=time, timezone=timezone)
    earliest, latest = settings.plausible_period()
    when = points["occurred_at"]
    plausible = ((when >= earliest) & (when < latest)).to_numpy(dtype=bool, na_value=False)
    dropped = len(frame) - len(points)
    if dropped or not plausible.all():
        print(
            f"note: {path.name}: {dropped} rows without coordinates or time and "
            f"{int((~plausible).sum())} dated outside {earliest.date()} .. {latest.date()} left out",
            file=sys.stderr,
        )
    return points.loc[plausible].reset_index(drop=True), metric


def load_study(args: argparse.Namespace) -> StudyData:
    """Incidents and study area as ``--districts`` (and INPUT / ``--db``) describe them."""
    if not args.input and not args.db:
        raise HotspotsError("give an incident file INPUT (or --db)")
    choice = str(args.districts).strip()
    if choice.lower() == "helsinki":
        from geo import districts

        frame, origin = load_incidents(args)
        return StudyData(
            incidents=frame,
            origin=origin,
            grid=None,
            districts=districts.load_districts("peruspiiri"),
            where="Helsinki's districts (land, without the sea)",
            timezone=schema.TIMEZONE,
            helsinki=True,
        )
    if args.db:
        raise HotspotsError("--db holds Helsinki data; use --districts helsinki with it, or give INPUT")
    path = Path(args.input)
    if not path.is_file():
        raise InputFormatError(f"input file {path} does not exist")
    frame, metric = read_points(path, lon=args.lon, lat=args.lat, time=args.time, timezone=args.timezone)
    if frame.empty:
        raise InputFormatError(f"{path} has no row with coordinates and a plausible time")
    if choice.lower() == "none":
        grid = study.occupied_grid(frame["x_m"], frame["y_m"], cell_m=args.cell, crs=metric)
        where = f"the {args.cell:g} m cells holding incidents ({metric})"
    else:
        area = study.read_study_area(choice, crs=metric)
        grid = study.study_grid(area, cell_m=args.cell, crs=metric)
        where = f"polygons of {choice} ({metric})"
    return StudyData(
        incidents=frame,
        origin=path.name,
        grid=grid,
        districts=None,
        where=where,
        timezone=args.timezone,
        helsinki=False,
    )


def selection_from_args(args: argparse.Namespace, *, timezone: str = schema.TIMEZONE) -> Selection:
    """Filters of ``cluster`` and ``brief`` as a Selection (dates in ``timezone``)."""
    osaalue: tuple[str, ...] = ()
    if getattr(args, "district", None):
        from geo import districts

        table = districts.hierarchy()
        found = districts_by_name(args.district, table)
        codes: set[str] = set(found["osaalue"])
        for level in ("suurpiiri", "peruspiiri"):
            codes |= set(table.loc[table[f"{level}_code"].isin(found[level]), "osaalue_code"])
        osaalue = tuple(sorted(codes))
    return Selection(
        since=None if args.since is None else local_day(args.since, "--since", timezone),
        until=None if args.until is None else local_day(args.until, "--until", timezone),
        categories=tuple(args.category or ()),
        osaalue=osaalue,
    )


def check_helsinki_only(args: argparse.Namespace, data: StudyData) -> None:
    """Refuse options that only Helsinki data have (district filter, canonical categories)."""
    if data.helsinki:
        return
    if getattr(args, "district", None):
        raise HotspotsError(
            "--district names Helsinki's districts; with --districts none or FILE leave it out"
        )
    if getattr(args, "category", None):
        raise HotspotsError(
            "--category filters Helsinki's canonical categories; with --districts none or FILE "
            "cut INPUT to the categories you want first"
        )


__all__ = [
    "StudyData",
    "add_part_arguments",
    "add_study_arguments",
    "check_helsinki_only",
    "load_incidents",
    "load_study",
    "read_points",
    "selection_from_args",
]
