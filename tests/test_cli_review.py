"""``hotspots brief --review``: the six-monthly review PDF from a demo file or the store, with measures.

The measures are placed on Linjat (osa-alue 112), so the PDF must name that place beside
the measure's kind; the store's measures come from ``hotspots measures add``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import store
from geo import demo
from i18n import t
from tests.cli_run import run

SINCE, UNTIL = "2026-05-01", "2026-11-01"


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _text(path: Path) -> str:
    return _squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.write_demo(tmp_path_factory.mktemp("demo") / "demo.csv", n=5000, seed=7)


def _measures_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


OUTREACH = {
    "kind": "outreach",
    "lead": "youth_work",
    "start": "2026-06-01",
    "end": "2026-08-01",
    "districts": "Linjat",
    "partner": "Aseman Lapset ry",
}


def test_review_from_a_file_with_measures_names_their_kind_and_place(
    tmp_path: Path, demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measures = _measures_csv(tmp_path / "toimet.csv", [OUTREACH])
    out = tmp_path / "review.pdf"
    code, printed, err = run(
        capsys,
        "brief",
        str(demo_file),
        "--review",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--measures",
        str(measures),
        "--out",
        str(out),
        "--lang",
        "en",
    )
    assert code == 0, err
    lines = printed.splitlines()
    assert len(lines) == 2 and lines[1] == f"wrote {out} (aggregated, counts below 5 suppressed)"
    assert lines[0].startswith("demo.csv (synthetic demo data): ")
    assert "measures read 1 (0 from the store, 1 from the file), 1 in the period" in lines[0]
    assert re.search(
        r"\d+ hotspots \(new \d+, persistent \d+, intensifying \d+, diminishing \d+, vanished \d+\)", lines[0]
    )
    text = _text(out)
    assert _squash("Six-monthly review – Helsinki, 2026-05-01–2026-10-31") in text
    assert _squash(f"M1 {t('measure.kind.outreach', 'en')}, Linjat, 2026-06-01–2026-07-31") in text
    assert _squash("partner Aseman Lapset ry") in text
    assert "RESTRICTED" not in text


def test_review_from_the_store_shows_the_measures_recorded_there_and_is_audited(
    tmp_path: Path, demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    code, _, err = run(capsys, "import", str(demo_file), "--db", db)
    assert code == 0, err
    code, _, err = run(
        capsys,
        "measures",
        "add",
        "--kind",
        "patrol",
        "--lead",
        "police",
        "--from",
        "2026-07-01",
        "--until",
        "2026-09-01",
        "--districts",
        "Linjat",
        "--db",
        db,
    )
    assert code == 0, err
    out = tmp_path / "review.pdf"
    file_measure = _measures_csv(tmp_path / "more.csv", [OUTREACH])
    code, printed, err = run(
        capsys,
        "brief",
        "--db",
        db,
        "--review",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--measures",
        str(file_measure),
        "--out",
        str(out),
        "--lang",
        "fi",
        "--restricted",
    )
    assert code == 0, err
    assert "measures read 2 (1 from the store, 1 from the file), 2 in the period" in printed
    assert f"wrote {out} (RESTRICTED)" in printed
    text = _text(out)
    # By start: the file's outreach of June is M1, the store's patrol of July M2.
    assert _squash(f"M1 {t('measure.kind.outreach', 'fi')}, Linjat, 1.6.2026–31.7.2026") in text
    assert _squash("M2 Partiointi") in text and _squash("Linjat, 1.7.2026–31.8.2026") in text
    with store.open_store(db) as st:
        exports = st.audit_log(action="export")
    assert len(exports) == 1
    detail = exports["detail"].iloc[0]
    assert "review.pdf" in str(detail) and "review_pdf" in str(detail) and "RESTRICTED" in str(detail)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--review", "--since", SINCE, "--out", "r.pdf"], "error: --review needs --until: the half-year"),
        (["--review", "--out", "r.pdf"], "error: --review needs --since and --until"),
        (
            ["--review", "--since", SINCE, "--until", UNTIL, "--out", "r.png"],
            "error: --out was 'r.png' but the review is a PDF",
        ),
        (
            ["--review", "--since", SINCE, "--until", UNTIL, "--out", "r.pdf", "--density"],
            "error: --density shades the briefing's map",
        ),
        (
            ["--since", SINCE, "--until", UNTIL, "--out", "b.pdf", "--measures", "m.csv"],
            "error: --measures is read by the review only",
        ),
        (
            ["--review", "--since", SINCE, "--until", UNTIL, "--out", "r.pdf", "--measures", "missing.csv"],
            "error: --measures file missing.csv does not exist",
        ),
        (
            ["--review", "--since", "2026-13-01", "--until", UNTIL, "--out", "r.pdf"],
            "error: --since",
        ),
    ],
)
def test_review_errors_are_one_line_and_write_nothing(
    tmp_path: Path,
    demo_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "brief", str(demo_file), *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_measure_file_with_a_bad_row_is_refused_with_its_first_problem(
    tmp_path: Path, demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {**OUTREACH, "lead": "", "districts": "Harju"}
    measures = _measures_csv(tmp_path / "toimet.csv", [OUTREACH, bad])
    out = tmp_path / "review.pdf"
    code, printed, err = run(
        capsys,
        "brief",
        str(demo_file),
        "--review",
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--measures",
        str(measures),
        "--out",
        str(out),
    )
    assert code == 2 and printed == "" and err.count("\n") == 1
    assert err.startswith(
        "error: toimet.csv: 1 of 2 rows are bad, so no review was written; first: row 3, lead"
    )
    assert not out.exists()
    rejects = pd.read_csv(tmp_path / "toimet.rejects.csv", dtype=str)
    assert list(zip(rejects["row"], rejects["field"], strict=True)) == [("3", "lead")]
