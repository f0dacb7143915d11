"""Briefing exports: the ``hotspots brief`` command, the PDF, the map picture and the downloads.

Every test runs on synthetic demo incidents over the real districts (``geo.demo``), analysed
by the same ``hotspots.analysis.analyse`` the app and the CLI use. Expected values come from
that analysis (the recommendations, the ranks, the district table), never typed in.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from briefing import downloads, privacy, safe_origin
from cli import brief as command
from cli import build_parser
from geo import demo
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.methods import ClusteringParams
from hotspots.selection import Selection

SINCE, UNTIL = "2026-05-01", "2026-11-01"
GENERATED = pd.Timestamp("2026-11-02 09:30", tz="Europe/Helsinki")


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=5000, seed=2026)


@pytest.fixture(scope="module")
def result(incidents: pd.DataFrame) -> analysis.Analysis:
    return analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL))


@pytest.fixture(scope="module")
def district_table(result: analysis.Analysis) -> pd.DataFrame:
    return downloads.district_figures(result, level="peruspiiri")


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


# --------------------------------------------------------------------------- command


def _brief_args(argv: list[str]) -> argparse.Namespace:
    """``hotspots brief ARGV`` parsed by the real command line."""
    return build_parser().parse_args(["brief", *argv])


def test_brief_command_writes_pdf_with_period_hotspots_and_recommendations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = demo.write_demo(tmp_path / "demo.csv", n=5000, seed=7)
    out = tmp_path / "out" / "briefing.pdf"
    args = _brief_args([str(source), "--since", SINCE, "--until", UNTIL, "--out", str(out), "--lang", "en"])
    assert command.run(args) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "aggregated" in printed

    # The same incidents analysed independently: their top ten must be in the PDF.
    from geo import incidents as incident_io

    frame = incident_io.import_incidents(source, file_name=source.name).incidents
    # The command's default: eps and min_samples chosen by backtest on the period.
    auto = ClusteringParams(auto_eps=True, auto_min_samples=True)
    expected = analysis.analyse(frame, selection=Selection(since=SINCE, until=UNTIL), clustering=auto)
    assert expected.parameters is not None and expected.parameters.chosen
    assert f"parameters: {expected.parameters.reason}" in printed
    assert len(expected.hotspots) >= 5
    pages = _pdf_pages(out.read_bytes())
    assert len(pages) == 2
    first, second = _squash(pages[0]), _squash(pages[1])
    assert _squash("Period: 2026-05-01–2026-10-31") in first
    assert _squash("compared with 2025-11-01–2026-04-30") in first
    assert _squash(f"Top {min(10, len(expected.hotspots))} hotspots") in first
    for _, row in expected.hotspots.head(10).iterrows():
        assert _squash(row["recommendation_en"]) in first, row["id"]
    # Ranks appear in order: the first hotspot's recommendation comes before the second's.
    recs = [first.index(_squash(r)) for r in expected.hotspots["recommendation_en"].head(3)]
    assert recs == sorted(recs)
    assert "Synthetic demo data" in pages[0]
    for text in (
        "Incidents by district",
        "Data sources",
        "Districts © City of Helsinki, CC BY 4.0",
        "Generated",
    ):
        assert _squash(text) in second, text


def test_brief_command_writes_png(tmp_path: Path) -> None:
    source = demo.write_demo(tmp_path / "demo.csv", n=1500, seed=3)
    out = tmp_path / "map.png"
    args = _brief_args([str(source), "--out", str(out), "--lang", "sv", "--size", "slides", "--density"])
    assert command.run(args) == 0
    with Image.open(out) as image:
        assert image.size == (1920, 1080)
        assert image.text["Classification"].startswith(privacy.AGGREGATED)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--out", "briefing.txt"], r"--out was 'briefing.txt'.*\['\.pdf', '\.png'\]"),
        (["--out", "b.pdf", "--min-count", "0"], r"min_count must be a whole number >= 1 .*got 0"),
    ],
)
def test_brief_command_rejects_bad_options_by_name(argv: list[str], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        command.run(_brief_args(argv))


def test_store_url_loses_its_credentials() -> None:
    assert safe_origin("postgresql://analyst:s3cret@db.example:5432/hotspots") == (
        "postgresql://db.example:5432/hotspots"
    )
    assert safe_origin("demo.csv") == "demo.csv"
