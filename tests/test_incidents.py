"""Incident import end to end: messy real-world exports, every format, mappings, CRS, rejects."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import crs, geocoding, schema
from geo.errors import ParameterError
from geo.incidents import ImportResult, import_incidents
from geo.rejects import REASON_COLUMNS, REJECT_COLUMNS
from tests import messy, osm_register


def reject_map(result: ImportResult) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for row, field, reason in result.rejects[["row", "field", "reason"]].itertuples(index=False):
        out.setdefault(int(row), []).append((str(field), str(reason)))
    return out


def assert_rejects_match(result: ImportResult, expected: dict[int, set[tuple[str, str]]]) -> None:
    got = reject_map(result)
    assert set(got) == set(expected)
    for row, wanted in expected.items():
        lines = got[row]
        assert len(lines) == len(wanted), (row, lines)
        for field, prefix in wanted:
            assert any(f == field and r.startswith(prefix) for f, r in lines), (row, field, prefix, lines)


# --------------------------------------------------------------------------- the messy CSV


def test_messy_csv_counts_are_exact(messy_result: ImportResult, export: messy.MessyExport) -> None:
    report = messy_result.report
    assert report.rows_read == export.rows_read
    assert report.accepted == len(export.accepted_rows)
    assert report.rejected == len(export.expected_rejects)
    assert report.duplicates_in_file == len(export.duplicate_rows) == 1
    assert report.accepted + report.rejected + report.duplicates_in_file == report.rows_read
    assert len(messy_result.incidents) == report.accepted


def test_messy_csv_reasons_per_row(messy_result: ImportResult, export: messy.MessyExport) -> None:
    assert_rejects_match(messy_result, export.expected_rejects)
    rejects = messy_result.rejects
    assert tuple(rejects.columns) == REJECT_COLUMNS + REASON_COLUMNS
    # One row with two problems: two lines, counted once.
    assert len(rejects) == messy_result.report.rejected + 1
    address_line = rejects[rejects["field"] == "address"].iloc[0]
    assert address_line["value"] == export.rows[address_line["row"] - 2][export.header.index("Adress")]
    bad = rejects[rejects["reason"] == "unparseable coordinate"]
    assert set(bad["value"]) == {"abc"}
    dup = rejects[rejects["field"] == "id"].iloc[0]
    assert dup["id"] == "POL-1000" and dup["column"] == "Ärende"


def test_messy_csv_accepted_rows_carry_the_truth(
    messy_result: ImportResult, export: messy.MessyExport
) -> None:
    incidents = messy_result.incidents.set_index("id")
    id_col = export.header.index("Ärende")
    for row in export.accepted_rows:
        record = incidents.loc[export.rows[row - 2][id_col]]
        assert record["occurred_at"] == pd.Timestamp(export.truth_instant[row])
        lon, lat = export.truth_lonlat[row]
        # GK25 written with 2 decimals (1 cm) and read back through two projections.
        assert abs(record["lon"] - lon) < 1e-6 and abs(record["lat"] - lat) < 1e-6
        assert record["category"] == export.truth_category[row]
        assert record["source"] == export.truth_source[row]
        assert bool(record["in_helsinki"])
    assert messy_result.incidents.dtypes.astype(str).to_dict() == schema.INCIDENT_DTYPES
    assert not messy_result.incidents["synthetic"].any()
    assert messy_result.incidents["osaalue_fi"].notna().all()


def test_messy_csv_report(messy_result: ImportResult, export: messy.MessyExport) -> None:
    report = messy_result.report
    assert report.crs == crs.GK25 and report.crs_guessed
    assert "from the coordinate values" in report.crs_reason
    assert not report.axes_swapped
    assert report.encoding == "utf-8-sig" and report.delimiter == ";" and report.decimal_comma
    assert report.unknown_categories == len(export.unknown_labels)
    assert set(report.unknown_category_labels) == export.unknown_labels
    assert dict(report.column_mapping) == {
        "id": "Ärende",
        "occurred_at": "Tidpunkt",
        "category": "Kategori",
        "source": "Källa",
        "severity": "Allvarlighet",
        "description": "Beskrivning",
        "address": "Adress",
        "x": "E",
        "y": "N",
    }
    notes = "\n".join(report.notes())
    assert "EPSG:3879" in notes and "parkeringsfel" in notes and "semicolon" in notes


def test_description_is_kept_as_given(messy_result: ImportResult, export: messy.MessyExport) -> None:
    first = messy_result.incidents.set_index("id").loc["POL-1000", "description"]
    assert first == 'Händelse 0; vittne & "kamera"'


def test_cp1252_tab_file_gives_the_same_answer(
    export: messy.MessyExport, messy_result: ImportResult, tmp_path: Path
) -> None:
    path = export.write_csv(tmp_path / "export.txt", delimiter="\t", encoding="cp1252")
    result = import_incidents(path)
    assert result.report.encoding == "cp1252" and result.report.delimiter == "\t"
    assert any("not UTF-8" in note for note in result.report.notes())
    assert_rejects_match(result, export.expected_rejects)
    pd.testing.assert_frame_equal(result.incidents, messy_result.incidents)


# --------------------------------------------------------------------------- formats


@pytest.fixture(scope="module")
def clean(addresses: pd.DataFrame) -> pd.DataFrame:
    return messy.clean_frame(addresses.iloc[:25].reset_index(drop=True), seed=13)


def _write_formats(clean: pd.DataFrame, folder: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    csv = clean.copy()
    csv["occurred_at"] = [f"{t.day}.{t.month}.{t.year} klo {t:%H.%M}" for t in clean["occurred_at"]]
    paths["csv"] = folder / "incidents.csv"
    csv.to_csv(paths["csv"], sep=";", decimal=",", index=False, encoding="utf-8-sig")
    xlsx = clean.copy()
    xlsx["occurred_at"] = xlsx["occurred_at"].dt.tz_localize(None)  # Excel cells are naive
    paths["xlsx"] = folder / "incidents.xlsx"
    xlsx.to_excel(paths["xlsx"], index=False, sheet_name="Ilmoitukset")
    iso = clean["occurred_at"].map(lambda t: t.isoformat())
    points = gpd.points_from_xy(clean["lon"], clean["lat"], crs=crs.WGS84)
    layer = gpd.GeoDataFrame(clean.drop(columns=["lon", "lat"]).assign(occurred_at=iso), geometry=points)
    paths["geojson"] = folder / "incidents.geojson"
    layer.to_file(paths["geojson"], driver="GeoJSON")
    paths["gpkg"] = folder / "incidents.gpkg"
    layer.to_crs(crs.GK25).to_file(paths["gpkg"], driver="GPKG", layer="ilmoitukset")
    paths["parquet"] = folder / "incidents.parquet"
    clean.to_parquet(paths["parquet"], index=False)
    paths["geoparquet"] = folder / "incidents_geo.parquet"
    layer.to_crs(crs.METRIC).to_parquet(paths["geoparquet"])
    return paths


def test_every_format_gives_the_same_incidents(clean: pd.DataFrame, tmp_path: Path) -> None:
    reference = import_incidents(clean)
    assert reference.report.accepted == len(clean)
    results = {name: import_incidents(path) for name, path in _write_formats(clean, tmp_path).items()}
    expected_crs = {
        "csv": crs.WGS84,
        "xlsx": crs.WGS84,
        "geojson": crs.WGS84,
        "gpkg": crs.GK25,
        "parquet": crs.WGS84,
        "geoparquet": crs.METRIC,
    }
    for name, result in results.items():
        assert result.report.accepted == len(clean), name
        assert result.report.crs == expected_crs[name] and not result.report.crs_guessed, name
        got, ref = result.incidents, reference.incidents
        assert got["id"].tolist() == ref["id"].tolist(), name
        assert (got["occurred_at"] == ref["occurred_at"]).all(), name
        assert got["category"].tolist() == ref["category"].tolist(), name
        assert got["description"].tolist() == clean["kuvaus"].tolist(), name
        np.testing.assert_allclose(got["lon"], clean["lon"], atol=1e-8)
        np.testing.assert_allclose(got["lat"], clean["lat"], atol=1e-8)
    assert results["csv"].report.decimal_comma


def test_geometry_rows_are_numbered_from_one_and_non_points_rejected(tmp_path: Path) -> None:
    station = (24.9414, 60.1710)
    frame = gpd.GeoDataFrame(
        {
            "aika": ["1.6.2026 klo 22.10", "1.6.2026 klo 22.15", "1.6.2026 klo 22.20"],
            "luokka": ["huumekauppa", "pahoinpitely", "ryöstö"],
        },
        geometry=[
            shapely.Point(*station),
            shapely.LineString([station, (24.95, 60.17)]),
            None,
        ],
        crs=crs.WGS84,
    )
    path = tmp_path / "points.gpkg"
    frame.to_file(path, driver="GPKG")
    result = import_incidents(path)
    assert result.report.accepted == 1 and result.report.rejected == 2
    assert reject_map(result) == {
        2: [("geometry", "geometry is not a point: LineString")],
        3: [("geometry", "missing coordinate")],
    }


def test_xlsx_rows_are_spreadsheet_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Poliisin ilmoitukset kesäkuu 2026"])  # a title row above the header
    sheet.append(["Tunnus", "Pvm", "Klo", "Rikosnimike", "Leveysaste", "Pituusaste"])
    sheet.append(["A1", "1.6.2026", "22.10", "huumausainerikos", 60.1710, 24.9414])
    sheet.append(["A2", "1.6.2026", "22.15", "pahoinpitely", "60,17x", 24.9414])
    sheet.append([None, None, None, None, None, None])  # an empty row still counts as a row
    sheet.append(["A3", "1.6.2026", "klo 23.05", "ryöstö", "60,1699", "24,9380"])
    path = tmp_path / "ilmoitukset.xlsx"
    book.save(path)
    result = import_incidents(path)
    assert result.report.rows_read == 3 and result.report.accepted == 2
    assert reject_map(result) == {4: [("lat", "unparseable coordinate")]}
    assert result.report.column_mapping["date"] == "Pvm" and result.report.column_mapping["time"] == "Klo"
    times = result.incidents.set_index("id")["occurred_at"]
    assert times["A1"] == pd.Timestamp("2026-06-01T22:10:00+03:00")
    assert times["A3"] == pd.Timestamp("2026-06-01T23:05:00+03:00")


# --------------------------------------------------------------------------- fields and inputs


def test_dst_edges_are_adjusted_and_counted(addresses: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "aika": ["29.3.2026 03.30", "25.10.2026 03.30", "25.10.2026 04.30"],
            "luokka": ["huumekauppa"] * 3,
            "lat": addresses["lat"].iloc[:3].to_numpy(),
            "lon": addresses["lon"].iloc[:3].to_numpy(),
        }
    )
    result = import_incidents(frame)
    assert result.report.accepted == 3 and result.report.rejected == 0
    assert result.report.dst_nonexistent == 1 and result.report.dst_ambiguous == 1
    assert result.report.dst_adjusted == 2
    times = result.incidents["occurred_at"]
    assert times.iloc[0] == pd.Timestamp("2026-03-29T01:30:00Z")
    assert times.iloc[1] == pd.Timestamp("2026-10-25T00:30:00Z")
    notes = "\n".join(result.report.notes())
    assert "spring-forward" in notes and "autumn" in notes


def test_synthetic_column_is_honoured(clean: pd.DataFrame) -> None:
    flagged = clean.assign(synthetic=["true", "false"] * 12 + ["TRUE"])
    result = import_incidents(flagged)
    assert result.incidents["synthetic"].tolist() == [True, False] * 12 + [True]


def test_input_frame_is_not_modified(clean: pd.DataFrame, addresses: pd.DataFrame) -> None:
    for frame in (clean, messy.tm35_frame(addresses)):
        before = frame.copy(deep=True)
        import_incidents(frame)
        pd.testing.assert_frame_equal(frame, before)
    layer = gpd.GeoDataFrame(
        clean.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(clean["lon"], clean["lat"]),
        crs=crs.WGS84,
    )
    before_layer = layer.copy(deep=True)
    assert import_incidents(layer).report.accepted == len(layer)
    pd.testing.assert_frame_equal(layer, before_layer)


# --------------------------------------------------------------------------- size


@pytest.mark.slow  # 3.5 s on an idle machine, 6 s when the two cores are shared (writing included)
def test_100k_rows_import_in_a_few_seconds(addresses: pd.DataFrame, tmp_path: Path) -> None:
    path = messy.write_large_csv(tmp_path / "large.csv", addresses, n=100_000, seed=14)
    import_incidents(_head(path, tmp_path))  # the district tagger is built once per process
    start = time.perf_counter()
    result = import_incidents(path)
    elapsed = time.perf_counter() - start
    assert result.report.rows_read == 100_000
    assert result.report.accepted + result.report.rejected == 100_000
    assert result.incidents["id"].is_unique
    # Generous bound: measured 2.4-3.2 s on two cores; per-row Python would take far longer.
    assert elapsed < 30, f"100k rows took {elapsed:.1f} s"


def _head(path: Path, folder: Path) -> Path:
    lines = path.read_text(encoding="utf-8-sig").splitlines()[:50]
    head = folder / "head.csv"
    head.write_text("\n".join(lines), encoding="utf-8")
    return head


def test_implausible_dates_are_rejected_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = ["aika;lat;lon;luokka"]
    rows += [f"{day}.5.2025 12.00;60.17;24.94;pahoinpitely" for day in range(1, 29)]
    rows += ["1.1.1900 00.00;60.17;24.94;ryöstö", "31.12.2099 23.00;60.17;24.94;ryöstö"]
    path = tmp_path / "dates.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    result = import_incidents(path)
    assert len(result.incidents) == 28
    reasons = result.rejects.loc[result.rejects["field"] == "occurred_at", "reason"].tolist()
    assert len(reasons) == 2
    assert all(
        "outside the plausible period 2000-01-01" in r and "HOTSPOTS_EARLIEST_DATE" in r for r in reasons
    )
    # The window is a setting.
    monkeypatch.setenv("HOTSPOTS_EARLIEST_DATE", "1899-01-01")
    monkeypatch.setenv("HOTSPOTS_LATEST_DATE", "2100-01-01")
    assert len(import_incidents(path).incidents) == 30
    monkeypatch.setenv("HOTSPOTS_EARLIEST_DATE", "yesterday-ish")
    with pytest.raises(ParameterError, match="HOTSPOTS_EARLIEST_DATE must be a date such as 2026-05-01"):
        import_incidents(path)


# --------------------------------------------------------------------------- geocoding


def _address_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "occurred_at": ["2026-03-01 12:00", "2026-03-02 12:00", "2026-03-03 12:00", "2026-03-04 12:00"],
            "category": ["assault"] * 4,
            "lon": [24.9384, None, None, None],
            "lat": [60.1699, None, None, None],
            "address": [None, "Kaivokatu 8", "Brunnsgatan 8, 00100 Helsingfors", "Kaivokuja 3"],
        }
    )


def test_import_geocodes_address_only_rows_with_a_register(
    shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    register = osm_register.load(shared_data_dir, tmp_path_factory.mktemp("register"))
    frame = _address_frame()
    before = frame.copy()
    result = import_incidents(frame, register=register)
    pd.testing.assert_frame_equal(frame, before)
    got = result.incidents
    assert got["geocode_quality"].tolist() == ["source", "exact", "exact"]
    assert got["geocode_match"].tolist() == ["", "Kaivokatu 8", "Kaivokatu 8"]
    assert got.loc[1, "x_m"] == pytest.approx(got.loc[2, "x_m"]) and got["in_helsinki"].all()
    assert got["id"].is_unique
    assert result.rejects["row"].tolist() == [4]  # DataFrame records count from 1
    assert result.rejects["reason"].iloc[0].startswith("address not found; closest register names: Kaivokatu")
    assert result.report.position_qualities == (("source", 1), ("exact", 2), ("none", 1))
    assert any(
        line.startswith("positions by quality: 1 source, 2 exact, 1 none") for line in result.report.notes()
    )


def test_import_without_register_says_how_to_geocode() -> None:
    result = import_incidents(_address_frame())
    assert len(result.incidents) == 1 and "geocode_quality" not in result.incidents
    assert result.rejects["row"].tolist() == [2, 3, 4]
    assert set(result.rejects["reason"]) == {geocoding.NO_REGISTER_REASON}
    assert not result.report.position_qualities
