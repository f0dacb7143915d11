"""``hotspots geocode``: a partner's file of addresses gets coordinates and a quality per row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import crs
from tests import osm_register
from tests.cli_run import count, run


@pytest.fixture(scope="module")
def register_files(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return osm_register.write_register(
        *osm_register.register_tables(shared_data_dir), tmp_path_factory.mktemp("register")
    )


def test_geocode_adds_coordinates_quality_and_match(
    register_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "osoite": [
                "Kaivokatu 1, 00100 Helsinki",
                "BRUNNSGATAN 1",
                "Mannerheimintie / Kaivokatu",
                "Olematonkatu 7",
                "Annankatu",
            ],
        }
    )
    source.to_csv(tmp_path / "in.csv", index=False, sep=";")
    out = tmp_path / "out.csv"
    argv = ["geocode", str(tmp_path / "in.csv"), "--address-column", "osoite"]
    code, text, err = run(
        capsys,
        *argv,
        "--register",
        str(register_files[0]),
        "--places",
        str(register_files[1]),
        "--out",
        str(out),
    )
    assert code == 0, err
    assert count(text, "rows:") == 5
    assert (
        count(text, "  exact:") == 2 and count(text, "  none:") == 1 and count(text, "  intersection:") == 1
    )
    written = pd.read_csv(out, dtype={"id": str})
    assert list(written.columns) == ["id", "osoite", "lon", "lat", "geocode_quality", "geocode_match"]
    assert written["geocode_quality"].tolist() == ["exact", "exact", "intersection", "none", "street"]
    assert written.loc[3, ["lon", "lat"]].isna().all()
    register = pd.read_csv(register_files[0], dtype=str)
    truth = register.loc[(register["street_fi"] == "Kaivokatu") & (register["number"] == "1")].iloc[0]
    x, y = crs.to_metric(written.loc[:1, "lon"], written.loc[:1, "lat"], src=crs.WGS84)
    tx, ty = crs.to_metric([float(truth["lon"])], [float(truth["lat"])], src=crs.WGS84)
    assert np.hypot(x - tx, y - ty).max() < 0.05


def test_geocode_with_a_wrong_column_says_which_columns_exist(
    register_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"id": ["1"], "address": ["Kaivokatu 1"]}).to_csv(tmp_path / "in.csv", index=False)
    argv = [
        "geocode",
        str(tmp_path / "in.csv"),
        "--address-column",
        "osoite",
        "--out",
        str(tmp_path / "o.csv"),
    ]
    code, _, err = run(capsys, *argv, "--register", str(register_files[0]))
    assert code == 2
    assert err.startswith(
        "error: --address-column was 'osoite' but the file has the columns ['id', 'address']"
    )
    assert not (tmp_path / "o.csv").exists()


def test_geocode_with_a_broken_register_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"id": ["1"], "a": ["Kaivokatu 1"]}).to_csv(tmp_path / "in.csv", index=False)
    pd.DataFrame({"street_fi": ["Kaivokatu"], "number": ["1"]}).to_csv(tmp_path / "reg.csv", index=False)
    argv = ["geocode", str(tmp_path / "in.csv"), "--address-column", "a", "--out", str(tmp_path / "o.csv")]
    code, _, err = run(capsys, *argv, "--register", str(tmp_path / "reg.csv"))
    assert code == 2 and err.count("\n") == 1
    assert "lacks the columns ['street_sv', 'postcode', 'lon', 'lat']" in err


def test_a_wrong_address_column_is_named_before_any_register_is_sought(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "a.csv"
    source.write_text("id;osoite\n1;Kaivokatu 1\n", encoding="utf-8")
    monkeypatch.setenv("HOTSPOTS_CACHE_DIR", str(tmp_path / "empty_cache"))  # no register anywhere
    code, _, err = run(
        capsys, "geocode", str(source), "--address-column", "address", "--out", str(tmp_path / "o.csv")
    )
    assert code == 2
    assert err == "error: --address-column was 'address' but the file has the columns ['id', 'osoite']\n"
