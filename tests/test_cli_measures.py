"""``hotspots measures add|list|remove|import`` against an SQLite store, on the real districts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely

import store
import store.measured
from geo.crs import to_wgs84
from geo.errors import StoreError
from tests.cli_run import count, run

#: A circle of 100 m in Linjat (osa-alue 112), EPSG:3067.
LINJAT = shapely.Point(386_000.0, 6_673_600.0).buffer(100.0)


def lonlat(area: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(area, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1])))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def test_add_list_and_remove(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "measures",
        "add",
        "--kind",
        "jalkautuva nuorisotyö",
        "--lead",
        "youth_work",
        "--partner",
        "Aseman Lapset ry",
        "--from",
        "2025-03-01",
        "--until",
        "2025-06-01",
        "--districts",
        "Kallio",
        "--categories",
        "drug_dealing,pahoinpitely",
        "--note",
        "Iltaisin",
        "--db",
        db,
    )
    assert code == 0, err
    assert out.startswith(
        "recorded measure 1: outreach led by youth_work with Aseman Lapset ry, 2025-03-01 until"
    )
    assert "(osa-alue 101, 102, 103, 104, 111, 112, 113), drug_dealing, assault; recorded as " in out
    area = tmp_path / "alue.geojson"
    area.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(lonlat(LINJAT)),
                    }
                ],
            }
        )
    )
    code, out, err = run(
        capsys,
        "measures",
        "add",
        "--kind",
        "patrol",
        "--lead",
        "poliisi",
        "--from",
        "2025-02-01",
        "--until",
        "2025-02-15",
        "--area",
        str(area),
        "--db",
        db,
    )
    assert code == 0, err
    assert "on a drawn area of 0.031 km² (osa-alue 112), all categories; recorded as " in out
    code, out, err = run(capsys, "measures", "list", "--db", db)
    lines = out.splitlines()
    assert lines[0].split() == ["id", "from", "until", "kind", "lead", "partner", "place", "recorded_by"]
    assert [line.split()[:5] for line in lines[1:]] == [
        ["2", "2025-02-01", "2025-02-15", "patrol", "police"],
        ["1", "2025-03-01", "2025-06-01", "outreach", "youth_work"],
    ]
    code, out, _ = run(capsys, "measures", "list", "--since", "2025-02-15", "--db", db)
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["1"]
    # the files: CSV for spreadsheets, GeoJSON in WGS84, each export in the audit trail
    code, out, err = run(
        capsys, "measures", "list", "--format", "csv", "--out", str(tmp_path / "m.csv"), "--db", db
    )
    assert code == 0, err
    assert out.startswith("wrote 2 measures to ")
    table = pd.read_csv(tmp_path / "m.csv", dtype=str, keep_default_na=False)
    assert list(table["id"]) == ["2", "1"] and list(table["note"]) == ["", "Iltaisin"]
    code, _, err = run(
        capsys, "measures", "list", "--format", "geojson", "--out", str(tmp_path / "m.geojson"), "--db", db
    )
    collection = json.loads((tmp_path / "m.geojson").read_text(encoding="utf-8"))
    lon, lat = np.array(collection["features"][0]["geometry"]["coordinates"][0][0]).T
    assert 24.9 < lon.min() < lon.max() < 25.0 and 60.1 < lat.min() < lat.max() < 60.2
    assert collection["features"][1]["properties"]["osaalue"] == "101,102,103,104,111,112,113"
    code, out, err = run(capsys, "measures", "remove", "2", "--db", db)
    assert code == 0, err
    assert out.startswith("removed measure 2")
    code, out, err = run(capsys, "measures", "remove", "2", "--db", db)
    assert (
        code == 2
        and err.startswith("error: measure 2 was removed already (audit row ")
        and err.count("\n") == 1
    )
    with store.open_store(db) as st:
        actions = list(st.audit_log()["action"])
        assert [r.id for r in st.measures(scope=store.LOCAL_ANALYST)] == [1]
    assert actions == ["measure_add", "measure_add", "export", "export", "measure_remove"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--kind", "bingo", "--lead", "police"],
            "error: --kind 'bingo' is not known; use one of outreach, patrol",
        ),
        (
            ["--kind", "patrol", "--lead", "police", "--categories", "juoru"],
            "error: --categories: 'juoru' is not",
        ),
        (["--kind", "patrol", "--lead", "police", "--note", "n" * 1001], "error: note has 1001 characters"),
    ],
)
def test_user_errors_are_one_line(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(
        capsys,
        "measures",
        "add",
        *argv,
        "--from",
        "2025-03-01",
        "--until",
        "2025-04-01",
        "--districts",
        "Linjat",
        "--db",
        db,
    )
    assert code == 2 and err.startswith(message) and err.count("\n") == 1 and out == ""
    code, _, err = run(
        capsys,
        "measures",
        "add",
        "--kind",
        "patrol",
        "--lead",
        "police",
        "--from",
        "2025-05-01",
        "--until",
        "2025-04-01",
        "--districts",
        "Linjat",
        "--db",
        db,
    )
    assert code == 2 and err.startswith("error: --until 2025-04-01 is not after --from")
    assert err.count("\n") == 1


def test_import_is_all_or_nothing_unless_told_to_skip_bad_rows(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "toimet.csv"
    pd.DataFrame(
        [
            {
                "kind": "outreach",
                "lead": "youth_work",
                "start": "1.3.2025",
                "end": "1.6.2025",
                "districts": "Kallio",
            },
            {
                "kind": "patrullering",
                "lead": "polis",
                "start": "2025-04-01",
                "end": "2025-04-08",
                "districts": "Linjat",
            },
            {
                "kind": "outreach",
                "lead": "",
                "start": "2025-04-01",
                "end": "2025-04-08",
                "districts": "Harju",
            },
        ]
    ).to_csv(path, index=False)
    code, out, err = run(capsys, "measures", "import", str(path), "--db", db)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(
        "error: toimet.csv: 1 of 3 rows are bad, so nothing was recorded; first: row 4, lead"
    )
    rejects = pd.read_csv(tmp_path / "toimet.rejects.csv", dtype=str)
    assert list(zip(rejects["row"], rejects["field"], strict=True)) == [("4", "lead")]
    with store.open_store(db) as st:
        assert st.measures(scope=store.LOCAL_ANALYST) == []
    code, out, err = run(capsys, "measures", "import", str(path), "--skip-bad", "--db", db)
    assert code == 0, err
    assert (count(out, "read:"), count(out, "recorded:"), count(out, "rejected:")) == (3, 2, 1)
    assert "rejects:    " in out
    with store.open_store(db) as st:
        got = st.measures(scope=store.LOCAL_ANALYST)
    assert [(r.measure.kind, r.measure.lead, r.osaalue[:2]) for r in got] == [
        ("outreach", "youth_work", ("101", "102")),
        ("patrol", "police", ("112",)),
    ]


def test_an_import_that_fails_half_way_records_nothing(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "toimet.csv"
    row = {"kind": "outreach", "lead": "youth_work", "start": "2025-03-01", "end": "2025-04-01"}
    pd.DataFrame([{**row, "districts": name} for name in ("Kallio", "Linjat", "Harju")]).to_csv(
        path, index=False
    )
    real = store.measured.MeasuredStore._insert_audit
    added: list[int] = []

    def failing(self: Any, conn: Any, action: str, scope: store.Scope, detail: Any) -> int:
        if action == "measure_add":
            added.append(detail["measure_id"])
            if len(added) == 3:
                raise StoreError("writing to the incident store failed: disk full")
        return real(self, conn, action, scope, detail)

    monkeypatch.setattr(store.measured.MeasuredStore, "_insert_audit", failing)
    code, out, err = run(capsys, "measures", "import", str(path), "--db", db)
    monkeypatch.undo()
    assert code == 2 and out == "" and err == "error: writing to the incident store failed: disk full\n"
    assert added == [1, 2, 3]  # two were written inside the transaction before the third failed
    with store.open_store(db) as st:
        assert st.measures(scope=store.LOCAL_ANALYST) == [] and st.audit_log(action="measure_add").empty
