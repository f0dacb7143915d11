"""``hotspots brief``: the PDF briefing and the map picture, end to end from a demo file.

The files are compared with an independent analysis of the same file.
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from briefing import privacy
from cli import brief as command
from cli import build_parser
from geo import demo
from geo import incidents as incident_io
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection
from i18n import recommendation_text
from tests import named_hotspots, osm_register

SINCE, UNTIL = "2026-05-01", "2026-11-01"


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


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
        assert _squash(recommendation_text(row["recommendation"], "en")) in first, row["id"]
    # Ranks appear in order: the first hotspot's recommendation comes before the second's.
    recs = [
        first.index(_squash(recommendation_text(r, "en")))
        for r in expected.hotspots["recommendation"].head(3)
    ]
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


def test_brief_with_a_register_names_the_top_hotspots_by_street(
    tmp_path: Path, shared_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, place_file = osm_register.write_register(addresses, places, tmp_path / "register")
    source = tmp_path / "incidents.csv"
    named_hotspots.raw_incidents(osm_register.load(shared_data_dir, tmp_path / "loaded")).to_csv(
        source, index=False
    )
    out = tmp_path / "briefing.pdf"
    argv = [str(source), "--eps", "150", "--min-samples", "10", "--out", str(out), "--lang", "sv"]
    assert (
        command.run(_brief_args([*argv, "--register", str(register_file), "--places", str(place_file)])) == 0
    )
    capsys.readouterr()
    first_page = _squash(_pdf_pages(out.read_bytes())[0])
    assert _squash("Brunnsgatan 8,") in first_page and _squash("Järnvägstorget,") in first_page
