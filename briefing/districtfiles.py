"""District figures as files: CSV and an XLSX workbook, per the downloading user's scope.

Aggregated by default (``briefing.privacy.shareable_district_table``: counts below
``min_count`` as ``"<5"``, the changes and rates beside them blanked); ``restricted=True``
writes exact counts and marks the file RESTRICTED (a ``classification`` column in CSV; the
workbook's title, subject, keywords, print header and about sheet). Every function that
makes a file takes the user's ``store.Scope`` and its table's ``level`` and applies
``briefing.permissions`` first: restricted only for analysts and admins, ``min_count`` at
least 5 for aggregate-only roles, only the rows of the scope's own districts.
``briefing.downloads`` re-exports them beside the hotspot files.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from briefing.permissions import check_export, check_sharing, scoped_district_table
from briefing.privacy import AGGREGATED, DEFAULT_MIN_COUNT, RESTRICTED, shareable_district_table
from briefing.texts import (
    SOFTWARE,
    filters_text,
    format_datetime,
    generation_time,
    is_synthetic,
    marking,
    method_text,
    period_text,
    title_text,
)
from geo.spreadsheet import neutralise_cell, neutralise_frame
from hotspots.analysis import Analysis
from i18n import check_language, t
from store.scope import Scope

#: District table columns written to files, with their translation keys.
DISTRICT_COLUMNS: Final[dict[str, str]] = {
    "code": "column.code",
    "name_fi": "column.district",
    "name_sv": "column.district",
    "n": "column.incidents",
    "n_prev": "column.incidents_previous",
    "change": "column.change",
    "change_pct": "brief.column_change_pct",
    "residents": "column.residents",
    "rate_per_1000": "column.rate",
    "young_residents": "brief.column_young",
    "rate_per_1000_young": "column.rate_young",
}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as every CSV of the tool: UTF-8 with a BOM, formula cells neutralised.

    The BOM makes spreadsheets read it right; ``geo.spreadsheet`` neutralises the cells.
    """
    buffer = io.BytesIO()
    # object first: mapping a nullable integer column with gaps would turn 40 into "40.0"
    neutralise_frame(frame).to_csv(buffer, index=False, encoding="utf-8-sig")
    return buffer.getvalue()


def _district_frame(table: pd.DataFrame, *, restricted: bool, min_count: int) -> pd.DataFrame:
    shown = table if restricted else shareable_district_table(table, min_count=min_count)
    columns = [c for c in DISTRICT_COLUMNS if c in shown.columns]
    out = shown.loc[:, columns].copy()
    if "change" in out.columns:
        out["change"] = out["change"].astype("Int64")
    for column in ("change_pct", "rate_per_1000", "rate_per_1000_young"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").round(1)
    for column in ("residents", "young_residents"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").round(0).astype("Int64")
    if restricted:
        out["classification"] = RESTRICTED
    return out


def _shared_frame(
    table: pd.DataFrame,
    scope: Scope,
    *,
    level: str | None,
    restricted: bool,
    min_count: int,
    analysis: Analysis | None = None,
) -> tuple[pd.DataFrame, int]:
    """Return the rows and columns a file of ``scope`` holds, and the checked ``min_count``."""
    if analysis is None:
        min_count = check_sharing(scope, restricted=restricted, min_count=min_count)
    else:
        min_count = check_export(analysis, scope, restricted=restricted, min_count=min_count)
    rows = scoped_district_table(table, scope, level=level)
    return _district_frame(rows, restricted=restricted, min_count=min_count), min_count


def districts_csv_bytes(
    table: pd.DataFrame,
    *,
    scope: Scope,
    level: str | None = None,
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
) -> bytes:
    """District figures as CSV (machine-readable column names, ``DISTRICT_COLUMNS``).

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output (or ``district_figures``); not modified.
    scope
        The downloading user: only the rows of its districts (``scoped_district_table``);
        restricted only for analysts and admins, ``min_count`` at least 5 for aggregate-only
        roles (``check_sharing``; else ``store.ScopeError``).
    level
        The table's level; needed for a scope cut to districts.
    restricted
        Exact counts; a ``classification`` column says RESTRICTED.
    min_count
        Counts below this become ``"<min_count"``; changes and rates beside them are blanked.

    Returns
    -------
    bytes
    """
    frame, _ = _shared_frame(table, scope, level=level, restricted=restricted, min_count=min_count)
    return csv_bytes(frame)


def _cell(value: object) -> object:
    """Return a value openpyxl can write: missing -> empty, numpy scalars -> Python, text neutralised."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return neutralise_cell(value)


def _district_sheet(book: Workbook, frame: pd.DataFrame, *, lang: str, restricted: bool) -> None:
    """Write the figures, one row per district, under translated headers; marked in print when restricted."""
    sheet = book.create_sheet(t("brief.sheet_districts", lang)[:31])
    book.remove(book.worksheets[0])
    headers = []
    for column in frame.columns:
        key = DISTRICT_COLUMNS.get(column)
        label = t(key, lang) if key else t("brief.classification", lang)
        headers.append(f"{label} ({column[-2:]})" if column in ("name_fi", "name_sv") else label)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    if restricted:
        sheet.oddHeader.center.text = marking(lang, restricted=True)
        sheet.oddFooter.center.text = marking(lang, restricted=True)


def _about_lines(
    frame: pd.DataFrame,
    analysis: Analysis | None,
    *,
    lang: str,
    restricted: bool,
    min_count: int,
    when: pd.Timestamp,
) -> list[tuple[str, str]]:
    """Label and value of each line of the about sheet: classification, time, notes, sources."""
    classification = RESTRICTED if restricted else AGGREGATED
    lines: list[tuple[str, str]] = [
        (t("brief.classification", lang), f"{classification} – {marking(lang, restricted=restricted)}"),
        (t("brief.generated", lang, when=""), format_datetime(when, lang)),
    ]
    if restricted:
        lines.append(("", t("brief.restricted_note", lang)))
    else:
        lines.append(("", t("msg.privacy_suppressed", lang, min_count=min_count)))
    if analysis is not None:
        lines += [
            (t("brief.period", lang, period=""), period_text(analysis.selection, lang)),
            ("", filters_text(analysis.selection, lang)),
            ("", method_text(analysis.clustering, lang)),
        ]
        if is_synthetic(analysis):
            lines.append(("", t("brief.synthetic", lang)))
    lines.append((t("brief.sources", lang), t("map.attribution.districts", lang)))
    if frame.get("residents") is not None and frame["residents"].notna().any():
        lines.append(("", t("brief.source_population", lang)))
    return lines


def _workbook_properties(
    book: Workbook, analysis: Analysis | None, *, lang: str, restricted: bool, when: pd.Timestamp
) -> None:
    """Title, subject, keywords and category say what the workbook is and how it is classified."""
    classification = RESTRICTED if restricted else AGGREGATED
    title = f"{title_text(analysis.selection if analysis is not None else None, lang)} – "
    title += t("panel.district_table", lang)
    props = book.properties
    props.title = f"{marking(lang, restricted=True)} – {title}" if restricted else title
    props.subject = f"{classification}: {marking(lang, restricted=restricted)}"
    props.keywords = ", ".join([classification, marking(lang, restricted=restricted), "Helsinki"])
    props.category = classification
    props.creator = SOFTWARE
    props.created = when.tz_convert("UTC").tz_localize(None).to_pydatetime()


def districts_xlsx_bytes(
    table: pd.DataFrame,
    *,
    lang: str = "fi",
    restricted: bool = False,
    min_count: int = DEFAULT_MIN_COUNT,
    analysis: Analysis | None = None,
    generated_at: datetime | pd.Timestamp | None = None,
    scope: Scope,
    level: str | None = None,
) -> bytes:
    """District figures as an XLSX workbook: a table sheet and an "about" sheet.

    Parameters
    ----------
    table
        ``hotspots.figures.district_table`` output; not modified.
    scope
        The downloading user, as in ``districts_csv_bytes``; with ``analysis`` also
        ``check_export`` (the analysis holds only the scope's incidents).
    level
        The table's level; needed for a scope cut to districts.
    lang
        Language of the headers and the about sheet.
    restricted
        Exact counts; the workbook's title, subject and keywords, its print header and the
        about sheet say RESTRICTED (translated).
    min_count
        Counts below this become ``"<min_count"`` (text cells).
    analysis
        When given, the about sheet states its period, filters and method.
    generated_at
        Time stated as generated and stored as the workbook's creation time; default now.

    Returns
    -------
    bytes
    """
    check_language(lang)
    frame, min_count = _shared_frame(
        table, scope, level=level, restricted=restricted, min_count=min_count, analysis=analysis
    )
    when = generation_time(generated_at)
    book = Workbook()
    _district_sheet(book, frame, lang=lang, restricted=restricted)
    about = book.create_sheet(t("brief.sheet_about", lang)[:31])
    lines = _about_lines(frame, analysis, lang=lang, restricted=restricted, min_count=min_count, when=when)
    for label, value in lines:
        about.append([_cell(label.strip().rstrip(":")), _cell(value)])
    _workbook_properties(book, analysis, lang=lang, restricted=restricted, when=when)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
