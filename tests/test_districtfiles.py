"""District figures as files (briefing.districtfiles): suppression, formula cells, markings, scopes.

The demo analysis and its district table are tests/briefing_demo.py's. Which rows a
user's scope keeps, and what it may not ask for, are test_permissions.py's business too;
here the files themselves.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from briefing import districtfiles, downloads
from geo.errors import ParameterError
from hotspots import analysis
from store import LOCAL_ANALYST, Scope, ScopeError
from tests.briefing_demo import GENERATED, demo_district_table, demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def district_table() -> pd.DataFrame:
    return demo_district_table()


def test_district_csv_suppresses_small_counts_and_what_reveals_them(district_table: pd.DataFrame) -> None:
    frame = pd.read_csv(
        io.BytesIO(downloads.districts_csv_bytes(district_table, scope=LOCAL_ANALYST)),
        dtype=str,
        keep_default_na=False,
    )
    assert list(frame["code"]) == list(district_table["code"])
    small_now = district_table["n"] < 5
    small_prev = district_table["n_prev"] < 5
    assert (small_now | small_prev).any(), "the demo selection should have some small districts"
    for i, row in district_table.iterrows():
        out = frame.iloc[i]
        assert out["n"] == ("<5" if row["n"] < 5 else str(row["n"]))
        assert out["n_prev"] == ("<5" if row["n_prev"] < 5 else str(row["n_prev"]))
        if row["n"] < 5 or row["n_prev"] < 5:
            assert out["change"] == "" and out["change_pct"] == ""
        else:
            assert int(out["change"]) == row["change"]
        if row["n"] < 5:
            assert out["rate_per_1000"] == ""
    # A threshold of 1 hides nothing.
    exact = pd.read_csv(
        io.BytesIO(downloads.districts_csv_bytes(district_table, scope=LOCAL_ANALYST, min_count=1))
    )
    assert list(exact["n"]) == list(district_table["n"])


def test_csv_and_xlsx_neutralise_formula_cells(district_table: pd.DataFrame) -> None:
    hostile = district_table.copy()
    hostile.loc[0, "name_fi"] = '=HYPERLINK("http://evil.example","x")'
    hostile.loc[1, "name_sv"] = "@SUM(A1:A9)"
    hostile.loc[2, "name_fi"] = "+1+2"
    hostile.loc[3, "name_fi"] = "-3"
    before = hostile.copy()
    frame = pd.read_csv(io.BytesIO(downloads.districts_csv_bytes(hostile, scope=LOCAL_ANALYST)), dtype=str)
    assert frame.loc[0, "name_fi"] == "'" + hostile.loc[0, "name_fi"]
    assert frame.loc[1, "name_sv"] == "'@SUM(A1:A9)"
    assert frame.loc[2, "name_fi"] == "'+1+2" and frame.loc[3, "name_fi"] == "'-3"
    book = load_workbook(io.BytesIO(downloads.districts_xlsx_bytes(hostile, scope=LOCAL_ANALYST, lang="en")))
    sheet = book["Districts"]
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    name_fi_col = [c.value for c in sheet[1]].index("District (fi)") + 1
    first = cells[(2, name_fi_col)]
    assert first.value == "'" + hostile.loc[0, "name_fi"] and first.data_type == "s"
    assert all(c.data_type != "f" for c in cells.values())
    pd.testing.assert_frame_equal(hostile, before)  # the caller's frame is untouched


def test_xlsx_has_translated_headers_about_sheet_and_restricted_properties(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    content = downloads.districts_xlsx_bytes(
        district_table,
        scope=LOCAL_ANALYST,
        lang="fi",
        restricted=True,
        analysis=result,
        generated_at=GENERATED,
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Alueet", "Tietoja"]
    headers = [c.value for c in book["Alueet"][1]]
    assert headers[:4] == ["Tunnus", "Alue (fi)", "Alue (sv)", "Tapahtumia"]
    assert headers[-1] == "Luokitus"
    assert book.properties.title.startswith("KÄYTTÖ RAJOITETTU")
    assert book.properties.keywords.startswith("RESTRICTED")
    assert book["Alueet"].oddHeader.center.text == "KÄYTTÖ RAJOITETTU"
    about = " ".join(str(c.value) for row in book["Tietoja"].iter_rows() for c in row if c.value)
    assert "1.5.2026–31.10.2026" in about and "RESTRICTED" in about
    # Restricted: exact counts, numbers as numbers.
    values = [row[3] for row in book["Alueet"].iter_rows(min_row=2, values_only=True)]
    assert values == list(district_table["n"])


def test_the_district_files_are_the_ones_downloads_offers() -> None:
    assert downloads.districts_csv_bytes is districtfiles.districts_csv_bytes
    assert downloads.districts_xlsx_bytes is districtfiles.districts_xlsx_bytes


def test_csv_bytes_has_a_bom_and_keeps_whole_numbers_whole() -> None:
    frame = pd.DataFrame({"code": ["=1+1", "102"], "n": pd.array([40, None], dtype="Int64")})
    content = districtfiles.csv_bytes(frame)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == ["code,n", "'=1+1,40", "102,"]


def test_a_viewer_s_workbook_is_aggregated_and_cannot_lower_the_threshold(
    district_table: pd.DataFrame,
) -> None:
    viewer = Scope("johto@hel.fi", "viewer", None)
    book = load_workbook(
        io.BytesIO(
            districtfiles.districts_xlsx_bytes(
                district_table, scope=viewer, lang="en", generated_at=GENERATED
            )
        )
    )
    values = [row[3] for row in book["Districts"].iter_rows(min_row=2, values_only=True)]
    small = district_table["n"] < 5
    assert small.any() and [v for v, s in zip(values, small, strict=True) if s] == ["<5"] * int(small.sum())
    assert book.properties.category == "AGGREGATED"
    with pytest.raises(ScopeError, match="must be at least 5, got 3"):
        districtfiles.districts_xlsx_bytes(district_table, scope=viewer, min_count=3)


def test_an_analyst_of_some_districts_gets_their_rows_exactly(district_table: pd.DataFrame) -> None:
    # the table is at peruspiiri level; an analyst of Kallio's osa-alue gets Kallio's row (301),
    # not Vironniemi's (the peruspiiri coded 101, like the osa-alue Vilhonvuori)
    analyst = Scope("olli@poliisi.fi", "analyst", ("101", "102", "103", "104", "105"))
    rows = pd.read_csv(
        io.BytesIO(
            districtfiles.districts_csv_bytes(
                district_table, scope=analyst, level="peruspiiri", restricted=True
            )
        )
    )
    assert list(rows["code"].astype(str)) == ["301"] and list(rows["classification"]) == ["RESTRICTED"]
    assert int(rows["n"].iloc[0]) == int(district_table.loc[district_table["code"] == "301", "n"].iloc[0])
    with pytest.raises(ParameterError, match="level must name"):
        districtfiles.districts_csv_bytes(district_table, scope=analyst)
