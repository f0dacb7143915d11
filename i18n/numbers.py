"""Numbers, percentages, p-values, areas and dates the way readers of each language write them.

Finnish and Swedish group thousands with a no-break space and use a decimal comma
(``43 711``, ``12,5 %``, ``alle 0,001``); English uses ``43,711``, ``12.5%``,
``below 0.001``. Every function takes the language and returns text ready for a label,
a table cell or a PDF (not HTML-escaped: numbers need no escaping, but callers escape
whole strings anyway).
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd

from geo.errors import ParameterError
from i18n.catalogue import check_language, t

#: No-break space: thousands groups and the space before "%" never wrap onto two lines.
NBSP: Final = "\u00a0"
#: p-values below this are written as "below 0.001" (more digits claim a precision the test lacks).
P_FLOOR: Final = 0.001


def format_number(value: float, lang: str, *, decimals: int = 0, signed: bool = False) -> str:
    """Format a number the way readers of ``lang`` expect.

    Finnish and Swedish group thousands with a no-break space and use a decimal comma
    (``12 345,6``); English uses ``12,345.6``.

    Parameters
    ----------
    value
        The number; NaN and infinities are written as they are.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    decimals
        Digits after the decimal separator, >= 0.
    signed
        Write ``+`` before a positive number, as for a change (``+1 234``); a number that
        rounds to zero gets no sign (``0``, not ``+0``).

    Returns
    -------
    str
        The formatted number.
    """
    check_language(lang)
    if decimals < 0:
        raise ParameterError(f"decimals must be >= 0, got {decimals}")
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # "-0.0" reads as a sign error
    if signed and number > 0 and float(text.replace(",", "")) != 0:
        text = "+" + text
    if lang == "en":
        return text
    return text.replace(",", NBSP).replace(".", ",")


def format_percent(value: float, lang: str, *, decimals: int = 1, signed: bool = False) -> str:
    """Format a percentage (``value`` already in per cent): ``12,5 %`` (fi, sv) or ``12.5%`` (en).

    Parameters
    ----------
    value
        Per cent, e.g. ``12.5`` for 12.5 %.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    decimals
        Digits after the decimal separator.
    signed
        Write ``+`` before a positive change (``+12,5 %``), as for a change against a period.

    Returns
    -------
    str
        The formatted percentage.
    """
    text = format_number(value, lang, decimals=decimals, signed=signed)
    return text + ("%" if lang == "en" else NBSP + "%")


def format_p(value: float, lang: str) -> str:
    """Format a p-value: three decimals, or "below 0.001" in ``lang`` (never ``3.1e-112``).

    Parameters
    ----------
    value
        The p-value, 0..1; NaN is written as a dash.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        ``"0,042"``, ``"alle 0,001"``, ``"below 0.001"`` or ``"–"``.
    """
    number = float(value)
    if not math.isfinite(number):
        check_language(lang)
        return "–"
    if number < P_FLOOR:
        return t("number.p_below", lang, p=format_number(P_FLOOR, lang, decimals=3))
    return format_number(number, lang, decimals=3)


def format_area_km2(value: float, lang: str) -> str:
    """Format an area in km² with the precision a reader needs (two decimals below 10 km², else one)."""
    number = float(value)
    decimals = 2 if math.isfinite(number) and abs(number) < 10 else 1
    return format_number(number, lang, decimals=decimals) + NBSP + "km²"


def format_date(value: object, lang: str) -> str:
    """Return a date the way readers of ``lang`` write it: ``30.11.2026`` (fi, sv) or ``2026-11-30`` (en).

    Parameters
    ----------
    value
        Anything ``pandas.Timestamp`` reads (a date, a timestamp, ISO text).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The date without time of day.
    """
    check_language(lang)
    stamp = pd.Timestamp(value)
    if lang == "en":
        return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"
    return f"{stamp.day}.{stamp.month}.{stamp.year}"


def format_days(start: object, end: object, lang: str, *, separator: str = " – ") -> str:
    """Return the first and last day of the half-open period ``[start, end)``: ``1.5.2026 – 31.7.2026``.

    Parameters
    ----------
    start, end
        Anything ``pandas.Timestamp`` reads; ``end`` is exclusive, so the last day shown is
        the one holding the moment just before it (the day before a midnight ``end``).
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    separator
        Between the two days (a table's narrow column takes ``"–"``).

    Returns
    -------
    str
    """
    last = pd.Timestamp(end) - pd.Timedelta(microseconds=1)
    return f"{format_date(start, lang)}{separator}{format_date(last, lang)}"


def format_datetime(value: object, lang: str) -> str:
    """Return a date and time of day: ``30.11.2026 klo 18.05`` (fi), ``kl. 18.05`` (sv), ``18:05`` (en).

    Parameters
    ----------
    value
        Anything ``pandas.Timestamp`` reads; a time-zone-aware value is shown in its own zone.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The date and the time to the minute, never ISO's ``T`` and offset.
    """
    stamp = pd.Timestamp(value)
    date = format_date(stamp, lang)
    if lang == "en":
        return f"{date} {stamp.hour:02d}:{stamp.minute:02d}"
    return t("number.datetime", lang, date=date, time=f"{stamp.hour:02d}.{stamp.minute:02d}")


def month_name(month: int, lang: str) -> str:
    """Return a month's short name in ``lang`` (1 = January), for chart axes."""
    if not 1 <= int(month) <= 12:
        raise ParameterError(f"month must be 1..12, got {month}")
    return t(f"month.{int(month)}", lang)
