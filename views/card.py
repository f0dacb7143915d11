"""The chosen hotspot's card: where, what to do and when first; its statistics folded away.

Issue 15 asked for a card a youth worker can act on: the nearest street and district, the
recommendation, peak times, categories and who leads; the period, counts, area, intensity,
the significance test and nearby services sit in an expander for whoever asks. Below them
the page may draw more about the hotspot (the measures done there, ``views.measure_panel``).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import streamlit as st

from i18n import format_area_km2, format_date, format_number, format_p, t


def hotspot_detail(
    hotspots: gpd.GeoDataFrame,
    selected: str | None,
    lang: str,
    *,
    aggregated: bool = False,
    below: Callable[[gpd.GeoDataFrame], None] | None = None,
) -> bool:
    """Draw a card for the chosen hotspot; return True when the user cleared the choice.

    ``aggregated`` (a user who sees only aggregates): the card leaves out the dates of the
    hotspot's first and last incident, which could point at one incident. ``below`` draws
    what follows the statistics inside the card, given the chosen hotspot's row (with its
    polygon).
    """
    if not selected or hotspots.empty:
        return False
    chosen = hotspots[hotspots["id"] == selected]
    if chosen.empty:
        return False
    row = chosen.iloc[0]
    with st.container(border=True):
        where = ", ".join(str(v) for v in (row["place"], row["district"]) if isinstance(v, str) and v)
        st.markdown(f"**{t('panel.selected_hotspot', lang, rank=int(row['rank']))}** ({row['id']}) · {where}")
        st.write(row["recommendation"])
        st.caption(
            f"{t('column.peak_windows', lang)}: {row['peak_text']} · {row['category_text']} · "
            f"{t('column.lead', lang)}: {row['lead_text']}"
        )
        # The statistics behind the card, for whoever asks; the headline stays the action.
        with st.expander(t("detail.statistics", lang)):
            _statistics(row, lang, aggregated=aggregated)
        if below is not None:
            below(chosen)
        return bool(st.button(t("detail.clear", lang), key="clear_hotspot"))


def _statistics(row: pd.Series, lang: str, *, aggregated: bool) -> None:
    """Write the chosen hotspot's figures: period, counts, area, intensity, test, services."""
    first, last = format_date(row["first_date"], lang), format_date(row["last_date"], lang)
    previous = row["n_prev"]
    lines = [
        *([] if aggregated else [f"{t('detail.period', lang)}: {first} – {last}"]),
        f"{t('column.incidents', lang)}: {format_number(int(row['n']), lang)}"
        + (
            ""
            if pd.isna(previous)
            else f" ({t('column.incidents_previous', lang)}: {format_number(previous, lang)})"
        ),
        f"{t('column.area_km2', lang)}: {format_area_km2(float(row['area_km2']), lang)} · "
        f"{t('column.per_km2', lang)}: {format_number(float(row['intensity_km2']), lang)}",
        t(
            "detail.significance",
            lang,
            expected=format_number(float(row["expected"]), lang, decimals=1),
            p=format_p(float(row["p_adjusted"]), lang),
        ),
    ]
    services = row.get("nearest_services") or []
    if len(services):
        listed = ", ".join(f"{name} ({format_number(distance, lang)} m)" for name, _, distance in services)
        lines.append(f"{t('detail.nearest', lang)}: {listed}")
    st.markdown("  \n".join(lines))
