"""Text for ``st.markdown`` that shows as written: names and partners' words are not formatting.

Streamlit renders Markdown (never raw HTML, which it escapes), so what reaches the page
from users or registers (a partner's name, a place, a note) could still turn into a link
or bold text. ``plain`` escapes the characters Markdown reads.
"""

from __future__ import annotations

import re
from typing import Final

#: Characters Markdown reads as formatting.
_MARKDOWN: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Return ``text`` with Markdown's formatting characters escaped, so it shows as written.

    Parameters
    ----------
    text
        Text that may hold place names or users' words.

    Returns
    -------
    str
        The text for ``st.markdown``: ``[x](http://…)`` stays text, not a link.
    """
    return _MARKDOWN.sub(r"\\\1", text)
