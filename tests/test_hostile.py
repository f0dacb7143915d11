"""Hostile and careless files: every row accounted for, one clear line instead of a traceback."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import HotspotsError
from geo.incidents import import_incidents
from tests.cli_run import run

GOOD = "aika;lat;lon;luokka\n" + "".join(
    f"{d}.5.2025 12.00;60.17{d:02d};24.94;pahoinpitely\n" for d in range(1, 21)
)


def _accounted(result: object) -> None:
    report = result.report  # type: ignore[attr-defined]
    assert report.rows_read == report.accepted + report.rejected + report.duplicates_in_file


def test_a_ragged_row_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        GOOD + "21.5.2025 12.00;60.17;24.94;ryöstö;EXTRA;FIELDS\n22.5.2025 12.00;60.171;24.941;ryöstö\n"
    )
    result = import_incidents(path)
    _accounted(result)
    assert result.report.rows_read == 22 and len(result.incidents) == 21
    (reject,) = result.rejects.itertuples(index=False)
    assert reject.row == 22 and reject.field == "row"
    assert "6 semicolon-separated fields but the header has 4" in reject.reason
    assert "EXTRA" in reject.value


def test_odd_encodings_huge_fields_and_nul_bytes_read_like_utf8(tmp_path: Path) -> None:
    reference = tmp_path / "utf8.csv"
    reference.write_text(GOOD, encoding="utf-8")
    expected = import_incidents(reference).incidents[["occurred_at", "x_m", "y_m", "category"]]
    variants = {
        "utf16_bom.csv": GOOD.encode("utf-16"),
        "utf16_le.csv": GOOD.encode("utf-16-le"),
        "utf16_be.csv": GOOD.encode("utf-16-be"),
        "nul.csv": GOOD.encode()[:45] + b"\x00\x00" + GOOD.encode()[45:],
    }
    for name, content in variants.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = import_incidents(path)
        _accounted(result)
        got = result.incidents[["occurred_at", "x_m", "y_m", "category"]]
        pd.testing.assert_frame_equal(got, expected, check_exact=False)
    assert any("NUL characters removed" in n for n in import_incidents(tmp_path / "nul.csv").report.notes())
    huge = tmp_path / "huge.csv"
    huge.write_text("aika;lat;lon;luokka;kuvaus\n1.5.2025 12.00;60.17;24.94;ryöstö;" + "x" * 200_000 + "\n")
    result = import_incidents(huge)
    assert len(result.incidents) == 1 and len(result.incidents["description"].iloc[0]) == 200_000


def test_points_at_sea_are_kept_and_said(tmp_path: Path) -> None:
    path = tmp_path / "sea.csv"
    path.write_text(
        "aika;lat;lon;luokka\n1.5.2025 12.00;60.12;24.93;ryöstö\n2.5.2025 12.00;60.17;24.94;ryöstö\n"
    )
    result = import_incidents(path)
    assert len(result.incidents) == 2
    assert any("1 accepted rows lie at sea" in n and "row 2" in n for n in result.report.notes())


def test_broken_files_give_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = pa.table({"aika": ["1.5.2025 12.00"], "lat": [60.17], "lon": [24.94], "geometry": [b"\x01" * 21]})
    for name, geo in (
        (
            "bad_crs.parquet",
            b'{"version": "1.0.0", "primary_column": "geometry", "columns": '
            b'{"geometry": {"encoding": "WKB", "crs": "NOT A CRS"}}}',
        ),
        ("bad_json.parquet", b"{not json"),
    ):
        pq.write_table(table.replace_schema_metadata({b"geo": geo}), tmp_path / name)
    (tmp_path / "garbage.parquet").write_bytes(b"PAR1garbagePAR1")
    (tmp_path / "garbage.xlsx").write_bytes(b"PK\x03\x04no zip")
    (tmp_path / "unclosed.csv").write_text(
        'aika;lat;lon;luokka\n"1.5.2025 12.00;60.17;24.94;x\n2.5.2025;60.1;24.9;x\n'
    )
    (tmp_path / "random.csv").write_bytes(os.urandom(3000))
    for name in (
        "bad_crs.parquet",
        "bad_json.parquet",
        "garbage.parquet",
        "garbage.xlsx",
        "unclosed.csv",
        "random.csv",
    ):
        code, _, err = run(
            capsys, "import", str(tmp_path / name), "--db", f"sqlite:///{tmp_path / 's.sqlite'}"
        )
        assert code == 2, (name, err)
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, name
        assert name in err or name == "random.csv"  # random bytes: the columns it "has" are named


def test_a_damaged_store_and_bad_settings_give_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "good.csv"
    source.write_text(GOOD)
    store = tmp_path / "store.sqlite"
    assert run(capsys, "import", str(source), "--db", f"sqlite:///{store}")[0] == 0
    damaged = bytearray(store.read_bytes())
    for start in range(4096, len(damaged), 4096):
        damaged[start + 100 : start + 900] = b"\xde\xad\xbe\xef" * 200
    store.write_bytes(bytes(damaged))
    for command in (["stats"], ["cluster", "--out", str(tmp_path / "x.geojson")]):
        code, _, err = run(capsys, *command, "--db", f"sqlite:///{store}")
        assert code == 2 and "malformed" in err and err.count("\n") == 1 and "Traceback" not in err
    (tmp_path / "not_a_store.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    code, _, err = run(capsys, "stats", "--db", f"sqlite:///{tmp_path / 'not_a_store.sqlite'}")
    assert code == 2 and err.count("\n") == 1
    monkeypatch.setenv("HOTSPOTS_HTTP_TIMEOUT_S", "abc")
    monkeypatch.setenv("HOTSPOTS_DATA_DIR", str(tmp_path / "nothing"))
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(tmp_path / "nothing"))
    code, _, err = run(capsys, "districts", "list")
    assert code == 2 and "HOTSPOTS_HTTP_TIMEOUT_S must be a number of seconds, got 'abc'" in err


_CELL = st.text(alphabet=string.ascii_letters + string.digits + " .,;:\t\"'=+-@äöåÄÖ€\r", max_size=12)


@st.composite
def _csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    header = ["aika", "lat", "lon", "luokka"]
    rows = []
    for day in range(draw(st.integers(min_value=0, max_value=12))):
        kind = draw(st.sampled_from(["good", "good", "noise", "short", "long", "blank"]))
        if kind == "good":
            rows.append([f"{day % 28 + 1}.5.2025 12.00", "60.17", "24.94", "ryöstö"])
        elif kind == "noise":
            rows.append([draw(_CELL) for _ in header])
        elif kind == "short":
            rows.append([draw(_CELL)])
        elif kind == "long":
            rows.append([draw(_CELL) for _ in range(6)])
        else:
            rows.append([])
    text = "\n".join(delimiter.join(row) for row in [header, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=_csv_files())
def test_fuzzed_csv_files_account_for_every_row_or_say_why(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    try:
        result = import_incidents(path)
    except HotspotsError as exc:
        # Refused as a whole: only for reasons a person can act on, named in the message.
        assert str(exc).strip() and "Traceback" not in str(exc)
        return
    _accounted(result)
    # Row numbers are lines a person can find (blank lines count as lines, not as rows).
    encoding = result.report.encoding or "utf-8"
    lines = len(content.decode(encoding.replace("-sig", ""), errors="replace").splitlines()) + 1
    assert all(2 <= row <= lines for row in result.rejects["row"])


def _two_sheets(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    cover = book.active
    cover.title = "Ohje"
    cover.append(["Tämä taulukko kertoo, miten aineisto on koottu."])
    data = book.create_sheet("Tapahtumat")
    data.append(["aika", "lat", "lon", "luokka"])
    for day in range(1, 8):
        data.append([f"{day}.5.2025 12.00", 60.17 + day / 1000, 24.94, "ryöstö"])
    book.save(path)
    return path


def test_the_sheet_or_layer_is_chosen_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _two_sheets(tmp_path / "kirja.xlsx")
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    code, _, err = run(capsys, "import", str(book), "--db", db)
    assert code == 2 and "Ohje" in err  # the first sheet holds no incidents: said in one line
    code, out, err = run(capsys, "import", str(book), "--sheet", "Tapahtumat", "--db", db)
    assert code == 0, err
    assert "accepted:   7 rows" in out
    code, _, err = run(capsys, "import", str(book), "--sheet", "Muu", "--db", db)
    assert code == 2 and "has no sheet 'Muu'" in err and "Tapahtumat" in err


def test_the_app_offers_the_sheets_of_an_uploaded_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=180)
    app.run()
    app.sidebar.radio(key="data_source").set_value("upload").run()
    content = _two_sheets(tmp_path / "kirja.xlsx").read_bytes()
    app.sidebar.file_uploader(key="upload").upload("kirja.xlsx", content, "application/octet-stream").run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.sidebar.selectbox(key="upload_part").options == ["Ohje", "Tapahtumat"]
    app.sidebar.selectbox(key="upload_part").set_value("Tapahtumat").run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("7" in s.value for s in app.sidebar.success)


def test_an_unwritable_rejects_file_stops_the_import_before_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text(GOOD + "21.5.2025 12.00;60.17;24.94;ryöstö;EXTRA\n")
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    (tmp_path / "blocker").write_text("a file where a folder should be")
    code, _, err = run(
        capsys, "import", str(source), "--db", db, "--rejects", str(tmp_path / "blocker" / "r.csv")
    )
    assert code == 2 and err.count("\n") == 1
    code, out, _ = run(capsys, "stats", "--db", db)
    assert code == 0 and "incidents:  0" in out  # nothing was committed


_VALUE = st.one_of(
    st.none(), _CELL, st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_VALUE, _VALUE, _VALUE, _VALUE), max_size=8),
    suffix=st.sampled_from([".xlsx", ".parquet", ".geojson"]),
)
def test_fuzzed_tables_in_other_formats_account_for_every_row(
    tmp_path: Path, rows: list[tuple[object, ...]], suffix: str
) -> None:
    import geopandas as gpd
    import shapely

    good = [("1.5.2025 12.00", 60.17, 24.94, "ryöstö"), ("2.5.2025 12.00", 60.171, 24.941, "ryöstö")]
    table = pd.DataFrame([*good, *rows], columns=["aika", "lat", "lon", "luokka"]).astype(object)
    path = tmp_path / f"fuzz{suffix}"
    if suffix == ".xlsx":
        table.map(
            lambda v: v if not isinstance(v, float) or (v == v and abs(v) != float("inf")) else str(v)
        ).to_excel(path, index=False)
    elif suffix == ".parquet":
        table.astype(str).to_parquet(path)
    else:
        points = [shapely.Point(24.94, 60.17) for _ in range(len(table))]
        gpd.GeoDataFrame(table.astype(str), geometry=points, crs=4326).to_file(path, driver="GeoJSON")
    try:
        result = import_incidents(path)
    except HotspotsError as exc:
        assert str(exc).strip()
        return
    _accounted(result)
    assert len(result.incidents) >= 1  # the good rows survive their neighbours


def test_a_store_locked_by_another_program_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    source = tmp_path / "good.csv"
    source.write_text(GOOD)
    store = tmp_path / "store.sqlite"
    db = f"sqlite:///{store}"
    assert run(capsys, "stats", "--db", db)[0] == 0  # creates the store
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than we wait
    monkeypatch.setenv("HOTSPOTS_DB_TIMEOUT_S", "0.3")
    try:
        code, _, err = run(capsys, "import", str(source), "--db", db)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "locked" in err and "try again" in err
    assert run(capsys, "import", str(source), "--db", db)[0] == 0  # and it works once released
    monkeypatch.setenv("HOTSPOTS_DB_TIMEOUT_S", "soon")
    code, _, err = run(capsys, "stats", "--db", db)
    assert code == 2 and "HOTSPOTS_DB_TIMEOUT_S must be a number of seconds, got 'soon'" in err
