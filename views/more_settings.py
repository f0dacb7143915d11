"""The sidebar's "More settings" toggle: the rarely used controls, drawn only when asked for.

Streamlit mounts every widget it is given, a collapsed expander's too, and each one costs
the browser time in every fresh session (issue 15: the sidebar below the district filter
was ~0.64 s of a fresh session's browser CPU). So the view, comparison, time of day,
clustering and map options (``views.controls``) are drawn only while the toggle is on.

Streamlit forgets a widget's state in a run that does not draw it: each of those widgets'
values is kept in a session key of its own (``kept``, ``keep``), written whenever it runs,
and read while it is hidden. The bookmark carries them all as before (``urlstate``), and a
bookmark that sets any of them opens with the toggle on (``has_advanced``).
"""

from __future__ import annotations

from typing import Final, TypeVar

import streamlit as st

from i18n import t
from views import urlstate

#: The toggle's widget key.
KEY: Final = "more_settings"
#: The bookmark's fields that the rarely used controls set (``urlstate.UrlState``).
FIELDS: Final = (
    "compare", "view", "hours", "weekdays", "method", "auto", "eps_m", "min_samples",
    "level", "value", "tiles", "areas", "dots",
)  # fmt: skip
#: Prefix of the session keys (not widgets') that keep each control's value, by widget key.
KEPT_PREFIX: Final = "kept_"

_Value = TypeVar("_Value")


def has_advanced(url: urlstate.UrlState) -> bool:
    """Say whether ``url`` sets any rarely used control (``FIELDS``) away from its default."""
    default = urlstate.UrlState()
    return any(getattr(url, name) != getattr(default, name) for name in FIELDS)


def toggle(lang: str, url: urlstate.UrlState) -> bool:
    """Draw the "More settings" toggle; return whether the rarely used controls are drawn.

    It starts on when the bookmark sets any of them (``has_advanced``), so whoever opens
    the link sees why the map differs; while it is off and they are set, a caption says so.
    The toggle itself is not bookmarked: the values are, and they decide how it opens.

    Parameters
    ----------
    lang
        Interface language.
    url
        The bookmark the page was opened with (after the first run: what the page showed).

    Returns
    -------
    bool
        Whether to draw the rarely used controls in this run.
    """
    changed = has_advanced(url)
    drawn = bool(
        st.sidebar.toggle(
            t("sidebar.more_settings", lang),
            value=changed,
            help=t("help.more_settings", lang),
            key=KEY,
        )
    )
    if changed and not drawn:
        st.sidebar.caption(t("sidebar.more_settings_changed", lang))
    return drawn


def kept(key: str, fallback: _Value) -> _Value:
    """Return the value of the widget ``key`` when it last ran in this session, else ``fallback``."""
    value: _Value = st.session_state.get(KEPT_PREFIX + key, fallback)
    return value


def keep(key: str, value: _Value) -> _Value:
    """Keep ``value`` as the widget ``key``'s, for the runs that do not draw it; return it."""
    st.session_state[KEPT_PREFIX + key] = value
    return value


def use_parameters(eps_m: int, min_samples: int) -> None:
    """Set the clustering parameters by hand (a button's callback) and show them in the sidebar.

    Runs before the next script run: the widgets' values and the kept ones are both set,
    and the toggle is turned on, so the sliders the user is told about are there.
    """
    for key, value in (("auto_params", False), ("eps_m", eps_m), ("min_samples", min_samples)):
        st.session_state[key] = keep(key, value)
    st.session_state[KEY] = True
