"""``hotspots import``: a messy partner export in, twice, with its rejects and the store's log."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import store
from geo import crs, gazetteer, geocoding, incidents, schema
from tests import messy, named_hotspots, osm_register
from tests.cli_run import count, run


def test_messy_export_import_twice(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses = messy.load_addresses(shared_data_dir, n=120, seed=11)
    export = messy.build_messy_export(addresses, seed=11)
    path = export.write_csv(tmp_path / "poliisi_export.csv")
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"

    code, out, err = run(capsys, "import", str(path), "--db", db)
    assert code == 0, err
    assert count(out, "read:") == export.rows_read
    assert count(out, "accepted:") == len(export.accepted_rows)
    assert count(out, "rejected:") == len(export.expected_rejects)
    assert "guessed" in out or "EPSG:3879" in out
    rejects_path = tmp_path / "poliisi_export.rejects.csv"
    assert f"rejects:    {rejects_path}" in out
    rejects = pd.read_csv(rejects_path, encoding="utf-8-sig", dtype=str)
    assert set(rejects["row"].astype(int)) == set(export.expected_rejects)
    assert rejects["reason"].str.len().min() > 5

    code, out, _ = run(capsys, "import", str(path), "--db", db)
    assert code == 0
    assert "imported before" in out
    assert "(0 added to the store)" in out

    code, out, _ = run(capsys, "stats", "--db", db)
    assert code == 0
    assert count(out, "incidents:") == len(export.accepted_rows)
    assert "2 import batches" in out


def test_import_with_register_geocodes_addresses(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    path = tmp_path / "nuoriso.csv"
    pd.DataFrame(
        {
            "aika": ["1.3.2026 12.00", "2.3.2026 13.00", "3.3.2026 14.00", "4.3.2026 15.00"],
            "luokka": ["pahoinpitely"] * 4,
            "osoite": ["Kaivokatu 8", "Mannerheimint. 5 A 12", "Kaivokatu", "Kaivokuja 3"],
        }
    ).to_csv(path, index=False)
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, out, err = run(
        capsys, "import", str(path), "--db", db, "--register", str(register), "--places", str(place_file)
    )
    assert code == 0, err
    assert count(out, "accepted:") == 3
    assert "position:   2 exact" in out and "position:   1 street" in out and "position:   1 none" in out
    rejects = pd.read_csv(tmp_path / "nuoriso.rejects.csv", encoding="utf-8-sig", dtype=str)
    assert rejects["row"].tolist() == ["5"]
    assert rejects["reason"].iloc[0].startswith("address not found; closest register names: Kaivokatu")


def test_import_without_register_rejects_addresses_with_the_way_to_geocode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "koulu.csv"
    pd.DataFrame({"aika": ["1.3.2026 12.00"], "luokka": ["ilkivalta"], "osoite": ["Sturenkatu 4"]}).to_csv(
        path, index=False
    )
    code, out, err = run(capsys, "import", str(path), "--db", f"sqlite:///{tmp_path / 's.sqlite'}")
    assert code == 0, err
    assert count(out, "rejected:") == 1
    reason = pd.read_csv(tmp_path / "koulu.rejects.csv", encoding="utf-8-sig", dtype=str)["reason"].iloc[0]
    assert "--register" in reason
    code, _, err = run(capsys, "import", str(path), "--places", str(path))
    assert code != 0 and "--places needs --register" in err


def test_geocoded_positions_survive_the_store(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_path, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    kaivokatu_1 = addresses.loc[(addresses["street_fi"] == "Kaivokatu") & (addresses["number"] == "1")].iloc[
        0
    ]
    path = tmp_path / "nuoriso.csv"
    pd.DataFrame(
        {
            "aika": [f"{day}.3.2026 2{day % 4}.15" for day in range(1, 6)],
            "luokka": ["pahoinpitely", "ryöstö", "huumausainerikos", "ilkivalta", "pahoinpitely"],
            "osoite": ["Kaivokatu 8", "Mannerheimint. 5 A 12", "Kaivokatu", "", "Sturenkatu 4"],
            # the partner's own coordinates on one row (its address column left empty)
            "lon": [None, None, None, kaivokatu_1["lon"], None],
            "lat": [None, None, None, kaivokatu_1["lat"], None],
        }
    ).to_csv(path, index=False)
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    options = ("--register", str(register_path), "--places", str(place_file))
    code, out, err = run(capsys, "import", str(path), "--db", db, *options)
    assert code == 0, err
    # what the import made of the file, read again without the store: the store must give it back
    imported = incidents.import_incidents(
        path, register=gazetteer.load_register(register_path, places=place_file)
    )
    frame = imported.incidents
    assert count(out, "accepted:") == len(frame) >= 4
    assert {"source", "exact", "street"} <= set(frame["geocode_quality"])
    with store.open_store(db) as st:
        stored = st.query(scope=store.LOCAL_ANALYST)
    expected = schema.conform(frame, geocode=True).sort_values(["occurred_at", "id"], ignore_index=True)
    pd.testing.assert_frame_equal(stored, expected, check_exact=True)
    # the rows in time order: two house numbers found, a street's centre, the partner's own point
    assert list(stored["geocode_quality"]) == ["exact", "exact", "street", "source"]
    assert list(stored["geocode_match"]) == ["Kaivokatu 8", "Mannerheimintie 5", "Kaivokatu", ""]
    # so the stored incidents can be narrowed to the precise positions, as an upload can
    assert list(geocoding.precise_positions(stored)["geocode_quality"]) == ["exact", "exact", "source"]
    # a copy of the file (another content hash, so its rows are compared) adds nothing
    copy = path.with_name("nuoriso_copy.csv")
    copy.write_bytes(path.read_bytes() + b"\n")
    code, out, err = run(capsys, "import", str(copy), "--db", db, *options)
    assert code == 0, err
    assert "(0 added to the store)" in out and f"{len(frame)} already in the store" in out


def test_rough_positions_in_the_store_can_be_kept_out_of_the_hotspots(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    located = named_hotspots.raw_incidents(osm_register.load(shared_data_dir, tmp_path / "loaded"))
    # Sixty reports that name only a street: the register places them at its centre only.
    street_only = located.head(60).assign(lon="", lat="", address="Fredrikinkatu")
    path = tmp_path / "incidents.csv"
    pd.concat([located.assign(address=""), street_only]).to_csv(path, index=False)
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, out, err = run(
        capsys, "import", str(path), "--db", db, "--register", str(register), "--places", str(place_file)
    )
    assert code == 0, err
    assert "position:   60 street" in out
    # the store alone now says which positions are rough: no register is given from here on
    argv = ["cluster", "--db", db, "--eps", "150", "--min-samples", "10"]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "all.geojson"))
    assert code == 0, err
    code, _, err = run(capsys, *argv, "--precise-only", "--out", str(tmp_path / "precise.geojson"))
    assert code == 0, err
    with store.open_store(db) as st:
        stored = st.query(scope=store.LOCAL_ANALYST)
    centre = stored.loc[stored["geocode_quality"] == "street", ["x_m", "y_m"]].drop_duplicates()
    assert len(centre) == 1  # the sixty lie on the street's centre
    point = shapely.Point(*centre.iloc[0])

    def hotspot_at_centre(name: str) -> bool:
        return bool(gpd.read_file(tmp_path / name).to_crs(crs.METRIC).contains(point).any())

    assert hotspot_at_centre("all.geojson")  # the street's centre became a hotspot
    assert not hotspot_at_centre("precise.geojson")
