"""The app's downloads: the briefing PDF, the map picture and the data files of one analysis.

``export_files`` is pure (no Streamlit): it lists what can be downloaded, each with a file
name, a MIME type and a function that makes the bytes on demand (``briefing``'s own
functions, so the app and ``hotspots brief`` write the same files). ``downloads_panel``
draws the choices and one ``st.download_button`` per file; the bytes are made only when the
button is pressed (a briefing of 100k incidents takes a few seconds), never on a rerun.

Aggregated by default; a restricted export (incident points, exact counts) is a deliberate
choice behind a checkbox, offered only to a user whose ``store.scope.Scope`` may export
restricted files, and every restricted file name starts with ``RESTRICTED-``. Every file
made is written to the audit trail (``audited``): who, which file, aggregated or
restricted, the filters and the threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st

import store
from briefing import downloads, filenames, mapimage, pdf
from briefing.privacy import AGGREGATED, DEFAULT_MIN_COUNT, RESTRICTED, check_min_count
from geo import settings
from hotspots.analysis import Analysis
from hotspots.selection import Selection
from i18n import t
from store.scope import LOCAL_ANALYST, Scope

#: Map picture sizes offered (``briefing.mapimage`` names).
PICTURE_SIZES: Final = ("slides", "a4")


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
    analysis: Analysis, district_table: pd.DataFrame, options: ExportOptions, min_count: int
) -> list[ExportFile]:
    """Return hotspots (GeoJSON, GeoPackage, CSV), districts (CSV, XLSX), incidents if restricted."""
    lang, restricted, stem = options.lang, options.restricted, file_stem(analysis, options)
    files = [
        ExportFile(
            "geojson",
            t("download.hotspots_geojson", lang),
            f"{stem}.geojson",
            "application/geo+json",
            lambda: downloads.hotspots_geojson_bytes(
                analysis, lang=lang, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "gpkg",
            t("download.hotspots_gpkg", lang),
            f"{stem}.gpkg",
            "application/geopackage+sqlite3",
            lambda: downloads.hotspots_gpkg_bytes(
                analysis, lang=lang, restricted=restricted, min_count=min_count
            ),
        ),
        ExportFile(
            "hotspots_csv",
            t("download.hotspots_csv", lang),
            f"{stem}-hotspots.csv",
            "text/csv",
            lambda: downloads.hotspots_csv_bytes(analysis, restricted=restricted, min_count=min_count),
        ),
        ExportFile(
            "districts_csv",
            t("download.districts_csv", lang),
            f"{stem}-districts-{options.level}.csv",
            "text/csv",
            lambda: downloads.districts_csv_bytes(district_table, restricted=restricted, min_count=min_count),
        ),
        ExportFile(
            "districts_xlsx",
            t("download.districts_xlsx", lang),
            f"{stem}-districts-{options.level}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            lambda: downloads.districts_xlsx_bytes(
                district_table, lang=lang, analysis=analysis, restricted=restricted, min_count=min_count
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
                lambda: downloads.incidents_csv_bytes(analysis, restricted=True),
            )
        )
    return files


def export_files(
    analysis: Analysis, district_table: pd.DataFrame, options: ExportOptions
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

    Returns
    -------
    list[ExportFile]
        PDF briefing, map PNG, hotspots (GeoJSON, GeoPackage, CSV), districts (CSV, XLSX),
        and, only when restricted, the incidents as CSV.
    """
    min_count = check_min_count(options.min_count)
    return [
        *_briefing_files(analysis, district_table, options, min_count),
        *_data_files(analysis, district_table, options, min_count),
    ]


def filters_detail(selection: Selection) -> dict[str, object]:
    """Return the filters of an export as the audit trail keeps them (empty choices left out)."""
    detail: dict[str, object] = {
        "since": None if selection.since is None else selection.since.isoformat(),
        "until": None if selection.until is None else selection.until.isoformat(),
    }
    for name in ("categories", "sources", "suurpiiri", "peruspiiri", "osaalue", "hours", "weekdays"):
        if getattr(selection, name):
            detail[name] = list(getattr(selection, name))
    return detail


def audited(item: ExportFile, analysis: Analysis, options: ExportOptions, scope: Scope) -> ExportFile:
    """Return ``item`` whose ``make`` writes an ``export`` row to the audit trail, then the file.

    Parameters
    ----------
    item
        One of ``export_files``.
    analysis
        Its analysis (the filters).
    options
        Its options (restricted or aggregated, the threshold).
    scope
        Who downloads.

    Returns
    -------
    ExportFile
        The same file; its bytes are made only after the audit row is written, so a
        download the store cannot record does not happen (StoreError).
    """
    detail = {
        "file_name": item.file_name,
        "kind": item.key,
        "classification": RESTRICTED if options.restricted else AGGREGATED,
        "min_count": None if options.restricted else options.min_count,
        "filters": filters_detail(analysis.selection),
    }

    def make() -> bytes:
        url = settings.db_url()
        with store.driver_errors(url), store.open_store(url) as db:
            db.record("export", scope=scope, detail=detail)
        return item.make()

    return ExportFile(item.key, item.label, item.file_name, item.mime, make)


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

    A scope that may not export restricted files is not offered them, and its threshold
    cannot go below ``DEFAULT_MIN_COUNT``.
    """
    st.caption(t("download.intro", lang))
    left, middle, right = st.columns(3)
    restricted = False
    with left:
        if scope.may_export_restricted:
            restricted = st.checkbox(t("download.restricted", lang), value=False, key="dl_restricted")
        else:
            st.caption(t("download.aggregated_only", lang))
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
    for i, made in enumerate(export_files(analysis, district_table, options)):
        item = audited(made, analysis, options, scope)
        with columns[i % 4]:
            st.download_button(
                item.label,
                data=item.make,
                file_name=item.file_name,
                mime=item.mime,
                key=f"dl_{item.key}",
                on_click="ignore",
                width="stretch",
            )
