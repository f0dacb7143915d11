"""The official data sets: what each is, and where a local copy is found (data folder, then cache)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import opendata, settings


def test_every_data_set_is_described_and_has_a_shared_copy(shared_data_dir: Path) -> None:
    assert set(opendata.DISTRICT_KEYS) <= set(opendata.DATASETS)
    for key, ds in opendata.DATASETS.items():
        assert opendata.dataset(key) is ds and ds.key == key
        assert ds.licence == "CC BY 4.0" and ds.publisher and ds.layer
        assert (shared_data_dir / ds.relpath).is_file(), key
    with pytest.raises(
        ValueError, match=r"dataset was 'piiri' but is expected to be one of \['kaupunginosa'"
    ):
        opendata.dataset("piiri")


def test_the_data_folder_wins_over_the_cache(
    shared_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relpath = opendata.dataset("suurpiiri").relpath
    cache = tmp_path / "cache"
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(cache))
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(tmp_path / "empty"))
    assert opendata.locate("suurpiiri") is None
    (cache / relpath).parent.mkdir(parents=True)
    shutil.copyfile(shared_data_dir / relpath, cache / relpath)
    assert opendata.locate("suurpiiri") == cache / relpath
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(shared_data_dir))
    assert opendata.locate("suurpiiri") == shared_data_dir / relpath
    monkeypatch.delenv(settings.ENV_DATA_DIR)
    assert opendata.locate("suurpiiri") == cache / relpath


def test_the_unavailable_message_says_where_it_looked_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(settings.ENV_DATA_DIR, raising=False)
    message = opendata.unavailable_message("osaalue", "connection refused")
    assert message.startswith("Sub-districts (osa-alue) are not available: no local copy")
    assert "HOTSPOTS_DATA_DIR (unset)" in message and str(tmp_path / "cache") in message
    assert "avoindata:Piirijako_osaalue" in message and "failed: connection refused" in message
    assert "run `hotspots districts fetch`" in message
    assert message.endswith("helsinki_districts/helsinki_osaalue.geojson.")
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(tmp_path / "shared"))
    assert f"HOTSPOTS_DATA_DIR={tmp_path / 'shared'}" in opendata.unavailable_message("osaalue", "x")
