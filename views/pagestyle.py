"""The page's own style sheet: a compact header so the map fits the first screen, and print.

At 1440 x 900 Streamlit's default title, padding and key figures took the top 400 px and
pushed the map's lower half below the fold. ``PAGE_STYLE`` tightens the top of the page
and the title, and narrows the side margins to 1rem so the ranking beside the map gets the
width its columns need (``views.panels.RANKING_WIDTHS``). Its print rules (Ctrl+P) leave
out the sidebar, the toolbar and the tabs, so a page prints as the key figures, the map,
the ranking and the chosen hotspot's card on one landscape A4 sheet instead of three
pages of sidebar. Fixed text, nothing from a user.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

PAGE_STYLE: Final = """<style>
.block-container {padding: 1.5rem 1rem 1rem 1rem;}
h1 {font-size: 1.6rem !important; padding-top: 0 !important; padding-bottom: 0.2rem !important;}
[data-testid='stAlert'] > div {padding-top: 0.45rem; padding-bottom: 0.45rem;}
[data-testid='stMetricValue'] {font-size: 1.6rem;}
@media print {
  @page {size: A4 landscape; margin: 8mm;}
  section[data-testid='stSidebar'], header[data-testid='stHeader'], [data-testid='stToolbar'],
  [data-testid='stStatusWidget'], [data-testid='stDecoration'], [data-testid='stTabs'],
  [data-testid='stFileUploader'], .stDownloadButton {display: none !important;}
  .block-container {padding: 0 !important; max-width: 100% !important;}
  [data-testid='stAppViewContainer'] {overflow: visible !important;}
  iframe {break-inside: avoid;}
  [data-testid='stHorizontalBlock'] {break-inside: avoid;}
}
</style>"""


def apply() -> None:
    """Add the style sheet to the page (once per run; Streamlit keeps one copy)."""
    st.html(PAGE_STYLE)
