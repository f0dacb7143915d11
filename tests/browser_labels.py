"""What the browser shows in the app's choice widgets, modelled on top of AppTest.

Streamlit 1.67 keeps a selectbox's, radio's, multiselect's or select slider's choice in the
browser as its *label*, not its code. The browser shows the label it has until the server
sends a new one (``set_value`` with ``raw_value(s)``), and sends that label back on every
rerun. AppTest alone hides this: it formats each value anew. ``BrowserLabels`` keeps what a
browser would show, so a test can see a label left over from the previous language, or
a choice the browser could no longer send back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streamlit.testing.v1 import AppTest

#: The AppTest element types of the widgets whose choice travels as its label.
CHOICE_TYPES = ("selectbox", "radio", "multiselect", "select_slider")


def choice_widgets(at: AppTest) -> list[Any]:
    """Return every choice widget on the page (sidebar, main area, open tabs)."""
    return [w for kind in CHOICE_TYPES for w in at.get(kind)]


def _formatted(widget: Any, value: Any) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [str(widget.format_func(v)) for v in values if v is not None]


def _proto_labels(widget: Any) -> list[str] | None:
    """The labels the server told the browser to show now, or None when it told nothing."""
    proto = widget.proto
    if not proto.set_value:
        return None
    raw = proto.raw_values if widget.type == "multiselect" else proto.raw_value
    return [raw] if isinstance(raw, str) else list(raw)


def _default_labels(widget: Any) -> list[str]:
    proto = widget.proto
    options = list(proto.options)
    if widget.type in ("multiselect", "select_slider"):
        return [options[int(i)] for i in proto.default]
    return [options[proto.default]] if proto.HasField("default") and options else []


class BrowserLabels:
    """The labels a browser shows in each choice widget, by widget id."""

    def __init__(self) -> None:
        self.shown: dict[str, list[str]] = {}

    def pick(self, at: AppTest, kind: str, key: str, value: Any) -> None:
        """Choose ``value`` (a code, or codes) as a user would, then rerun the page."""
        widget = at.get(kind)
        (chosen,) = [w for w in widget if w.key == key]
        # The user clicks the label the browser shows now, in the page's current language.
        self.shown[chosen.id] = _formatted(chosen, value)
        chosen.set_value(value)
        at.run()
        self.update(at)

    def update(self, at: AppTest) -> None:
        """Take in what the last run sent: new widgets show their default, others keep theirs."""
        for widget in choice_widgets(at):
            told = _proto_labels(widget)
            if told is not None:
                self.shown[widget.id] = told
            elif widget.id not in self.shown:
                self.shown[widget.id] = _default_labels(widget)

    def stale(self, at: AppTest) -> list[tuple[str, Sequence[str], list[str]]]:
        """Return ``(key, shown, expected)`` for every widget whose shown label is not its value's.

        A label that is not among the widget's options now (the previous language's) would
        stay on the screen and, sent back, lose the choice.
        """
        wrong = []
        for widget in choice_widgets(at):
            shown = self.shown.get(widget.id, [])
            expected = _formatted(widget, widget.value)
            if shown != expected or not set(shown) <= set(widget.proto.options):
                wrong.append((str(widget.key), shown, expected))
        return wrong
