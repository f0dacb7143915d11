"""Every text an AppTest page shows, and the checks that it is all in one language.

``page_texts`` walks the element tree: titles, text, messages, metrics, widget labels,
help, placeholders and options, tab and expander labels, table headers and the cells as
displayed (a Styler's display values), chart titles and the chart data's text. The map
component is left out (it has its own tests). ``foreign`` finds the texts that are
another language's catalogue text, ``unfilled`` the templates left unfilled, and
``table_cells`` the cells of the tables as a reader sees them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from i18n import LANGUAGES, catalogue, placeholders

_TEXT_TYPES = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "warning",
    "error",
    "success",
    "text",
)
_SKIPPED = ("html", "component_instance")  # a style sheet; the map (tested on its own)


def _nodes(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    if children is None:
        return
    for child in children.values() if isinstance(children, dict) else children:
        yield child
        yield from _nodes(child)


def table_cells(element: Any) -> list[list[str]]:
    """Return a dataframe element's header and cells as displayed (formatted by its Styler, if any).

    Booleans without a Styler are drawn as checkboxes (``☑``/``☐`` here).
    """
    arrow = element.proto.arrow_data
    if arrow.styler.display_values:
        frame = convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)
    else:
        frame = element.value
    header = [str(c) for c in frame.columns]
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    return [header, *body]


def _cell(value: object) -> str:
    # A column of booleans is drawn as checkboxes, not as words.
    if isinstance(value, bool | np.bool_):
        return "☑" if value else "☐"
    return "" if value is None else str(value)


def _chart_texts(element: Any) -> Iterator[str]:
    def titles(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    yield value
                yield from titles(value)
        elif isinstance(node, list):
            for value in node:
                yield from titles(value)

    yield from titles(json.loads(element.proto.spec))
    for dataset in element.proto.datasets:
        frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype) == "string":
                yield from (str(v) for v in frame[column].dropna().unique())


def _element_texts(element: Any) -> Iterator[str]:
    kind = getattr(element, "type", "")
    if kind in _SKIPPED:
        return
    if kind in _TEXT_TYPES:
        yield str(element.value)
    elif kind == "metric":
        yield from (str(element.label), str(element.value), str(element.delta or ""))
    elif kind == "dataframe":
        yield from (cell for row in table_cells(element) for cell in row)
    elif kind == "vega_lite_chart":
        yield from _chart_texts(element)
    proto = getattr(element, "proto", None)
    for name in ("label", "help", "placeholder"):
        value = getattr(proto, name, None) if proto is not None else None
        if isinstance(value, str) and value:
            yield value
    if kind in ("selectbox", "radio", "multiselect", "select_slider"):
        yield from (str(o) for o in proto.options)


def page_texts(at: AppTest) -> list[str]:
    """Return every text the page shows now (see the module docstring), in page order."""
    return [text for node in _nodes(at._tree) for text in _element_texts(node) if text.strip()]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


def foreign(texts: list[str], lang: str) -> list[tuple[str, str]]:
    """Return ``(text, key)`` for each text that is another language's catalogue text.

    A text matches a key's template in another language (its placeholders filled with
    anything) and not the same key's template in ``lang``. Templates too short to tell
    languages apart (under six letters besides placeholders) are not used; a catalogue
    text of twelve letters or more is also found inside a longer text.
    """
    own = catalogue(lang)
    found: list[tuple[str, str]] = []
    for other in LANGUAGES:
        if other == lang:
            continue
        for key, template in catalogue(other).items():
            if template == own[key] or len(re.sub(r"\{[^{}]*\}", "", template)) < 6:
                continue
            pattern, mine = _pattern(template), _pattern(own[key])
            fixed = not placeholders(template) and len(template) >= 12
            for text in texts:
                if mine.fullmatch(text):
                    continue
                if pattern.fullmatch(text) or (fixed and template in text and own[key] not in text):
                    found.append((text, key))
    return found


#: A placeholder left in the text, or the "N" of a template written for people to fill.
_UNFILLED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|(?:^|\s)N(?:\s|$)")


def unfilled(texts: list[str]) -> list[str]:
    """Return the texts with a ``{placeholder}`` or a lone ``N`` where a number belongs."""
    return [text for text in texts if _UNFILLED.search(text)]
