"""The Review tab: the six-monthly situational picture of the chosen period, and its PDF.

What leadership asks every six months (issue 16), on the page the analyst already has
open: the period of the sidebar against the half-year before it (``hotspots.review``),
the measures that ran in it with their effect in plain words, and the hotspots
predicted for the next period of the same length with who should lead. The review is
computed with the page's own parameter choice (``views.results.period_review``), so its
hotspots are the ones the map draws. The same review downloads as the meeting's PDF
(``briefing.review_pdf``): aggregated, counts below the threshold suppressed, audited.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import streamlit as st

from briefing import filenames, reviewtexts
from briefing.mapimage import MapOptions, MapSize
from briefing.pdf import BriefOptions
from briefing.permissions import export_detail
from briefing.privacy import DEFAULT_MIN_COUNT
from briefing.rendering import figure_png_bytes
from briefing.review_pdf import review_pdf_bytes
from briefing.reviewmaps import measure_figure
from briefing.reviewtexts import headlines, result_text
from geo import settings
from hotspots.comparison import STATUSES
from hotspots.measures import RecordedMeasure
from hotspots.review import Review
from i18n import format_days, format_number, t
from store.scope import Scope
from views import datasource, download_panel, measure_panel, results
from views.markdown import plain


def measure_rows(review: Review, lang: str, osaalue: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return one row per measure of the period: label, kind, lead, place, when, result in words.

    Parameters
    ----------
    review
        The period's review.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    osaalue
        The osa-alue layer (``geo.districts``) the places are named from.

    Returns
    -------
    DataFrame
        Columns named in the language; no free-text note (it may name people), the
        partner's name kept (it is who acted, not who was involved). The place is the
        district a reader knows (the PDF's rule), the recorded place after it.
    """
    rows = []
    for number, item in enumerate(review.measures, start=1):
        measure = item.recorded.measure
        lead = t(f"lead.{measure.lead}", lang)
        rows.append(
            {
                t("review.column.measure", lang): f"M{number}",
                t("review.column.kind", lang): t(f"measure.kind.{measure.kind}", lang),
                t("review.column.lead", lang): f"{lead} ({measure.partner})" if measure.partner else lead,
                t("review.column.place", lang): reviewtexts.measure_where(item, osaalue, lang),
                t("review.column.when", lang): format_days(measure.start, measure.end, lang),
                t("review.column.result", lang): result_text(item, lang),
            }
        )
    return pd.DataFrame(rows)


def forecast_rows(review: Review, lang: str) -> pd.DataFrame:
    """Return the forecast's most likely places, as the PDF lists them (``reviewtexts.forecast_rows``).

    Parameters
    ----------
    review
        The period's review.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    DataFrame
        Rank, the district a reader knows (never an address), the hotspot there now, who
        should lead and what to do; at most ``reviewtexts.TOP_FORECAST`` rows, empty
        without a forecast.
    """
    if review.forecast is None:
        return pd.DataFrame()
    header, *rows = reviewtexts.forecast_rows(review, BriefOptions(lang=lang))
    return pd.DataFrame(rows, columns=header)


@st.cache_data(show_spinner=False, max_entries=16)
def _zone_picture(key: tuple[object, ...], index: int, lang: str, _review: Review) -> bytes:
    """Return the PNG of one measure's zones (``briefing.reviewmaps.measure_figure``), cached per review."""
    options = MapOptions(lang=lang, size=MapSize(900, 640, 100), panel=False)
    picture = measure_figure(_review, _review.measures[index], options)
    return figure_png_bytes(picture.figure, dpi=100)


def _measure_detail(review: Review, key: tuple[object, ...], *, lang: str, aggregated: bool) -> None:
    """One measure at a time: its target, ring and control on a map, its counts and its effect."""
    labels = [
        f"M{i} {t(f'measure.kind.{item.recorded.measure.kind}', lang)}"
        for i, item in enumerate(review.measures, start=1)
    ]
    index = st.selectbox(
        t("review.measure_pick", lang),
        range(len(labels)),
        format_func=lambda i: labels[i],
        key="review_measure",
    )
    item = review.measures[int(index)]
    left, right = st.columns([3, 2])
    left.image(_zone_picture(key, int(index), lang, review), caption=t("review.zones_caption", lang))
    with right:
        if item.effect is None:
            st.markdown(plain(result_text(item, lang)))
            return
        st.markdown(plain(measure_panel.effect_sentence(item.effect, lang, aggregated=aggregated)))
        st.dataframe(
            measure_panel.effect_table(item.effect, lang, aggregated=aggregated),
            hide_index=True,
            width="stretch",
        )


def _status_metrics(review: Review, lang: str) -> None:
    counts = review.status_counts()
    for column, status in zip(st.columns(len(STATUSES) + 1), (*STATUSES, "vanished"), strict=True):
        column.metric(t(f"status.{status}", lang), format_number(counts[status], lang))


def _download(review: Review, *, lang: str, scope: Scope, origin: str) -> None:
    """One button: the review as the meeting's PDF, aggregated, made only when pressed, audited."""
    options = BriefOptions(lang=lang, restricted=False, min_count=DEFAULT_MIN_COUNT, origin=origin)
    stem = filenames.file_stem(review.analysis.selection, lang=lang)
    file_name = f"{stem}-review.pdf"
    detail = export_detail(
        review.analysis,
        file_name=file_name,
        kind="review_pdf",
        restricted=False,
        min_count=DEFAULT_MIN_COUNT,
        lang=lang,
    )
    st.download_button(
        t("review.download", lang),
        data=lambda: review_pdf_bytes(review, options),
        file_name=file_name,
        mime="application/pdf",
        key="dl_review_pdf",
        on_click=download_panel.audit_download,
        args=(settings.db_url(), scope, detail),
    )
    problem = st.session_state.pop(download_panel.AUDIT_PROBLEM, None)
    if problem:
        st.warning(t("download.audit_failed", lang, problem=problem))


def review_tab(
    request: results.Request,
    data: datasource.Loaded,
    services: datasource.ServicePoints | None,
    measures: Sequence[RecordedMeasure],
    *,
    measures_version: str,
    lang: str,
    scope: Scope,
) -> None:
    """Draw the Review tab: statuses, headlines, measures with effects, forecast, the PDF.

    Parameters
    ----------
    request
        The page's request: the sidebar's period is the one reviewed.
    data, services
        The loaded incidents and service points the request names.
    measures
        The measures the user's scope may see (``views.measure_panel``).
    measures_version
        Names what ``measures`` hold (part of the cache key).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    scope
        The user's scope: audited as the downloader.
    """
    review = results.period_review(request, measures_version, scope, data, services, tuple(measures))
    previous = review.previous
    assert previous.since is not None and previous.until is not None  # the review compares
    st.subheader(t("review.app_heading", lang, period=format_days(review.since, review.until, lang)))
    st.caption(t("review.app_intro", lang, previous=format_days(previous.since, previous.until, lang)))
    _status_metrics(review, lang)
    options = BriefOptions(lang=lang, restricted=False, min_count=DEFAULT_MIN_COUNT)
    st.markdown("\n".join(f"- {plain(line)}" for line in headlines(review, options)))
    st.markdown(f"**{t('review.measures_heading', lang)}**")
    if review.measures:
        st.dataframe(
            measure_rows(review, lang, datasource.district_layer("osaalue")), hide_index=True, width="stretch"
        )
        key = (request, measures_version, scope)
        _measure_detail(review, key, lang=lang, aggregated=scope.aggregated_only)
    else:
        st.caption(t("review.no_measures_app", lang))
    st.markdown(f"**{t('review.forecast_heading_app', lang)}**")
    if review.forecast is None:
        st.caption(t("review.headline.no_forecast", lang))
    else:
        st.dataframe(forecast_rows(review, lang), hide_index=True, width="stretch")
    _download(review, lang=lang, scope=scope, origin=data.origin)
