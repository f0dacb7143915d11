"""The review PDF on the planted review (``tests.review_data``): summary, measures, forecast, privacy."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from briefing import privacy
from briefing.pdf import BriefOptions
from briefing.review_pdf import review_pdf_bytes
from briefing.reviewtexts import headlines, result_text
from hotspots.review import Review
from i18n import t
from i18n.measures import reading_text, verdict_text
from tests import review_data as data

GENERATED = pd.Timestamp("2026-11-02 09:30", tz="Europe/Helsinki")


@pytest.fixture(scope="module")
def result() -> Review:
    return data.planted_review()


@pytest.fixture(scope="module")
def english(result: Review) -> bytes:
    return review_pdf_bytes(result, BriefOptions(lang="en"), generated_at=GENERATED)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages(content: bytes) -> list[str]:
    return [_squash(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def test_page_one_is_the_summary_with_headlines_measures_and_forecast(result: Review, english: bytes) -> None:
    pages = _pages(english)
    first = pages[0]
    assert _squash("Six-monthly review – Helsinki, 2026-05-01–2026-10-31") in first
    assert _squash("compared with the half-year before, 2025-11-01–2026-04-30") in first
    sentences = headlines(result, BriefOptions(lang="en"))
    assert 4 <= len(sentences) <= 5
    for sentence in sentences:
        assert _squash(sentence) in first, sentence
    counts = result.status_counts()
    assert _squash(f"{len(result.analysis.hotspots)} hotspots in the period – new {counts['new']}") in first
    assert _squash("2 cut incidents more than in the surrounding area") in first
    assert _squash("At 1 of them the problem seems to have moved") in first
    # One line per measure, in plain words: no quotient, no p-value on page 1.
    assert _squash(f"M1 {t('measure.kind.outreach', 'en')}") in first
    assert _squash(result_text(result.measures[0], "en")) in first
    assert _squash("incidents fell more than in the surrounding area (-40%)") in first
    assert _squash("can be judged from 2026-12-01") in first
    assert "WDQ" not in first and "p=" not in first


def test_later_pages_hold_changes_measures_and_forecast(result: Review, english: bytes) -> None:
    pages = _pages(english)
    text = "".join(pages)
    assert _squash("How the hotspots changed") in pages[1]
    for measure in result.measures[:2]:
        assert measure.effect is not None
        assert _squash(verdict_text(measure.effect, "en")) in text
        assert _squash(reading_text(measure.effect, "en")) in text
    assert _squash("Target area0.0410060-40%") in text  # 100 before, 60 during
    assert _squash("300 m ring0.52100150+50%") in text  # Pitäjänmäki: the ring rose by half
    assert _squash("Not yet readable: its follow-up period ends on 2026-12-01") in text
    assert _squash(t("review.wdq_note", "en")) in text
    assert _squash("The next half-year: where, and who should lead") in pages[-1]
    top = result.forecast_table().iloc[0]
    assert _squash(t(f"lead.{top['lead']}", "en")) in pages[-1]


def test_aggregated_review_suppresses_small_counts_and_keeps_notes_and_descriptions_out(
    result: Review, english: bytes
) -> None:
    text = "".join(_pages(english))
    # Länsi-Pakila's target: 6 before, 2 during; the 2 is "<5" and its change is not told.
    assert _squash("Target area0.046<5") in text
    assert "Iltapartio" not in text  # the measure's free-text note is for restricted eyes
    descriptions = data.review_incidents()["description"].dropna().astype(str).unique()
    assert not [d for d in descriptions[:200] if len(d) > 12 and _squash(d) in text]
    meta = PdfReader(io.BytesIO(english)).metadata
    assert meta is not None and privacy.AGGREGATED in str(meta.subject)
    assert "20261102093000" in str(meta["/CreationDate"])


def test_restricted_review_says_so_and_shows_exact_counts(result: Review) -> None:
    content = review_pdf_bytes(result, BriefOptions(lang="en", restricted=True), generated_at=GENERATED)
    pages = _pages(content)
    assert all("RESTRICTED" in page for page in pages)
    text = "".join(pages)
    assert _squash("Target area0.0462") in text
    assert _squash("Note: Iltapartio perjantaisin") in text
    meta = PdfReader(io.BytesIO(content)).metadata
    assert meta is not None and privacy.RESTRICTED in str(meta.subject)


@pytest.mark.parametrize(
    ("lang", "title", "fell"),
    [
        ("fi", "Puolivuotiskatsaus – Helsinki, 1.5.2026–31.10.2026", "tapahtumat vähenivät enemmän kuin"),
        ("sv", "Halvårsöversikt – Helsingfors, 1.5.2026–31.10.2026", "händelserna minskade mer än i"),
    ],
)
def test_finnish_and_swedish_reviews(result: Review, lang: str, title: str, fell: str) -> None:
    content = review_pdf_bytes(result, BriefOptions(lang=lang), generated_at=GENERATED)
    pages = _pages(content)
    assert _squash(title) in pages[0]
    assert _squash(fell) in pages[0]
    effect = result.measures[0].effect
    assert effect is not None and _squash(verdict_text(effect, lang)) in "".join(pages)
    assert "Six-monthly" not in "".join(pages)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_every_page_renders_as_an_a4_picture(english: bytes, tmp_path: Path) -> None:
    source = tmp_path / "review.pdf"
    source.write_bytes(english)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(source), str(tmp_path / "page")], check=True)
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == len(PdfReader(io.BytesIO(english)).pages) >= 4
