"""Where the app's incidents come from (views.datasource): versions, copies, store, upload.

The functions are st.cache_data functions called here without a running app (Streamlit
caches them in memory then too).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd
import pytest

import store
from geo import demo, schema, settings
from tests import osm_register
from views import datasource

UPLOAD = (
    "tunnus;aika;luokka;lähde;lat;lon\n"
    "A1;28.4.2026 klo 14.30;pahoinpitely;poliisi;60,1699;24,9384\n"
    "A2;29.4.2026 21.15;huumausainerikos;poliisi;60,1870;24,9530\n"
    "A3;31.2.2026 10.00;ryöstö;poliisi;60,1700;24,9400\n"
).encode("utf-8-sig")


def test_demo_data_is_versioned_by_size_and_seed() -> None:
    loaded = datasource.demo_data(n=500, seed=7)
    expected = demo.generate_demo(n=500, seed=7)
    assert loaded.version == "demo-500-7"
    assert loaded.synthetic and loaded.count == 500
    assert loaded.origin == "synthetic demo data (seed 7)"
    pd.testing.assert_frame_equal(loaded.incidents(), expected)
    when = expected["occurred_at"]
    assert loaded.first_and_last_day() == (when.min().date(), when.max().date())
    assert datasource.demo_data(n=500, seed=8).version == "demo-500-8"


def test_every_caller_gets_its_own_copy() -> None:
    """What one session does to its frame never reaches another session (st.cache_data copies)."""
    first = datasource.demo_data(n=300, seed=3)
    frame = first.incidents()
    frame.loc[:, "category"] = "other"
    frame.drop(frame.index[:10], inplace=True)
    again = datasource.demo_data(n=300, seed=3).incidents()
    assert len(again) == 300 and (again["category"] != "other").any()
    assert first.incidents() is not first.incidents()


def test_a_data_set_without_incidents_has_no_days() -> None:
    empty = datasource.Loaded(
        version="empty", count=0, days=None, synthetic=False, reader=lambda: pd.DataFrame()
    )
    with pytest.raises(ValueError, match="holds no incidents"):
        empty.first_and_last_day()


def test_store_version_follows_its_batches(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    empty = datasource.store_state(url)
    assert (empty.count, empty.last_batch, empty.problem) == (0, None, None)
    frame = schema.conform(demo.generate_demo(n=120, seed=4))
    with store.open_store(url) as db:
        batch = db.add_batch(
            frame,
            file_name="a.csv",
            content_hash="hash-a",
            rows_read=120,
            rejected=0,
            scope=store.LOCAL_ANALYST,
        )
    state = datasource.store_state(url)
    assert (state.count, state.last_batch) == (120, batch.batch_id)
    assert state.version != empty.version and state.version.startswith("store-")
    assert "sqlite" not in state.version  # the URL (which may hold a password) is hashed
    loaded = datasource.store_data(state)
    assert loaded.version == state.version and loaded.count == 120 and loaded.synthetic
    assert set(loaded.incidents()["id"]) == set(frame["id"])


def test_a_broken_store_says_why_and_counts_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    state = datasource.store_state(f"sqlite:///{broken}")
    assert state.count == 0 and state.last_batch is None
    assert state.problem


def test_an_upload_is_imported_with_its_report_and_rejects() -> None:
    loaded = datasource.uploaded_data("ilmoitukset.csv", UPLOAD, None, ())
    digest = hashlib.sha1(UPLOAD).hexdigest()[:12]
    assert loaded.version.startswith(f"upload-{digest}-None-None-")
    assert loaded.count == 2 and not loaded.synthetic
    assert loaded.report is not None and (loaded.report.accepted, loaded.report.rejected) == (2, 1)
    assert loaded.rejects is not None and len(loaded.rejects) == 1
    assert loaded.origin == "ilmoitukset.csv"
    assert len(loaded.incidents()) == 2
    # Kept by st.cache_data, so it must survive pickling, report included.
    assert pickle.loads(pickle.dumps(loaded)).report == loaded.report
    other = datasource.uploaded_data("ilmoitukset.csv", UPLOAD, "4326", ())
    assert other.version != loaded.version  # the import choices are part of the version


def test_service_points_are_versioned_by_their_content(shared_data_dir: Path) -> None:
    content = (shared_data_dir / "helsinki_osm_centre_sample" / "osm_centre_amenities.csv").read_bytes()
    points = datasource.service_points("amenities.csv", content)
    assert points.version == f"services-{hashlib.sha1(content).hexdigest()[:12]}"
    assert len(points.points) > 0


def test_district_layers_and_hierarchy() -> None:
    layer = datasource.district_layer("peruspiiri")
    assert layer.crs.to_epsg() == 3067 and len(layer) == 34
    hierarchy = datasource.district_hierarchy()
    assert {"osaalue_code", "peruspiiri_code", "suurpiiri_code"} <= set(hierarchy.columns)


def test_an_upload_of_addresses_is_geocoded_and_rough_positions_can_be_left_out(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, _ = osm_register.write_register(addresses, places, tmp_path)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    content = (
        b"aika,luokka,osoite\n"
        b"1.3.2026 12.00,pahoinpitely,Kaivokatu 8\n"
        b"2.3.2026 12.00,pahoinpitely,Kaivokatu\n"
        b"3.3.2026 12.00,pahoinpitely,Kaivokuja 3\n"
    )
    loaded = datasource.uploaded_data("osoitteet.csv", content, None, (), None)
    assert loaded.report is not None
    assert loaded.report.position_qualities == (("exact", 1), ("street", 1), ("none", 1))
    assert loaded.count == 2 and loaded.incidents()["geocode_quality"].tolist() == ["exact", "street"]
    precise = datasource.uploaded_data("osoitteet.csv", content, None, (), None, True)
    assert precise.count == 2 and precise.version != loaded.version
    assert precise.precise_only and not loaded.precise_only
    assert precise.incidents()["geocode_match"].tolist() == ["Kaivokatu 8", "Kaivokatu"]


def test_the_register_is_read_again_when_its_file_changes(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, _ = osm_register.write_register(addresses, places, tmp_path)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    first = datasource.address_register()
    assert first is not None and datasource.address_register() is first  # kept while unchanged
    osm_register.write_register(addresses.iloc[:100], places, tmp_path)
    os.utime(register_file, ns=(1, 1))  # a replaced file: another size and time
    second = datasource.address_register()
    assert second is not None and second is not first and len(second.addresses) < len(first.addresses)
    assert datasource.hotspot_names() is not None
