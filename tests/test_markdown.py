"""Plain text in Markdown: names and users' words show as written."""

from __future__ import annotations

import pytest

from views.markdown import plain


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[Kallio](http://example.org)", r"\[Kallio\]\(http://example\.org\)"),
        ("**bold** _it_ `code` # x", r"\*\*bold\*\* \_it\_ \`code\` \# x"),
        ("Kaivokatu 8, Kluuvi", r"Kaivokatu 8, Kluuvi"),
        ("Kallio (Berghäll) + Nuorten Ystävät", r"Kallio \(Berghäll\) \+ Nuorten Ystävät"),
    ],
)
def test_plain_text_is_not_read_as_markdown(text: str, shown: str) -> None:
    assert plain(text) == shown
