"""``hotspots cluster``: demo and other cities' data to shareable hotspot files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests import named_hotspots, osm_register
from tests.cli_run import run


def test_demo_cluster_geojson_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo_csv = tmp_path / "demo.csv"
    code, out, _ = run(capsys, "demo", "--out", str(demo_csv), "--n", "8000", "--seed", "5")
    assert code == 0 and demo_csv.is_file()
    out_path = tmp_path / "hotspots.geojson"
    code, out, err = run(
        capsys,
        "cluster",
        str(demo_csv),
        "--since",
        "2026-05-01",
        "--until",
        "2026-11-01",
        "--out",
        str(out_path),
    )
    assert code == 0, err
    assert "synthetic demo data" in out
    collection = json.loads(out_path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) >= 3
    expected = {
        "id", "rank", "n", "score", "area_km2", "top_category", "categories", "peak_windows", "districts",
        "trend", "significant", "lead", "recommendation_fi", "recommendation_sv", "recommendation_en",
    }  # fmt: skip
    for feature in features:
        assert expected <= set(feature["properties"])
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        lon, lat = (
            feature["geometry"]["coordinates"][0][0][:2]
            if feature["geometry"]["type"] == "Polygon"
            else (feature["geometry"]["coordinates"][0][0][0][:2])
        )
        assert 24.7 < lon < 25.3 and 60.0 < lat < 60.4
        # Aggregated: no descriptions and no incident ids leave.
        assert "description" not in feature["properties"]
    assert [f["properties"]["rank"] for f in features] == list(range(1, len(features) + 1))
    text = out_path.read_text(encoding="utf-8")
    assert "demo-5-" not in text


def test_cluster_csv_neutralises_formulas_and_filters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_csv = tmp_path / "demo.csv"
    run(capsys, "demo", "--out", str(demo_csv), "--n", "8000", "--seed", "5")
    out_path = tmp_path / "hs.csv"
    code, _out, err = run(
        capsys, "cluster", str(demo_csv), "--district", "Itäinen", "--category", "drug_dealing",
        "--min-samples", "5", "--out", str(out_path),
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(out_path, encoding="utf-8-sig")
    assert len(table) >= 1
    assert table["peruspiiri"].str.contains("Vartiokylä|Mellunkylä|Vuosaari|Myllypuro").all()
    assert not table.map(lambda v: isinstance(v, str) and v[:1] in "=+-@").any().any()


def test_unknown_district_suggests_close_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo_csv = tmp_path / "demo.csv"
    run(capsys, "demo", "--out", str(demo_csv), "--n", "500")
    code, _, err = run(
        capsys, "cluster", str(demo_csv), "--district", "Kalio", "--out", str(tmp_path / "x.csv")
    )
    assert code == 2
    assert "did you mean Kallio" in err


def _city_csv(path: Path, *, seed: int = 3) -> Path:
    """A year of incidents in another city (Toronto-like lon/lat), times with DST-changing offsets."""

    rng = np.random.default_rng(seed)
    n = 4000
    lon = np.concatenate([rng.normal(-79.38, 0.0006, 800), rng.uniform(-79.45, -79.30, n - 800)])
    lat = np.concatenate([rng.normal(43.65, 0.0004, 800), rng.uniform(43.62, 43.72, n - 800)])
    start = pd.Timestamp("2024-01-01", tz="America/Toronto")
    when = start + pd.to_timedelta(rng.uniform(0, 366, n), unit="D")
    frame = pd.DataFrame({"Long": lon, "Lat": lat, "reported": [t.isoformat() for t in when]})
    frame.to_csv(path, index=False)
    return path


def test_cluster_runs_on_another_city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _city_csv(tmp_path / "toronto_like.csv")
    # The file mixes -05:00 and -04:00 (daylight saving time): both are read.
    text = source.read_text()
    assert "-05:00" in text and "-04:00" in text
    out = tmp_path / "hotspots.geojson"
    code, printed, err = run(
        capsys,
        "cluster", str(source), "--districts", "none", "--lon", "Long", "--lat", "Lat", "--time", "reported",
        "--timezone", "America/Toronto", "--since", "2024-07-01", "--until", "2025-01-01", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "study area the 150 m cells holding incidents (EPSG:32617)" in printed
    assert "Size rule: each hotspot at most 0.25 km²" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    features = document["features"]
    assert features and all(f["geometry"]["type"] == "Polygon" for f in features)
    lons = [c[0] for f in features for c in f["geometry"]["coordinates"][0]]
    assert min(lons) > -79.46 and max(lons) < -79.29
    # The planted corner is hotspot 1; no incident point or district name from Helsinki leaks in.
    first = min(features, key=lambda f: f["properties"]["rank"])
    ring = first["geometry"]["coordinates"][0]
    assert min(c[0] for c in ring) <= -79.38 <= max(c[0] for c in ring)
    assert all(f["properties"]["districts"] in ("", None) for f in features)
    assert set(features[0]["properties"]) >= {"id", "rank", "n", "area_km2", "recommendation_fi"}


def test_cluster_on_another_city_refuses_helsinki_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _city_csv(tmp_path / "city.csv")
    out = str(tmp_path / "x.geojson")
    base = [
        "cluster",
        str(source),
        "--districts",
        "none",
        "--lon",
        "Long",
        "--lat",
        "Lat",
        "--time",
        "reported",
    ]
    code, _, err = run(capsys, *base, "--district", "Kallio", "--out", out)
    assert code == 2 and "--district names Helsinki's districts" in err and "Traceback" not in err
    code, _, err = run(capsys, *base, "--lon", "x", "--out", out)
    assert code == 2 and "lacks the columns ['x']" in err
    code, _, err = run(capsys, *base, "--horizon", "2Y", "--forecast", "--out", out)
    assert code == 2 and "needs more history" in err


def test_cluster_exports_never_give_incidents_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    from geo import crs

    # Two lone incidents (the old export outlined both and printed "n": 2) and a group of seven.
    lon = [24.9384, 24.9386, *np.linspace(24.9500, 24.9504, 7)]
    lat = [60.1699, 60.1700, *np.linspace(60.1800, 60.1802, 7)]
    times = [f"2026-05-{day:02d}T12:00:00+03:00" for day in range(1, 10)]
    source = tmp_path / "few.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "aika": times, "luokka": "ryöstö"}).to_csv(source, index=False)
    out = tmp_path / "few.geojson"
    code, printed, err = run(
        capsys, "cluster", str(source), "--eps", "150", "--min-samples", "2", "--out", str(out)
    )
    assert code == 0, err
    assert "aggregated, safe to share" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["classification"] == "AGGREGATED"
    (feature,) = document["features"]  # the pair is no hotspot: fewer than 5 incidents
    assert feature["properties"]["n"] == "7"
    ring = np.asarray(feature["geometry"]["coordinates"][0])
    x, y = crs.to_metric(ring[:, 0], ring[:, 1], src=crs.WGS84)
    # Every vertex is a corner of the 150 m study grid, none is an incident.
    assert np.allclose(np.asarray(x) / 150.0, np.round(np.asarray(x) / 150.0), atol=1e-4)
    assert np.allclose(np.asarray(y) / 150.0, np.round(np.asarray(y) / 150.0), atol=1e-4)
    restricted = tmp_path / "restricted.geojson"
    code, printed, _ = run(
        capsys,
        "cluster",
        str(source),
        "--eps",
        "150",
        "--min-samples",
        "2",
        "--restricted",
        "--out",
        str(restricted),
    )
    assert code == 0 and "RESTRICTED" in printed
    assert json.loads(restricted.read_text(encoding="utf-8"))["classification"] == "RESTRICTED"


def test_cluster_names_hotspots_by_street_with_a_register(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    named = osm_register.load(shared_data_dir, tmp_path / "loaded")
    incidents_csv = tmp_path / "incidents.csv"
    named_hotspots.raw_incidents(named).to_csv(incidents_csv, index=False)
    out_path = tmp_path / "hotspots.csv"
    argv = ["cluster", str(incidents_csv), "--eps", "150", "--min-samples", "10", "--out", str(out_path)]
    code, out, err = run(capsys, *argv, "--register", str(register), "--places", str(place_file))
    assert code == 0, err
    assert " Kaivokatu 8: " in out and " Rautatientori: " in out
    table = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert set(table["place_fi"].head(2)) == {"Kaivokatu 8", "Rautatientori"}
    assert set(table["place_sv"].head(2)) == {"Brunnsgatan 8", "Järnvägstorget"}
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "Kaivokatu 8" not in out  # no register: the top ten names no street
    assert (pd.read_csv(out_path, dtype=str, keep_default_na=False)["place_fi"] == "").all()


def test_cluster_geocodes_address_rows_and_can_keep_rough_ones_out_of_the_hotspots(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    named = osm_register.load(shared_data_dir, tmp_path / "loaded")
    located = named_hotspots.raw_incidents(named)
    # Sixty reports that name only a street: the register can place them at its centre only.
    street_only = located.head(60).assign(lon="", lat="", address="Fredrikinkatu")
    incidents_csv = tmp_path / "incidents.csv"
    pd.concat([located.assign(address=""), street_only]).to_csv(incidents_csv, index=False)
    argv = ["cluster", str(incidents_csv), "--eps", "150", "--min-samples", "10"]
    argv += ["--register", str(register), "--places", str(place_file)]
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "all.csv"))
    assert code == 0, err
    rough = pd.read_csv(tmp_path / "all.csv", dtype=str, keep_default_na=False)
    assert rough["place_fi"].str.startswith("Fredrikinkatu").any()  # the street's centre became a hotspot
    code, _, err = run(capsys, *argv, "--precise-only", "--out", str(tmp_path / "precise.csv"))
    assert code == 0, err
    precise = pd.read_csv(tmp_path / "precise.csv", dtype=str, keep_default_na=False)
    assert not precise["place_fi"].str.startswith("Fredrikinkatu").any()
    assert {"Kaivokatu 8", "Rautatientori"} <= set(precise["place_fi"])
