"""Chart axes in the page's language: Vega label expressions for numbers, percentages and months.

Vega-Lite writes axis labels the American way (``1,234.5``, ``41%``, ``Jun``) whatever the
page's language. These expressions rewrite them in the chart itself, so the labels stay
computed from the data (ticks, zoom) but read ``1 234,5``, ``41 %`` and ``kesä`` in Finnish.
Pure: each returns the text of a ``labelExpr`` (tooltips use pre-formatted text instead).
"""

from __future__ import annotations

import json
from typing import Final

from i18n import check_language, month_name

#: No-break space, as i18n.numbers writes between thousands and before "%".
_NBSP: Final = "\u00a0"


def _localised(expression: str, lang: str) -> str:
    """Rewrite an expression giving American number text into ``lang``'s separators."""
    check_language(lang)
    if lang == "en":
        return expression
    # Through a placeholder: the grouping commas become spaces, the decimal point a comma.
    swapped = f"replace({expression}, regexp(',', 'g'), '#')"
    swapped = f"replace({swapped}, regexp('[.]', 'g'), ',')"
    return f"replace({swapped}, regexp('#', 'g'), '{_NBSP}')"


def number_labels(lang: str) -> str:
    """Return a ``labelExpr`` writing ``datum.value`` as a number in ``lang`` (``1 234,5``)."""
    return _localised("format(datum.value, ',')", lang)


def percent_labels(lang: str) -> str:
    """Return a ``labelExpr`` writing a share (``0.03``) as a percentage in ``lang`` (``3 %``, ``3%``)."""
    number = _localised("format(datum.value * 100, ',')", lang)
    return f"{number} + '%'" if lang == "en" else f"{number} + '{_NBSP}%'"


def month_labels(lang: str) -> str:
    """Return a ``labelExpr`` naming a date tick's month in ``lang``, with the year on January's."""
    names = json.dumps([month_name(m, lang) for m in range(1, 13)], ensure_ascii=False)
    return f"{names}[month(datum.value)] + (month(datum.value) == 0 ? ' ' + year(datum.value) : '')"
