"""Briefing exports: the map picture, the PDF briefing and the data downloads, safe to share.

Modules: ``privacy`` (suppression, shareable outlines, markings), ``texts`` (what every
export says about itself), ``mapimage`` (PNG map), ``pdf`` (two-page PDF briefing),
``downloads`` (GeoJSON, GeoPackage, CSV, XLSX as bytes). None of them imports Streamlit.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from briefing.texts import (
    SOFTWARE,
    filters_text,
    format_date,
    format_datetime,
    is_synthetic,
    marking,
    method_text,
    period_text,
    source_lines,
)

__all__ = [
    "SOFTWARE",
    "filters_text",
    "format_date",
    "format_datetime",
    "is_synthetic",
    "marking",
    "method_text",
    "period_text",
    "source_lines",
]


def safe_origin(origin: str) -> str:
    """Return a data origin fit to print in a briefing: a store URL loses its user name and password."""
    parts = urlsplit(origin)
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    return origin
