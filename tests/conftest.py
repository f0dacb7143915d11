"""Shared fixtures. Real open data come through the app's own loader (HOTSPOTS_DATA_DIR,
else the cache under data/, else the official download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from geo.incidents import ImportResult, import_incidents
from tests import messy

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def _no_store_from_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests name their store explicitly; a developer's HOTSPOTS_DB_URL must not leak in."""
    monkeypatch.delenv("HOTSPOTS_DB_URL", raising=False)
    yield


@pytest.fixture(autouse=True)
def _no_street_map_from_the_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app probes its tile server; tests that want tiles serve them on loopback (tests/tile_server.py)."""
    monkeypatch.setenv("HOTSPOTS_TILES_URL", "")
    yield


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """A folder laid out like ``data/`` with the official copies (for loader tests)."""
    configured = os.environ.get("HOTSPOTS_DATA_DIR")
    if configured and Path(configured).is_dir():
        return Path(configured)
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    from geo import download

    download.require("osaalue")
    return Path(os.environ.get("HOTSPOTS_CACHE_DIR") or Path(__file__).resolve().parents[1] / "data")


@pytest.fixture(scope="session")
def addresses(shared_data_dir: Path) -> pd.DataFrame:
    """Forty real central-Helsinki addresses (OSM sample) with their coordinates."""
    return messy.load_addresses(shared_data_dir, n=40, seed=11)


@pytest.fixture(scope="session")
def export(addresses: pd.DataFrame) -> messy.MessyExport:
    """A messy police export of those addresses: Finnish headers, broken rows, known rejects."""
    return messy.build_messy_export(addresses, seed=12)


@pytest.fixture(scope="session")
def messy_result(export: messy.MessyExport, tmp_path_factory: pytest.TempPathFactory) -> ImportResult:
    """What the importer makes of the messy export, written as its CSV."""
    path = export.write_csv(tmp_path_factory.mktemp("messy") / "poliisi_export.csv")
    return import_incidents(path)
