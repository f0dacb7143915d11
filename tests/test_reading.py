"""Reading incident files as they arrive: encodings, delimiters, row numbers, sheets, layers, formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from geo import crs, reading
from geo.errors import InputFormatError
from geo.incidents import import_incidents
from tests import messy

HEADER = "Tunnus;Aika;Luokka;Kuvaus"
ROWS = ["00123;1.6.2026 klo 22.10;ryöstö;Pyörä & puhelin", "00124;2.6.2026 klo 01.15;pahoinpitely;"]


@pytest.fixture(scope="module")
def clean(shared_data_dir: Path) -> pd.DataFrame:
    addresses = messy.load_addresses(shared_data_dir, n=40, seed=11)
    return messy.clean_frame(addresses.iloc[:25].reset_index(drop=True), seed=13)


def test_formats_follow_the_suffix_in_any_case(tmp_path: Path) -> None:
    assert reading.file_format(Path("a.CSV")) == "csv" and reading.file_format(Path("a.tsv")) == "csv"
    assert reading.file_format(Path("a.xlsm")) == "xlsx" and reading.file_format(Path("a.json")) == "geojson"
    assert reading.file_format(Path("a.geoparquet")) == "parquet"
    with pytest.raises(
        InputFormatError, match=r"^noname: files ending in '\(no suffix\)' cannot be imported"
    ):
        reading.file_format(Path("noname"))
    with pytest.raises(InputFormatError, match=r"no such file"):
        reading.read_table(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_csv_cells_stay_text_in_every_encoding(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "ilmoitukset.csv"
    path.write_bytes("\n".join([HEADER, *ROWS]).encode(encoding))
    table = reading.read_csv(path)
    assert table.encoding == expected and table.delimiter == ";" and table.file_format == "csv"
    assert table.frame["Tunnus"].tolist() == ["00123", "00124"]  # ids keep their zeros
    assert table.frame["Kuvaus"].tolist() == ["Pyörä & puhelin", pd.NA]
    assert table.row_numbers.tolist() == [2, 3]
    assert (encoding == "cp1252") == any("not UTF-8" in note for note in table.notes)


def test_blank_lines_count_as_rows_and_ragged_lines_are_handed_on(tmp_path: Path) -> None:
    path = tmp_path / "aukot.csv"
    lines = [
        HEADER.replace(";", "\t"),
        ROWS[0].replace(";", "\t"),
        "",
        "x\ty\tz\tw\tEXTRA",
        ROWS[1].replace(";", "\t"),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    table = reading.read_csv(path)
    assert table.delimiter == "\t"
    assert table.row_numbers.tolist() == [2, 5]  # row 3 blank, row 4 refused
    assert table.bad_rows["row"].tolist() == [4]
    assert (
        table.bad_rows["reason"].iloc[0].startswith("the row has 5 tab-separated fields but the header has 4")
    )


def test_a_csv_without_columns_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "tyhja.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"tyhja\.csv: the file is empty"):
        reading.read_csv(empty)
    single = tmp_path / "yksi.csv"
    single.write_text("aika\n1.6.2026\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"single column with every delimiter tried"):
        reading.read_csv(single)


def test_xlsx_skips_title_rows_and_keeps_datetimes(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ilmoitukset"
    sheet.append(["Poliisin ilmoitukset kesäkuu 2026"])
    sheet.append(["Tunnus", "Aika", "Määrä"])
    sheet.append([123.0, dt.datetime(2026, 6, 1, 22, 10), 2.5])
    sheet.append([None, None, None])
    sheet.append(["A2", "2.6.2026 klo 01.15", True])
    path = tmp_path / "kirja.xlsx"
    book.save(path)
    table = reading.read_table(path)
    assert table.file_format == "xlsx" and table.row_numbers.tolist() == [3, 5]
    assert table.frame["Tunnus"].tolist() == ["123", "A2"]  # as Excel shows it, not 123.0
    assert table.frame["Aika"].iloc[0] == dt.datetime(2026, 6, 1, 22, 10)
    assert table.frame["Määrä"].tolist() == ["2.5", "true"]
    assert "header found in row 2; rows above it skipped" in table.notes
    assert reading.parts(path) == ["Ilmoitukset"]


def test_geometry_files_hand_on_point_coordinates_in_their_own_crs(
    tmp_path: Path, clean: pd.DataFrame
) -> None:
    layer = gpd.GeoDataFrame(
        {"aika": ["1.6.2026 12.00"] * 3},
        geometry=gpd.points_from_xy(clean["lon"].iloc[:3], clean["lat"].iloc[:3], crs=crs.WGS84),
    ).to_crs(crs.GK25)
    path = tmp_path / "pisteet.gpkg"
    layer.to_file(path, layer="pisteet", driver="GPKG")
    table = reading.read_table(path)
    assert table.has_geometry and table.geometry_crs == crs.GK25 and table.file_format == "gpkg"
    np.testing.assert_allclose(table.frame[reading.GEOMETRY_X], layer.geometry.x)
    assert table.frame[reading.GEOMETRY_KIND].tolist() == ["Point"] * 3
    assert table.row_numbers.tolist() == [1, 2, 3]
    assert reading.parts(path) == ["pisteet"] and reading.parts(tmp_path / "x.csv") == []


def test_a_dataframe_is_wrapped_without_being_changed(clean: pd.DataFrame) -> None:
    frame = clean.set_index(np.arange(100, 100 + len(clean)))
    before = frame.copy(deep=True)
    table = reading.from_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert table.file_format == "dataframe" and not table.has_geometry
    assert table.row_numbers.tolist() == list(range(1, len(clean) + 1))
    assert table.frame.index.tolist() == list(range(len(clean)))


def test_parquet_keeps_its_types(tmp_path: Path, clean: pd.DataFrame) -> None:
    path = tmp_path / "ilmoitukset.parquet"
    clean.to_parquet(path, index=False)
    table = reading.read_table(path)
    assert table.file_format == "parquet" and not table.has_geometry
    pd.testing.assert_series_equal(table.frame["occurred_at"], clean["occurred_at"])


# --------------------------------------------------------------------------- through the import


def test_named_sheet_and_layer_are_read_and_unknown_ones_listed(clean: pd.DataFrame, tmp_path: Path) -> None:
    xlsx = tmp_path / "kaksi.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame({"ohje": ["Täytä toinen välilehti"]}).to_excel(writer, sheet_name="Ohje", index=False)
        naive = clean.assign(occurred_at=clean["occurred_at"].dt.tz_localize(None))
        naive.to_excel(writer, sheet_name="Kesäkuu", index=False)
    assert import_incidents(xlsx, sheet="Kesäkuu").report.accepted == len(clean)
    with pytest.raises(InputFormatError, match=r"no sheet 'Heinäkuu'.*\['Ohje', 'Kesäkuu'\]"):
        import_incidents(xlsx, sheet="Heinäkuu")
    gpkg = tmp_path / "kerrokset.gpkg"
    points = gpd.points_from_xy(clean["lon"], clean["lat"], crs=crs.WGS84)
    layer = gpd.GeoDataFrame(clean.drop(columns=["lon", "lat"]).astype({"occurred_at": str}), geometry=points)
    layer.iloc[:5].to_file(gpkg, layer="luonnos", driver="GPKG")
    layer.to_file(gpkg, layer="lopullinen", driver="GPKG")
    assert import_incidents(gpkg).report.accepted == 5  # the first layer
    assert import_incidents(gpkg, layer="lopullinen").report.accepted == len(clean)
    with pytest.raises(InputFormatError, match=r"no layer 'x'.*'luonnos', 'lopullinen'"):
        import_incidents(gpkg, layer="x")


def test_unsupported_extension_names_file_and_formats(tmp_path: Path) -> None:
    path = tmp_path / "ilmoitukset.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFormatError, match=r"ilmoitukset\.xls.*\.csv.*\.xlsx"):
        import_incidents(path)
