"""Where the app's incidents come from (demo, store, upload), each read under ``st.cache_data``.

Every data set carries a ``version``: a short string that changes whenever its rows can
(the demo's size and seed; the store's row count and last batch; an upload's content hash
with the import choices). ``views.results`` keys its caches by that version, so a rerun
hashes a few short strings, never 100k rows. ``st.cache_data`` hands each caller its own
copy, so no session can change the frames another one sees; and since a copy of 100k rows
costs about 50 ms, a ``Loaded`` reads its incidents from the cache only when asked (on a
cache miss of a result), not on every rerun. Nothing is drawn here.

Every data set is read through the user's ``store.Scope``: the store's query takes it, the
demo data and uploads are cut by ``store.apply_scope``. A scope that sees less than the
whole city, or only aggregates, adds a digest of its districts to the version, so no
cached result of one user's data is served to another who may see less.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

import store
from geo import demo, districts, geocoding, incidents, population, reading, settings
from geo.errors import HotspotsError
from geo.gazetteer import Register
from geo.geocoder import Geocoder
from geo.incidents import ImportReport
from hotspots.recommendation import read_service_points
from store import LOCAL_ANALYST, Scope, apply_scope

DEMO_SEED = 2026


@dataclass(frozen=True, eq=False)
class Loaded:
    """A data set for the app: what the user must be told about it, and its incidents on request.

    Attributes
    ----------
    version
        Names the content of this data set (see the module docstring): the cache key of
        everything computed from it.
    count
        Number of incidents.
    days
        First and last day of the incidents in Helsinki time; None when there are none.
    synthetic
        Every incident is made up (the demo data, or a store holding only those).
    reader
        Returns the incidents from the cache (see ``incidents``).
    report, rejects
        What an upload's import did, and the rows it rejected (None for demo and store).
    origin
        Where the incidents came from, fit to print in a briefing (no password).
    precise_only
        The user chose to leave roughly geocoded positions out of the hotspots (they still
        count in the figures; ``hotspots.analysis.StudyArea.precise_only``).
    """

    version: str
    count: int
    days: tuple[date, date] | None
    synthetic: bool
    reader: Callable[[], pd.DataFrame] = field(repr=False)
    report: ImportReport | None = None
    rejects: pd.DataFrame | None = None
    origin: str = ""
    precise_only: bool = False

    def incidents(self) -> pd.DataFrame:
        """Return the canonical incidents: a new copy from the cache on every call.

        Call it where the rows are needed (a computation's cache miss), not on every rerun.
        """
        return self.reader()

    def first_and_last_day(self) -> tuple[date, date]:
        """Return the first and last day of the incidents (ValueError when there are none)."""
        if self.days is None:
            raise ValueError(f"the data set {self.version} holds no incidents, so it has no days")
        return self.days


def _loaded(
    version: str,
    frame: pd.DataFrame,
    reader: Callable[[], pd.DataFrame],
    *,
    origin: str,
    report: ImportReport | None = None,
    rejects: pd.DataFrame | None = None,
) -> Loaded:
    """Return the ``Loaded`` of ``frame``: its size, days and whether it is made up."""
    when = frame["occurred_at"]
    return Loaded(
        version=version,
        count=len(frame),
        days=(when.min().date(), when.max().date()) if len(frame) else None,
        synthetic=bool(len(frame)) and bool(frame["synthetic"].all()),
        reader=reader,
        report=report,
        rejects=rejects,
        origin=origin,
    )


@dataclass(frozen=True, eq=False)
class ServicePoints:
    """Youth centres, schools and other service points the recommendations name.

    Attributes
    ----------
    version
        Hash of the uploaded file's content: the cache key of the analyses using them.
    points
        The points (``hotspots.recommendation.read_service_points``).
    """

    version: str
    points: pd.DataFrame


@dataclass(frozen=True)
class StoreState:
    """What the store at ``url`` holds now, or why it cannot be read.

    Attributes
    ----------
    url
        The store's URL (may hold a password: never shown).
    count
        Incidents stored (0 when the store cannot be read).
    last_batch
        Id of the newest import batch; None for an empty or unreadable store.
    problem
        Why the store cannot be opened or read; None when it can.
    """

    url: str
    count: int = 0
    last_batch: int | None = None
    problem: str | None = None

    @property
    def version(self) -> str:
        """Name the store's content: it only grows by batches, so size and last batch say it all."""
        digest = hashlib.sha1(self.url.encode()).hexdigest()[:8]
        return f"store-{digest}-{self.count}-{self.last_batch}"


def scoped_version(version: str, scope: Scope) -> str:
    """Return ``version`` for the data ``scope`` sees: unchanged for the whole city with points.

    Parameters
    ----------
    version
        The version of the whole data set.
    scope
        The user's scope.

    Returns
    -------
    str
        ``version`` plus a digest of the scope's districts and of whether it sees only
        aggregates, when it sees less than an analyst of the whole city.
    """
    if scope.osaalue is None and not scope.aggregated_only:
        return version
    digest = hashlib.sha1(repr((scope.osaalue, scope.aggregated_only)).encode()).hexdigest()[:8]
    return f"{version}-scope-{digest}"


def demo_data(n: int | None = None, seed: int = DEMO_SEED, *, scope: Scope = LOCAL_ANALYST) -> Loaded:
    """Return the synthetic demo set (deterministic for a seed; size from ``HOTSPOTS_DEMO_N``).

    Parameters
    ----------
    n
        Number of incidents; default ``geo.settings.demo_n()``.
    seed
        Random seed.
    scope
        The user's scope: only its districts' incidents (``store.apply_scope``); the local
        analyst by default (local mode).

    Returns
    -------
    Loaded
        The demo incidents, ``synthetic`` and versioned by ``n``, ``seed`` and the scope.
    """
    return _demo(settings.demo_n() if n is None else n, seed, scope)


@st.cache_data(show_spinner=False, max_entries=2)
def _demo_incidents(n: int, seed: int) -> pd.DataFrame:
    return demo.generate_demo(n=n, seed=seed)


def _read_demo(n: int, seed: int, scope: Scope) -> pd.DataFrame:
    # A module-level function, so that a Loaded (pickled by st.cache_data) can name it.
    return apply_scope(_demo_incidents(n, seed), scope)


@st.cache_data(show_spinner=False, max_entries=2)
def _demo(n: int, seed: int, scope: Scope) -> Loaded:
    frame = _read_demo(n, seed, scope)
    reader = partial(_read_demo, n, seed, scope)
    version = scoped_version(f"demo-{n}-{seed}", scope)
    return _loaded(version, frame, reader, origin=f"synthetic demo data (seed {seed})")


def store_state(url: str) -> StoreState:
    """Return the store's size and last batch, or why it cannot be opened or read.

    Read on every rerun (a count and the batch log), so an import shows at once; the app
    offers the demo data while the store is empty or broken.

    Parameters
    ----------
    url
        Store URL (``geo.settings.db_url()``).

    Returns
    -------
    StoreState
        With ``problem`` set, and nothing counted, when the store cannot be read.
    """
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            count = db.count()
            batches = db.batches()
    except HotspotsError as exc:  # a damaged or locked file may show only when read
        return StoreState(url, problem=str(exc))
    last = int(batches["batch_id"].max()) if len(batches) else None
    return StoreState(url, count=count, last_batch=last)


@st.cache_data(show_spinner=False, max_entries=2)
def _store_incidents(state: StoreState, scope: Scope) -> pd.DataFrame:
    with store.driver_errors(state.url), store.open_store(state.url) as db:
        return db.query(scope=scope)


def _read_store(state: StoreState, scope: Scope) -> pd.DataFrame:
    return _store_incidents(state, scope)


@st.cache_data(show_spinner=False, max_entries=2)
def store_data(state: StoreState, *, scope: Scope = LOCAL_ANALYST) -> Loaded:
    """Return everything in the store that ``scope`` may see, read again only when its version changes.

    Parameters
    ----------
    state
        ``store_state(url)``: its URL and version are the cache key.
    scope
        The user's scope, passed to the store's query; the local analyst by default.

    Returns
    -------
    Loaded
        The stored incidents, versioned by ``state.version`` and the scope (``scoped_version``).
    """
    frame = _store_incidents(state, scope)
    return _loaded(
        scoped_version(state.version, scope),
        frame,
        partial(_read_store, state, scope),
        origin=store.redact_url(state.url, shareable=True),
    )


def address_register() -> Register | None:
    """Return the register uploads are geocoded with (``geo.geocoding.available_register``), or None.

    Read again when its file changes (``geo.geocoding.register_version``), so a register
    fetched or replaced while the app runs is used without a restart; shared by every
    session until then.
    """
    return geocoding.available_register()


def hotspot_names() -> Geocoder | None:
    """Return the geocoder that names hotspots by street (of ``address_register``), or None."""
    register = address_register()
    return geocoding.geocoder_for(register) if register is not None else None


@st.cache_data(show_spinner=False, max_entries=4)
def _import_upload(
    name: str,
    content: bytes,
    crs: str | None,
    mapping: tuple[tuple[str, str], ...],
    part: str | None,
) -> tuple[pd.DataFrame, ImportReport, pd.DataFrame]:
    """Return the accepted incidents, the import report and the rejected rows of an upload."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        is_sheet = reading.file_format(path) == "xlsx"
        result = incidents.import_incidents(
            path,
            crs=crs,
            mapping=dict(mapping),
            file_name=name,
            sheet=part if is_sheet else None,
            layer=None if is_sheet else part,
            register=address_register(),
        )
    # st.cache_data pickles what it keeps, and a read-only mapping cannot be pickled: the
    # report keeps a plain copy of the column mapping (every session gets its own anyway).
    report = replace(result.report, column_mapping=dict(result.report.column_mapping))
    return result.incidents, report, result.rejects


def _read_upload(
    name: str,
    content: bytes,
    crs: str | None,
    mapping: tuple[tuple[str, str], ...],
    part: str | None,
    scope: Scope,
) -> pd.DataFrame:
    return apply_scope(_import_upload(name, content, crs, mapping, part)[0], scope)


@st.cache_data(show_spinner=False, max_entries=4)
def uploaded_data(
    name: str,
    content: bytes,
    crs: str | None,
    mapping: tuple[tuple[str, str], ...],
    part: str | None = None,
    precise_only: bool = False,
    *,
    scope: Scope = LOCAL_ANALYST,
) -> Loaded:
    """Import an uploaded file through the same import as the CLI.

    Parameters
    ----------
    name
        The file's name (its suffix names the format).
    content
        The file's bytes.
    crs
        EPSG code of x/y columns, or None to guess.
    mapping
        ``(field, column)`` pairs the user changed from the detected columns.
    part
        Sheet (XLSX) or layer (GeoPackage); None for the first.
    precise_only
        Leave the rows a register placed only by street, place or intersection out of the
        hotspots (they stay in the data and its figures).
    scope
        The user's scope: only its districts' incidents (``store.apply_scope``); the local
        analyst by default. The report and the rejects are the whole file's.

    Returns
    -------
    Loaded
        The accepted incidents with the import report and the rejected rows, versioned by
        the content's hash, the choices and the scope.
    """
    _, report, rejects = _import_upload(name, content, crs, mapping, part)
    frame = _read_upload(name, content, crs, mapping, part, scope)
    digest = hashlib.sha1(content).hexdigest()[:12]
    choices = hashlib.sha1(repr(mapping).encode()).hexdigest()[:6]
    version = f"upload-{digest}-{crs}-{part}-{choices}{'-precise' if precise_only else ''}"
    version = scoped_version(version, scope)
    reader = partial(_read_upload, name, content, crs, mapping, part, scope)
    loaded = _loaded(version, frame, reader, report=report, rejects=rejects, origin=name)
    return replace(loaded, precise_only=precise_only)


@st.cache_data(show_spinner=False, max_entries=8)
def upload_parts(name: str, content: bytes) -> list[str]:
    """Return the sheets (XLSX) or layers (GeoPackage) of an uploaded file; [] for other formats."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        return reading.parts(path)


@st.cache_data(show_spinner=False, max_entries=4)
def service_points(name: str, content: bytes) -> ServicePoints:
    """Return the service points of an uploaded CSV (name, kind/amenity, lon/lat), versioned by its hash."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        points = read_service_points(path)
    return ServicePoints(version=f"services-{hashlib.sha1(content).hexdigest()[:12]}", points=points)


@st.cache_data(show_spinner=False)
def district_layer(level: str) -> gpd.GeoDataFrame:
    """Return one official district level in EPSG:3067."""
    return districts.load_districts(level)


@st.cache_data(show_spinner=False)
def district_hierarchy() -> pd.DataFrame:
    """Return the osa-alue -> peruspiiri -> suurpiiri codes and names."""
    return districts.hierarchy()


@st.cache_data(show_spinner=False)
def residents(level: str) -> pd.DataFrame | None:
    """Return the residents per district, or None when the population data are unavailable."""
    try:
        return population.residents_by_district(level)
    except HotspotsError:
        return None


def default_store_url() -> str:
    """Return the configured store URL."""
    return settings.db_url()
