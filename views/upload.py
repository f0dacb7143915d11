"""The upload step in the sidebar: file, coordinate system, sheet or layer, column mapping, report.

Everything the import says reaches the user in the interface language: the column
mapping names each field in words with its code in small print, an error is one or two
sentences (``i18n.problems.error_text``) with the English detail only behind an expander
when there is no translation, and the rejected rows show their reasons translated
(``rejects_view``, pure) while the downloaded CSV keeps the CLI's English reasons.
Streamlit's own file-uploader texts cannot be translated: a style sheet hides its English
size line and draws its button's text in the language (``uploader_style``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from geo import reading
from geo.columns import detect_columns
from geo.errors import HotspotsError
from geo.rejects import rejects_csv
from i18n import format_number, t
from i18n.problems import error_text, field_label, has_text, reject_reason
from store.scope import LOCAL_ANALYST, Scope
from views import datasource

#: The fields the column mapping offers, in the order a file usually has them.
MAPPED_FIELDS: Final = (
    "id", "occurred_at", "category", "source", "severity", "description", "address", "lon", "lat", "x", "y",
)  # fmt: skip
#: The column-mapping option "detect the column" (no column of a file is named by an empty text).
AUTO_COLUMN: Final = ""
#: The formats an upload may have, and the coordinate systems it may be in (``"auto"``: guess).
UPLOAD_TYPES: Final = ("csv", "xlsx", "geojson", "json", "gpkg", "parquet")
CRS_CHOICES: Final = ("auto", "3879", "3067", "4326")
#: At most this many rejected rows are shown in the sidebar (all of them are in the download).
REJECTS_SHOWN: Final = 200
#: Unknown category or source labels named in the upload's note.
LABELS_SHOWN: Final = 8

# Streamlit writes the uploader's button ("Upload") and "200MB per file • CSV, XLSX ..." in
# English, and no option changes them. A style sheet hides that line (``uploader_note``
# says the limit in the language; the label names the formats) and draws the button's
# text from the catalogue over Streamlit's own (kept in the page, at size 0). It leans on
# Streamlit's test ids, which its own tests use; the README says what stays English.
_UPLOADER_STYLE: Final = """<style>
[data-testid='stFileUploaderDropzoneInstructions'] {{display: none;}}
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p {{font-size: 0;}}
[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p::after {{
  content: {button}; font-size: 14px;
}}
</style>"""


def css_string(text: str) -> str:
    """Return ``text`` as a CSS string literal (quotes, backslashes and ``<`` escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'"{escaped}"'


def uploader_style(lang: str) -> str:
    """Return the style sheet that says the file uploader's button in ``lang`` (see above)."""
    return _UPLOADER_STYLE.format(button=css_string(t("upload.button", lang)))


def show_detail(detail: str, lang: str, *, where: Any = st.sidebar, nested: bool = False) -> None:
    """Draw the English detail of a problem for an administrator, closed, apart from the user's sentence.

    In a closed expander; in a caption when ``nested`` in an expander already (which
    cannot hold another).
    """
    if nested:
        where.caption(t("upload.error_detail", lang) + ": " + detail)
        return
    with where.expander(t("upload.error_detail", lang)):
        st.text(detail)


def show_error(
    error: HotspotsError,
    lang: str,
    *,
    where: Any = st.sidebar,
    nested: bool = False,
    fallback: str = "error.generic",
) -> None:
    """Draw an error a user caused as a sentence in ``lang``, never a traceback.

    An error without its own translation gets the general sentence ``fallback``, with its
    English detail beside it (``show_detail``).
    """
    where.error(error_text(error, lang, fallback=fallback))
    if not has_text(error, lang):
        show_detail(str(error), lang, where=where, nested=nested)


def uploader_note(lang: str) -> str:
    """Return the line under a file uploader, the size limit, in ``lang`` (the label names the formats)."""
    limit_mb = int(st.get_option("server.maxUploadSize"))
    return t("upload.limits", lang, limit=format_number(limit_mb, lang))


def file_uploader(label: str, lang: str, *, types: tuple[str, ...], key: str) -> Any:
    """Draw a file uploader in the sidebar, its size limit said in ``lang`` (Streamlit's own line hidden)."""
    st.sidebar.html(uploader_style(lang))
    upload = st.sidebar.file_uploader(label, type=list(types), key=key)
    st.sidebar.caption(uploader_note(lang))
    return upload


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_columns(
    name: str, content: bytes, part: str | None
) -> tuple[list[str], dict[str, str], HotspotsError | None]:
    """Return an upload's columns and what detection makes of them (or why it failed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(content)
        try:
            is_sheet = reading.file_format(path) == "xlsx"
            table = reading.read_table(
                path, sheet=part if is_sheet else None, layer=None if is_sheet else part
            )
        except HotspotsError as exc:
            return [], {}, exc
    columns = [str(c) for c in table.frame.columns if not str(c).startswith("__geometry")]
    try:
        return columns, detect_columns(columns), None
    except HotspotsError as exc:
        return columns, {}, exc


def column_mapping(
    lang: str, name: str, content: bytes, part: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Draw the column-mapping step of an upload; return the ``(field, column)`` pairs the user changed.

    Each field is named in words with its code in small print; its options are the file's
    columns and "detect", whose label follows the language (the option itself is a code).
    """
    columns, detected, problem = _upload_columns(name, content, part)
    with st.sidebar.expander(t("upload.mapping", lang), expanded=problem is not None):
        st.caption(t("upload.mapping_help", lang))
        if problem is not None:
            show_error(problem, lang, where=st, nested=True)
        chosen: list[tuple[str, str]] = []
        options = [AUTO_COLUMN, *(c for c in columns if c != AUTO_COLUMN)]
        for field_name in MAPPED_FIELDS:
            default = detected.get(field_name)
            pick = st.selectbox(
                f"{field_label(field_name, lang)} :small[`{field_name}`]",
                options,
                index=options.index(default) if default in options else 0,
                format_func=lambda column: t("upload.field_auto", lang) if column == AUTO_COLUMN else column,
                help=t("upload.field_help", lang, field=field_label(field_name, lang)),
                key=f"colmap_{name}_{field_name}",
            )
            if pick != AUTO_COLUMN and pick != default:
                chosen.append((field_name, str(pick)))
    return tuple(chosen)


def rejects_view(rejects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the rejected rows as the app shows them: headers, fields and reasons in ``lang``.

    Parameters
    ----------
    rejects
        A rejects table (``geo.rejects``: ``REJECT_COLUMNS`` and ``REASON_COLUMNS``).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    DataFrame
        Row, id, field, column, value and reason, headed in ``lang``; the values as given.
    """
    codes = rejects["reason_code"] if "reason_code" in rejects else pd.Series([None] * len(rejects))
    params = rejects["reason_params"] if "reason_params" in rejects else pd.Series([None] * len(rejects))
    reasons = [
        reject_reason(code, param, lang, english=str(english))
        for code, param, english in zip(codes, params, rejects["reason"], strict=True)
    ]
    return pd.DataFrame(
        {
            t("reject.column.row", lang): rejects["row"].astype("int64").to_numpy(),
            t("reject.column.id", lang): rejects["id"].astype("string").fillna("").to_numpy(),
            t("reject.column.field", lang): [field_label(str(f), lang) for f in rejects["field"]],
            t("reject.column.column", lang): rejects["column"].astype("string").fillna("").to_numpy(),
            t("reject.column.value", lang): rejects["value"].astype("string").fillna("").to_numpy(),
            t("reject.column.reason", lang): reasons,
        }
    )


def import_report(report: object, rejects: pd.DataFrame | None, lang: str) -> None:
    """Show what an upload's import did, with the rejected rows (in ``lang``) to download."""
    accepted = int(getattr(report, "accepted", 0))
    rejected = int(getattr(report, "rejected", 0))
    duplicates = int(getattr(report, "duplicates_in_file", 0))
    numbers = {"accepted": accepted, "rejected": rejected, "duplicates": duplicates}
    st.sidebar.success(
        t("msg.import_summary", lang, **{key: format_number(n, lang) for key, n in numbers.items()})
    )
    if getattr(report, "crs_guessed", False):
        st.sidebar.info(t("msg.crs_guessed", lang, crs=getattr(report, "crs", "")))
    # Labels outside the canonical lists count as "other": say so, with the labels to fix.
    for kind, rows_field in (("category", "unknown_categories"), ("source", "unknown_sources")):
        unknown = int(getattr(report, rows_field, 0))
        labels = tuple(getattr(report, f"unknown_{kind}_labels", ()))
        if unknown:
            shown = ", ".join(labels[:LABELS_SHOWN]) + (" …" if len(labels) > LABELS_SHOWN else "")
            st.sidebar.warning(t(f"msg.unknown_{kind}", lang, n=format_number(unknown, lang), labels=shown))
    qualities = getattr(report, "position_qualities", ())
    if qualities:
        counts = ", ".join(
            f"{t(f'quality.{quality}', lang)} {format_number(rows, lang)}" for quality, rows in qualities
        )
        st.sidebar.info(t("msg.position_qualities", lang, counts=counts))
    if rejects is not None and len(rejects):
        st.sidebar.warning(t("msg.import_rejected_rows", lang, n=format_number(rejected, lang)))
        st.sidebar.caption(t("upload.rejects_table", lang))
        st.sidebar.dataframe(rejects_view(rejects.head(REJECTS_SHOWN), lang), hide_index=True)
        st.sidebar.download_button(
            t("upload.download_rejects", lang),
            rejects_csv(rejects),
            file_name="rejects.csv",
            mime="text/csv",
        )


def step(lang: str, scope: Scope = LOCAL_ANALYST) -> datasource.Loaded | None:
    """Draw the upload step (file, CRS, part, column mapping) and return the imported incidents.

    The incidents are those ``scope`` may see (``views.datasource.uploaded_data``).
    """
    upload = file_uploader(t("sidebar.upload_file", lang), lang, types=UPLOAD_TYPES, key="upload")
    crs_choice = st.sidebar.selectbox(
        t("sidebar.upload_crs", lang),
        CRS_CHOICES,
        format_func=lambda c: t("sidebar.upload_crs_guess", lang) if c == "auto" else f"EPSG:{c}",
        key="upload_crs",
    )
    if upload is None:
        return None
    try:
        part_names = datasource.upload_parts(upload.name, upload.getvalue())
    except HotspotsError as exc:
        show_error(exc, lang)
        return None
    part = (
        st.sidebar.selectbox(t("upload.part", lang), part_names, key="upload_part")
        if len(part_names) > 1
        else None
    )
    mapping = column_mapping(lang, upload.name, upload.getvalue(), part)
    crs = None if crs_choice == "auto" else crs_choice
    precise = st.sidebar.checkbox(
        t("upload.precise_only", lang), key="upload_precise", help=t("upload.precise_help", lang)
    )
    try:
        loaded = datasource.uploaded_data(
            upload.name, upload.getvalue(), crs, mapping, part, precise, scope=scope
        )
    except HotspotsError as exc:
        show_error(exc, lang)
        return None
    import_report(loaded.report, loaded.rejects, lang)
    return loaded
