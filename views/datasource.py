"""Where the app's incidents come from (demo, store, upload), loaded once and cached.

Caching keys are small strings (``source_key``); the big frames themselves are never
hashed on a rerun, which keeps a filter change with 100k incidents fast.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

import store
from briefing import safe_origin
from geo import demo, districts, incidents, population, reading, settings
from geo.errors import HotspotsError
from geo.incidents import ImportReport
from hotspots.recommendation import read_service_points

DEMO_SEED = 2026


@dataclass(frozen=True)
class Loaded:
    """Incidents for the app plus what the user must be told about them."""

    key: str
    incidents: pd.DataFrame
    synthetic: bool
    report: ImportReport | None = None
    rejects: pd.DataFrame | None = None
    #: Where the incidents came from, fit to print in a briefing (no password).
    origin: str = ""


@st.cache_resource(show_spinner=False)
def demo_data(n: int | None = None, seed: int = DEMO_SEED) -> Loaded:
    """Return the synthetic demo set (deterministic for a seed; size from ``HOTSPOTS_DEMO_N``)."""
    n = settings.demo_n() if n is None else n
    return Loaded(
        key=f"demo-{n}-{seed}",
        incidents=demo.generate_demo(n=n, seed=seed),
        synthetic=True,
        origin=f"synthetic demo data (seed {seed})",
    )


@st.cache_resource(show_spinner=False, ttl=60)
def store_data(url: str) -> Loaded:
    """Everything in the store at ``url`` (re-read at most once a minute)."""
    with store.driver_errors(url), store.open_store(url) as db:
        frame = db.query()
        batches = len(db.batches())
    key = f"store-{hashlib.sha1(url.encode()).hexdigest()[:8]}-{len(frame)}-{batches}"
    return Loaded(
        key=key,
        incidents=frame,
        synthetic=bool(len(frame)) and bool(frame["synthetic"].all()),
        origin=safe_origin(url),
    )


def store_count(url: str) -> tuple[int, str | None]:
    """Incidents in the store and, when it cannot be opened or read, why (the app then offers demo data)."""
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            return db.count(), None
    except HotspotsError as exc:  # a damaged or locked file may show only when read
        return 0, str(exc)


@st.cache_resource(show_spinner=False, max_entries=4)
def uploaded_data(
    name: str,
    content: bytes,
    crs: str | None,
    mapping: tuple[tuple[str, str], ...],
    part: str | None = None,
) -> Loaded:
    """Import an uploaded file through the same import as the CLI (``part``: sheet or layer)."""
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
        )
    digest = hashlib.sha1(content).hexdigest()[:12]
    key = f"upload-{digest}-{crs}-{part}-{hashlib.sha1(repr(mapping).encode()).hexdigest()[:6]}"
    return Loaded(
        key=key,
        incidents=result.incidents,
        synthetic=bool(len(result.incidents)) and bool(result.incidents["synthetic"].all()),
        report=result.report,
        rejects=result.rejects,
        origin=name,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def upload_parts(name: str, content: bytes) -> list[str]:
    """Sheets (XLSX) or layers (GeoPackage) of an uploaded file; [] for other formats."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        return reading.parts(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def service_points(name: str, content: bytes) -> tuple[str, pd.DataFrame]:
    """Service points from an uploaded CSV (name, kind/amenity, lon/lat): (cache key, points)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        points = read_service_points(path)
    return f"services-{hashlib.sha1(content).hexdigest()[:12]}", points


@st.cache_resource(show_spinner=False)
def district_layer(level: str) -> gpd.GeoDataFrame:
    """One official district level in EPSG:3067."""
    return districts.load_districts(level)


@st.cache_resource(show_spinner=False)
def district_hierarchy() -> pd.DataFrame:
    """osa-alue -> peruspiiri -> suurpiiri codes and names."""
    return districts.hierarchy()


@st.cache_resource(show_spinner=False)
def residents(level: str) -> pd.DataFrame | None:
    """Residents per district, or None when the population data are unavailable."""
    try:
        return population.residents_by_district(level)
    except HotspotsError:
        return None


def default_store_url() -> str:
    """Return the configured store URL."""
    return settings.db_url()
