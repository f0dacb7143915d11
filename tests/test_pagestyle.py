"""The page's style sheet: compact top, and a print layout without the sidebar."""

from __future__ import annotations

import re

from views.pagestyle import PAGE_STYLE


def _print_rules() -> str:
    match = re.search(r"@media print \{(.*)\}\s*</style>", PAGE_STYLE, flags=re.S)
    assert match is not None
    return match.group(1)


def test_printing_leaves_out_the_sidebar_the_toolbar_and_the_tabs() -> None:
    hidden = _print_rules().split("{display: none !important;}")[0]
    for test_id in ("stSidebar", "stToolbar", "stTabs", "stStatusWidget"):
        assert test_id in hidden
    assert "size: A4 landscape" in _print_rules()


def test_the_screen_rules_only_tighten_the_margins_and_leave_the_map_alone() -> None:
    screen = PAGE_STYLE.split("@media print")[0]
    # top 1.5rem, sides 1rem: the ranking beside the map gets the width it needs at 1440 px
    assert ".block-container {padding: 1.5rem 1rem 1rem 1rem;}" in screen
    assert "iframe" not in screen and "display: none" not in screen


def test_printed_the_map_and_the_ranking_stay_side_by_side_and_the_grid_keeps_its_width() -> None:
    from views.ranking_table import RANKING_GRID_PX, RANKING_WIDTHS

    rules = _print_rules()
    # Streamlit stacks columns on paper; the page keeps them in a row.
    assert "[data-testid='stHorizontalBlock'] {display: flex !important; flex-flow: row nowrap" in rules
    assert sum(RANKING_WIDTHS.values()) + 40 == RANKING_GRID_PX
    width = RANKING_GRID_PX + 4  # and its border
    ranking_column = f"[data-testid='stColumn']:last-child {{\n    flex: 0 0 {width}px !important;}}"
    assert ranking_column in rules
    # The map's frame follows its narrower column (no script runs while printing).
    assert ".st-key-map_and_ranking iframe {width: 100% !important;}" in rules
    # The folded sections, the buttons, the ranking's hint and the card's measures stay off paper.
    hidden = rules.split("{display: none !important;}")[0]
    for part in ("stExpander", "stButton", ".st-key-ranking_help", ".st-key-card_measures"):
        assert part in hidden
