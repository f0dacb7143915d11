"""The app's downloads: the briefing PDF, the map picture and the data files of one analysis.

``export_files`` is pure (no Streamlit): it lists what can be downloaded, each with a file
name, a MIME type and a function that makes the bytes on demand (``briefing``'s own
functions, so the app and ``hotspots brief`` write the same files). ``downloads_panel``
draws the choices and one ``st.download_button`` per file; the bytes are made only when the
button is pressed (a briefing of 100k incidents takes a few seconds), never on a rerun.

Aggregated by default; a restricted export (incident points, exact counts) is a deliberate
choice behind a checkbox, and every restricted file name starts with ``RESTRICTED-``.

Every file is made for the user's ``store.Scope`` (``briefing.permissions``): the checkbox
and a threshold below 5 are offered only to a scope that may have them, and the file
functions refuse the rest anyway. Each download writes an ``export`` row to the store's
audit trail when the user presses the button (its ``on_click``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import streamlit as st

import store
from briefing import downloads, filenames, mapimage, pdf
from briefing.permissions import check_export, export_detail
from briefing.privacy import DEFAULT_MIN_COUNT
from geo import settings
from geo.errors import HotspotsError
from hotspots.analysis import Analysis
from i18n import t
from store import LOCAL_ANALYST, Scope

#: Map picture sizes offered (``briefing.mapimage`` names).
PICTURE_SIZES: Final = ("slides", "a4")
#: Session key of a download whose audit row could not be written (shown on the next run).
AUDIT_PROBLEM: Final = "dl_audit_problem"


@dataclass(frozen=True)
class ExportFile:
    """One downloadable file: ``make()`` returns its bytes."""

    key: str
    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


@dataclass(frozen=True)
class ExportOptions:
    """The user's choices for the exports."""

    lang: str = "fi"
    restricted: bool = False
    min_count: int = DEFAULT_MIN_COUNT
    level: str = "peruspiiri"
    size: str = "slides"
    density: bool = False
    tiles_url: str | None = None
    origin: str | None = None


def file_stem(analysis: Analysis, options: ExportOptions) -> str:
    """Return the stem of every file name: ``hotspots-kallio-2026-05-01_2026-10-31-fi``.

    Parameters
    ----------
    analysis
        The analysis; its selection's districts, period and filters name the files
        (``briefing.filenames.file_stem``).
    options
        The language, and whether the export is restricted (``RESTRICTED-`` first).

    Returns
    -------
    str
        The stem, without a suffix: ASCII letters, digits, ``-`` and ``_`` only.
    """
    return filenames.file_stem(analysis.selection, lang=options.lang, restricted=options.restricted)


def _briefing_files(
    analysis: Analysis, district_table: pd.DataFrame, options: ExportOptions, min_count: int
) -> list[ExportFile]:
    """Return the PDF briefing and the map picture."""
    lang, stem = options.lang, file_stem(analysis, options)

    def brief() -> bytes:
        return pdf.brief_pdf_bytes(
            analysis,
            pdf.BriefOptions(
                lang=lang,
                level=options.level,
                origin=options.origin,
                density=options.density,
                tiles_url=options.tiles_url,
                restricted=options.restricted,
                min_count=min_count,
            ),
            district_table=district_table,
        )

    def picture() -> bytes:
        return mapimage.map_png_bytes(
            analysis,
            mapimage.MapOptions(
                lang=lang,
                size=options.size,
                density=options.density,
                tiles_url=options.tiles_url,
                origin=options.origin,
                restricted=options.restricted,
                min_count=min_count,
            ),
        )

    return [
        ExportFile("pdf", t("download.pdf", lang), f"{stem}.pdf", "application/pdf", brief),
        ExportFile("png", t("download.png", lang), f"{stem}-map-{options.size}.png", "image/png", picture),
    ]


def _data_files(
    analysis: Analysis, district_table: pd.DataFrame, options: ExportOptions, min_count: int, scope: Scope
) -> list[ExportFile]:
    """Return hotspots (GeoJSON, GeoPackage, CSV), districts (CSV, XLSX), incidents if restricted."""
    lang, restricted, stem, level = (
        options.lang,
        options.restricted,
        file_stem(analysis, options),
        options.level,
    )
    files = [
        ExportFile(
            "geojson",
            t("download.hotspots_geojson", lang),
            f"{stem}.geojson",
            "application/geo+json",
            lambda: downloads.hotspots_geojson_bytes(
                analysis, scope=scope, lang=lang, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "gpkg",
            t("download.hotspots_gpkg", lang),
            f"{stem}.gpkg",
            "application/geopackage+sqlite3",
            lambda: downloads.hotspots_gpkg_bytes(
                analysis, scope=scope, lang=lang, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "hotspots_csv",
            t("download.hotspots_csv", lang),
            f"{stem}-hotspots.csv",
            "text/csv",
            lambda: downloads.hotspots_csv_bytes(
                analysis, scope=scope, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "districts_csv",
            t("download.districts_csv", lang),
            f"{stem}-districts-{options.level}.csv",
            "text/csv",
            lambda: downloads.districts_csv_bytes(
                district_table, scope=scope, level=level, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "districts_xlsx",
            t("download.districts_xlsx", lang),
            f"{stem}-districts-{options.level}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            lambda: downloads.districts_xlsx_bytes(
                district_table,
                scope=scope,
                level=level,
                lang=lang,
                analysis=analysis,
                restricted=restricted,
                min_count=min_count,
            ),
        ),
    ]
    if restricted:
        files.append(
            ExportFile(
                "incidents_csv",
                t("download.incidents_csv", lang),
                f"{stem}-incidents.csv",
                "text/csv",
                lambda: downloads.incidents_csv_bytes(analysis, scope=scope, restricted=True),
            )
        )
    return files


def export_files(
    analysis: Analysis, district_table: pd.DataFrame, options: ExportOptions, *, scope: Scope = LOCAL_ANALYST
) -> list[ExportFile]:
    """Return every file the user can download for ``analysis``, in the order shown.

    Parameters
    ----------
    analysis
        The app's current analysis.
    district_table
        ``hotspots.figures.district_table`` at ``options.level`` (the table the app shows).
    options
        Language, privacy and picture choices.
    scope
        The user's scope (the local analyst by default): ``briefing.permissions.check_export``
        runs first, for the PDF and the picture too, and every data file is made for it
        (only its districts' rows; restricted content only for analysts and admins).

    Returns
    -------
    list[ExportFile]
        PDF briefing, map PNG, hotspots (GeoJSON, GeoPackage, CSV), districts (CSV, XLSX),
        and, only when restricted, the incidents as CSV.

    Raises
    ------
    store.ScopeError
        The options ask for what the scope may not have.
    """
    min_count = check_export(analysis, scope, restricted=options.restricted, min_count=options.min_count)
    return [
        *_briefing_files(analysis, district_table, options, min_count),
        *_data_files(analysis, district_table, options, min_count, scope),
    ]


def audit_download(url: str, scope: Scope, detail: dict[str, Any]) -> None:
    """Record a download in the audit trail of the store at ``url`` (a download button's ``on_click``).

    A store that cannot be written leaves the reason in the session, for the panel to show.
    """
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            db.record("export", scope=scope, detail=detail)
    except HotspotsError as exc:
        st.session_state[AUDIT_PROBLEM] = str(exc)


def downloads_panel(
    analysis: Analysis,
    district_table: pd.DataFrame,
    *,
    lang: str,
    level: str,
    tiles: bool,
    origin: str,
    scope: Scope = LOCAL_ANALYST,
) -> None:
    """Draw the download tab: privacy and picture choices, then one button per file.

    ``scope`` is the user's: only analysts and admins are offered restricted files and a
    threshold below 5; each download is audited in the store (``audit_download``).
    """
    st.caption(t("download.intro", lang))
    left, middle, right = st.columns(3)
    with left:
        if not scope.may_export_restricted:
            st.caption(t("download.aggregated_only", lang))
        restricted = scope.may_export_restricted and st.checkbox(
            t("download.restricted", lang), value=False, key="dl_restricted"
        )
        if restricted:
            st.warning(t("download.restricted_warning", lang), icon="🔒")
    with middle:
        min_count = int(
            st.number_input(
                t("download.min_count", lang),
                min_value=DEFAULT_MIN_COUNT if scope.aggregated_only else 1,
                max_value=100,
                value=DEFAULT_MIN_COUNT,
                step=1,
                key="dl_min_count",
                disabled=restricted,
            )
        )
    with right:
        size = st.selectbox(
            t("download.size", lang),
            PICTURE_SIZES,
            format_func=lambda s: t(f"download.size_{s}", lang),
            key="dl_size",
        )
        density = st.checkbox(t("download.density", lang), value=False, key="dl_density")
    options = ExportOptions(
        lang=lang,
        restricted=restricted,
        min_count=min_count,
        level=level,
        size=str(size),
        density=density,
        tiles_url=(settings.tiles_url() or None) if tiles else None,
        origin=origin,
    )
    columns = st.columns(4)
    url = settings.db_url()
    for i, item in enumerate(export_files(analysis, district_table, options, scope=scope)):
        detail = export_detail(
            analysis,
            file_name=item.file_name,
            kind=item.key,
            restricted=restricted,
            min_count=min_count,
            lang=lang,
        )
        with columns[i % 4]:
            st.download_button(
                item.label,
                data=item.make,
                file_name=item.file_name,
                mime=item.mime,
                key=f"dl_{item.key}",
                on_click=audit_download,
                args=(url, scope, detail),
                width="stretch",
            )
    problem = st.session_state.pop(AUDIT_PROBLEM, None)
    if problem:
        st.warning(t("download.audit_failed", lang, problem=problem))
