"""The page's own style sheet: a compact header so the map fits the first screen, and print.

At 1440 x 900 Streamlit's default title, padding and key figures took the top 400 px and
pushed the map's lower half below the fold. ``PAGE_STYLE`` tightens the top of the page
and the title, and narrows the side margins to 1rem so the ranking beside the map gets the
width its columns need (``views.ranking_table.RANKING_WIDTHS``).

Printed (Ctrl+P, A4 landscape) the page leaves out the sidebar, the toolbar, the tabs, the
folded sections and the buttons, and keeps the map and the ranking side by side (Streamlit
stacks columns on paper): the title and key figures fill the first sheet, the map, the
ranking and the chosen hotspot's card the second, instead of four sheets with the ranking
cut from its map. The ranking's column keeps its grid's width (``RANKING_GRID_PX``), the
map's column takes the rest and the map's frame follows it (its width was set by script
for the screen, and no script runs while printing). Fixed text, nothing from a user.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from views.ranking_table import RANKING_GRID_PX

PAGE_STYLE: Final = f"""<style>
.block-container {{padding: 1.5rem 1rem 1rem 1rem;}}
h1 {{font-size: 1.6rem !important; padding-top: 0 !important; padding-bottom: 0.2rem !important;}}
[data-testid='stAlert'] > div {{padding-top: 0.45rem; padding-bottom: 0.45rem;}}
[data-testid='stMetricValue'] {{font-size: 1.6rem;}}
@media print {{
  @page {{size: A4 landscape; margin: 8mm;}}
  section[data-testid='stSidebar'], header[data-testid='stHeader'], [data-testid='stToolbar'],
  [data-testid='stStatusWidget'], [data-testid='stDecoration'], [data-testid='stTabs'],
  [data-testid='stFileUploader'], .stDownloadButton, [data-testid='stExpander'],
  [data-testid='stButton'], .st-key-ranking_help, .st-key-card_measures {{display: none !important;}}
  .block-container {{padding: 0 !important; max-width: 100% !important;}}
  [data-testid='stAppViewContainer'] {{overflow: visible !important;}}
  iframe {{break-inside: avoid;}}
  [data-testid='stHorizontalBlock'] {{display: flex !important; flex-flow: row nowrap !important;
    break-inside: avoid;}}
  h2, h3 {{font-size: 1.15rem !important; padding: 0.2rem 0 !important;}}
  .st-key-map_and_ranking > * > * > [data-testid='stColumn']:first-child {{flex: 1 1 0 !important;
    overflow: hidden;}}
  .st-key-map_and_ranking iframe {{width: 100% !important;}}
  .st-key-map_and_ranking > * > * > [data-testid='stColumn']:last-child {{
    flex: 0 0 {RANKING_GRID_PX + 4}px !important;}}
}}
</style>"""


def apply() -> None:
    """Add the style sheet to the page (once per run; Streamlit keeps one copy)."""
    st.html(PAGE_STYLE)
