"""``hotspots stats``: what the store holds, by category and source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests import osm_register
from tests.cli_run import count, run


def test_stats_of_an_empty_and_a_filled_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    assert count(out, "incidents:") == 0
    assert "period:" not in out

    demo_csv = tmp_path / "demo.csv"
    assert run(capsys, "demo", "--out", str(demo_csv), "--n", "600", "--seed", "4")[0] == 0
    assert run(capsys, "import", str(demo_csv), "--db", db)[0] == 0
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    assert count(out, "incidents:") == 600
    assert "(600 synthetic) in 1 import batches" in out
    demo = pd.read_csv(demo_csv)
    lines = out.split("by category:")[1].split("by source:")[0].split()
    by_category = dict(zip(lines[::2], map(int, lines[1::2]), strict=True))
    assert by_category == demo["category"].value_counts().to_dict()
    first, last = out.split("period:")[1].split("\n")[0].split(" .. ")
    assert pd.Timestamp(first.strip()) <= pd.Timestamp(last.strip())
    assert "geocode quality" not in out  # every position is the source's own


def test_stats_count_positions_by_geocode_quality(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    demo_csv = tmp_path / "demo.csv"
    assert run(capsys, "demo", "--out", str(demo_csv), "--n", "300", "--seed", "5")[0] == 0
    assert run(capsys, "import", str(demo_csv), "--db", db)[0] == 0
    addresses, places = osm_register.register_tables(shared_data_dir)
    register, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    # a youth-services list written as addresses: house numbers, a street alone, a stair and flat
    sample = addresses.sample(40, random_state=5)
    texts = [f"{s} {n}" for s, n in zip(sample["street_fi"], sample["number"], strict=True)]
    texts += ["Kaivokatu", "Mannerheimintie", "Mannerheimint. 5 A 12"]
    reports = tmp_path / "nuoriso.csv"
    pd.DataFrame(
        {
            "aika": [f"{1 + i % 28}.4.2026 18.00" for i in range(len(texts))],
            "luokka": "ilkivalta",
            "osoite": texts,
        }
    ).to_csv(reports, index=False)
    code, out, err = run(
        capsys, "import", str(reports), "--db", db, "--register", str(register), "--places", str(place_file)
    )
    assert code == 0, err
    imported = {
        line.split()[2]: int(line.split()[1]) for line in out.splitlines() if line.startswith("position:")
    }
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    lines = out.split("by geocode quality:\n")[1].split()
    by_quality = dict(zip(lines[::2], map(int, lines[1::2]), strict=True))
    assert list(by_quality) == ["source", "exact", "interpolated", "street", "place", "intersection"]
    assert by_quality["source"] == 300 and by_quality["street"] >= 2
    assert {q: n for q, n in by_quality.items() if n and q != "source"} == {
        q: n for q, n in imported.items() if q != "none"
    }
    assert (
        sum(by_quality.values())
        == count(out, "incidents:")
        == 300 + sum(n for q, n in imported.items() if q != "none")
    )
