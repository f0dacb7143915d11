"""``hotspots import``: a messy partner export in, twice, with its rejects and the store's log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests import messy
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
