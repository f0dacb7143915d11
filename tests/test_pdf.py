"""The PDF briefing: two A4 pages of selectable text, its district table and its options."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from pypdf import PdfReader
from reportlab.lib.units import cm

from briefing import pdf, pdftables, prediction, privacy
from briefing.mapimage import map_figure
from briefing.prediction import briefing_check
from geo import districts
from geo.errors import ParameterError
from hotspots import analysis, figures
from hotspots.selection import Selection, districts_by_name
from i18n import recommendation_text
from tests.briefing_demo import (
    GENERATED,
    demo_district_table,
    demo_incidents,
    demo_kallio_result,
    demo_result,
)


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def district_table() -> pd.DataFrame:
    return demo_district_table()


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_pdf_in_finnish_states_period_filters_sources_and_is_selectable_text(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    content = pdf.brief_pdf_bytes(
        result, pdf.BriefOptions(lang="fi"), generated_at=GENERATED, district_table=district_table
    )
    pages = _pdf_pages(content)
    assert len(pages) == 2
    text = _squash(" ".join(pages))
    assert _squash("Jakso: 1.5.2026–31.10.2026") in text
    assert _squash("Rajaukset: ei rajauksia") in text
    assert _squash("Laadittu 2.11.2026 klo 09.30") in text
    assert _squash("Aluejako © Helsingin kaupunki, CC BY 4.0") in text
    assert _squash(recommendation_text(result.hotspots["recommendation"].iloc[0], "fi")) in text
    # Page 2's table lists every basic district by its Finnish name.
    for name in district_table["name_fi"]:
        assert _squash(name) in _squash(pages[1]), name
    meta = PdfReader(io.BytesIO(content)).metadata
    assert meta is not None and privacy.AGGREGATED in str(meta.subject)
    assert "1.5.2026–31.10.2026" in str(meta.title)
    # Real text in embedded fonts, not a picture of a page.
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts |= {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= {f.split("+")[-1] for f in fonts}
    assert sum(len(text.split()) for text in pages) > 400


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"lang": "de"}, ParameterError, r"lang was 'de'"),
        ({"min_count": 0}, ParameterError, r"min_count must be a whole number >= 1 .*got 0"),
        ({"level": "kunta"}, ValueError, r"level was 'kunta' but is expected to be one of"),
    ],
)
def test_options_are_checked_by_name_when_made(
    options: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        pdf.BriefOptions(**options)  # type: ignore[arg-type]


def test_without_population_page_two_says_so_and_names_no_population_source(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    without = districts.load_districts("peruspiiri")
    table = figures.district_table(
        result.current, result.previous, districts=without, level="peruspiiri", residents=None
    )
    assert table["residents"].isna().all()
    content = pdf.brief_pdf_bytes(
        result, pdf.BriefOptions(lang="en", origin="demo.csv"), district_table=table, generated_at=GENERATED
    )
    second = _squash(_pdf_pages(content)[1])
    assert _squash("Population data are unavailable, so rates per 1,000 residents are not shown.") in second
    assert _squash("Population: HSY") not in second
    assert _squash("Incidents: Synthetic demo data") in second  # synthetic wins over the file name
    with_population = _squash(
        _pdf_pages(
            pdf.brief_pdf_bytes(
                result, pdf.BriefOptions(lang="en"), district_table=district_table, generated_at=GENERATED
            )
        )[1]
    )
    assert _squash("Population: HSY population grid 2021") in with_population


def test_pdf_top_ten_names_each_hotspot_by_its_street_in_the_reader_s_language(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    ids = result.hotspots["id"]
    named = replace(
        result,
        hotspots=result.hotspots.assign(
            place_fi=pd.array([f"Kaivokatu {i[1:]}" for i in ids], dtype="string"),
            place_sv=pd.array([f"Brunnsgatan {i[1:]}" for i in ids], dtype="string"),
        ),
    )
    for lang, street in (("fi", "Kaivokatu"), ("sv", "Brunnsgatan"), ("en", "Kaivokatu")):
        content = pdf.brief_pdf_bytes(
            named, pdf.BriefOptions(lang=lang), generated_at=GENERATED, district_table=district_table
        )
        first_page = _squash(_pdf_pages(content)[0])
        assert _squash(f"{street} 1,") in first_page, lang
    plain = _squash(
        _pdf_pages(
            pdf.brief_pdf_bytes(
                result, pdf.BriefOptions(lang="fi"), generated_at=GENERATED, district_table=district_table
            )
        )[0]
    )
    assert "Kaivokatu" not in plain


def test_title_and_metadata_name_the_chosen_districts_and_the_period(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    kallio = districts_by_name(["Kallio"], districts.hierarchy())
    chosen = replace(result, selection=Selection(since="2026-05-01", until="2026-11-01", **kallio))
    content = pdf.brief_pdf_bytes(
        chosen, pdf.BriefOptions(lang="sv"), generated_at=GENERATED, district_table=district_table
    )
    first = _squash(_pdf_pages(content)[0])
    assert _squash("Trygghetens hotspots – Berghäll, 1.5.2026–31.10.2026") in first
    meta = PdfReader(io.BytesIO(content)).metadata
    assert meta is not None and str(meta.title) == "Hotspotöversikt – Berghäll, 1.5.2026–31.10.2026"


def test_the_creation_date_is_the_generated_at_time_and_now_by_default(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    options = pdf.BriefOptions(lang="en")
    content = pdf.brief_pdf_bytes(result, options, generated_at=GENERATED, district_table=district_table)
    meta = PdfReader(io.BytesIO(content)).metadata
    assert meta is not None and meta.creation_date == GENERATED.to_pydatetime()
    assert meta.modification_date == GENERATED.to_pydatetime()
    assert b"D:20261102093000+02'00'" in content
    # Same inputs, same bytes: the date is the stated one, not the clock's.
    again = pdf.brief_pdf_bytes(result, options, generated_at=GENERATED, district_table=district_table)
    assert again == content
    before = pd.Timestamp.now(tz="UTC").floor("s")
    fresh = PdfReader(
        io.BytesIO(pdf.brief_pdf_bytes(result, options, district_table=district_table))
    ).metadata
    after = pd.Timestamp.now(tz="UTC")
    assert fresh is not None and fresh.creation_date is not None
    assert before <= pd.Timestamp(fresh.creation_date) <= after


def test_map_numbers_are_print_size_on_the_a4_page(result: analysis.Analysis) -> None:
    height_pt = 9 * cm
    options = pdf._map_options(pdf.BriefOptions(lang="fi"), height_pt)
    picture = map_figure(result, options)
    width_in, height_in = picture.figure.get_size_inches()
    # The picture is placed at its own size: a point in the figure is a point on the page.
    assert width_in * 72 == pytest.approx(pdftables.CONTENT_WIDTH, abs=0.5)
    assert height_in * 72 == pytest.approx(height_pt, abs=0.5)
    (map_axes,) = picture.figure.axes
    numbers = [text for text in map_axes.texts if text.get_bbox_patch() is not None]
    assert len(numbers) == min(20, len(result.hotspots))
    canvas = FigureCanvasAgg(picture.figure)
    canvas.draw()  # the discs are sized when drawn
    renderer = canvas.get_renderer()
    for number in numbers:
        # 7.5 pt bold white on a dark disc at least 4 mm across: legible at 100 % on A4.
        assert number.get_fontsize() >= 7.5
        disc = number.get_bbox_patch().get_window_extent(renderer)
        assert min(disc.width, disc.height) / picture.figure.dpi * 25.4 >= 4.0


def test_page_two_says_whether_last_period_s_hotspots_predicted_this_one(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    options = pdf.BriefOptions(lang="en")
    pages = _pdf_pages(
        pdf.brief_pdf_bytes(result, options, district_table=district_table, generated_at=GENERATED)
    )
    check = briefing_check(result)
    assert check is not None and len(pages) == 2
    second = _squash(pages[1])
    assert _squash("Did last period's hotspots predict this period?") in second
    assert _squash(prediction.headline(check, "en")) in second
    # Kallio: its own row of the district table, the headline and the table of budgets, on two pages.
    kallio = demo_kallio_result()
    kallio_check = briefing_check(kallio)
    assert kallio_check is not None
    content = pdf.brief_pdf_bytes(
        kallio, pdf.BriefOptions(lang="fi"), district_table=district_table, generated_at=GENERATED
    )
    kallio_pages = _pdf_pages(content)
    assert len(kallio_pages) == 2
    page_two = _squash(kallio_pages[1])
    assert _squash(prediction.headline(kallio_check, "fi")) in page_two
    for cell in prediction.table_rows(kallio_check, "fi")[1]:
        assert _squash(cell) in page_two
    assert "Vuosaari" not in page_two and "Kallio" in page_two  # only the chosen district's row
    # A year-before comparison holds no training period: no section, rather than a wrong one.
    year_before = analysis.analyse(
        demo_incidents(),
        selection=Selection(since="2026-05-01", until="2026-11-01"),
        compare_with="year_before",
    )
    other = _pdf_pages(pdf.brief_pdf_bytes(year_before, options, district_table=district_table))
    assert _squash("Did last period's hotspots predict") not in _squash(" ".join(other))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_restricted_briefing_with_the_prediction_still_fits_two_pages(
    result: analysis.Analysis, district_table: pd.DataFrame, lang: str
) -> None:
    # The Finnish restricted briefing once spilled its last line onto a third page.
    content = pdf.brief_pdf_bytes(
        result, pdf.BriefOptions(lang=lang, restricted=True), district_table=district_table
    )
    assert len(PdfReader(io.BytesIO(content)).pages) == 2
