"""The ranking beside the map, and the hotspot choice that the ranking and the map share.

``hotspot_table`` draws the ranking in column widths that fit its share of a 1440 px wide
screen (``RANKING_WIDTHS``; ``views.pagestyle`` keeps that width on paper); a picked row
chooses a hotspot. ``chosen_hotspot`` reads the newest pick of the table and of the map
(``MAP_KEY``) before either is drawn. Pure: ``newest_pick``, ``weaker``.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd
import streamlit as st

from hotspots.clustering import ClusteringParams
from i18n import format_number, t
from views import more_settings
from views.panels import localised_numbers

#: Session keys of the hotspot choice: the table widget (versioned), the map component.
TABLE_KEY: Final = "hotspot_table"
MAP_KEY: Final = "map"


def newest_pick(
    previous: str | None,
    *,
    table_pick: str | None,
    last_table_pick: str | None,
    map_pick: str | None,
    last_map_pick: str | None,
) -> tuple[str | None, bool]:
    """Return the hotspot chosen now, from the newest of a table row pick and a map click.

    Returns the choice and whether it came from the map (the table must then drop its
    own, older row selection). A row unticked in the table clears the choice.
    """
    if map_pick is not None and map_pick != last_map_pick:
        return map_pick, True
    if table_pick != last_table_pick:
        return table_pick, False
    return previous, False


def _table_key() -> str:
    return f"{TABLE_KEY}_{st.session_state.get('hotspot_table_version', 0)}"


def _table_pick(hotspots: gpd.GeoDataFrame) -> str | None:
    state = st.session_state.get(_table_key())
    rows = list(((state or {}).get("selection") or {}).get("rows") or [])
    if not rows or rows[0] >= len(hotspots):
        return None
    return str(hotspots["id"].iloc[int(rows[0])])


def _map_pick() -> str | None:
    state = st.session_state.get(MAP_KEY)
    drawing = (state or {}).get("last_active_drawing") if isinstance(state, dict) else None
    hotspot = ((drawing or {}).get("properties") or {}).get("hotspot_id")
    return str(hotspot) if hotspot else None


def chosen_hotspot(hotspots: gpd.GeoDataFrame, *, bookmarked: str = "") -> str | None:
    """Return the hotspot chosen in the table or on the map, read before either is drawn.

    Both widgets keep their last value in the session; reading them first lets the map,
    the table highlight and the card agree within the same rerun. A map click resets the
    table's own selection (a new widget key) so the two never disagree. A session's first
    run starts from the ``bookmarked`` id of the URL, when that hotspot is shown.
    """
    table_pick, map_pick = _table_pick(hotspots), _map_pick()
    chosen, from_map = newest_pick(
        st.session_state.get("selected_hotspot", bookmarked or None),
        table_pick=table_pick,
        last_table_pick=st.session_state.get("last_table_pick"),
        map_pick=map_pick,
        last_map_pick=st.session_state.get("last_map_pick"),
    )
    st.session_state["last_map_pick"] = map_pick
    if from_map:
        st.session_state["hotspot_table_version"] = st.session_state.get("hotspot_table_version", 0) + 1
        table_pick = None
    st.session_state["last_table_pick"] = table_pick
    if chosen is not None and chosen not in set(hotspots["id"].astype(str)):
        chosen = None  # a hotspot of an earlier selection
    st.session_state["selected_hotspot"] = chosen
    return chosen


#: The ranking's column widths beside the map, px: together (with the row-pick column) they
#: fit the table's share of a 1440 px wide screen with the sidebar open.
RANKING_WIDTHS: Final = {"rank": 44, "hotspot": 58, "place": 106, "count": 80, "intensity": 66, "trend": 88}
#: The grid's whole width, px: its columns and the row-pick column in front (40 px, measured).
RANKING_GRID_PX: Final = sum(RANKING_WIDTHS.values()) + 40


#: "Show weaker concentrations": the radius grows by this factor and the minimum count halves.
WEAKER_EPS_FACTOR: Final = 1.5


def weaker(clustering: ClusteringParams) -> tuple[int, int]:
    """Return a radius and minimum count that find weaker concentrations than ``clustering``'s.

    The radius grows by half (in the sliders' 5 m steps, at most 500 m) and the minimum
    count halves (at least 3): what a youth worker asks for when a preset finds nothing.
    """
    eps = min(500, round(clustering.eps_m * WEAKER_EPS_FACTOR / 5.0) * 5)
    return eps, max(3, clustering.min_samples // 2)


def hotspot_table(
    hotspots: gpd.GeoDataFrame, lang: str, *, selected: str | None, clustering: ClusteringParams | None = None
) -> None:
    """Draw the ranking; the chosen hotspot's row is highlighted, picking a row chooses it.

    Without hotspots it names the parameters in use and, given ``clustering``, offers
    weaker ones (``weaker``) with one button that sets the sliders.
    """
    # The order's rule in one line; why a smaller hotspot can rank higher, on the "?".
    st.subheader(t("panel.ranking_table", lang), help=t("help.ranking", lang))
    # Keyed, so the print style sheet can leave the hint out (views.pagestyle).
    st.container(key="ranking_help").caption(t("help.ranking_short", lang))
    if hotspots.empty:
        if clustering is None:
            st.info(t("msg.no_hotspots", lang))
            return None
        eps, minimum = weaker(clustering)
        st.info(
            t(
                "msg.no_hotspots_in_use",
                lang,
                eps=format_number(clustering.eps_m, lang),
                min_samples=format_number(clustering.min_samples, lang),
            )
        )
        st.button(
            t("action.weaker", lang, eps=format_number(eps, lang), min_samples=format_number(minimum, lang)),
            on_click=more_settings.use_parameters,
            args=(eps, minimum),
            key="weaker",
        )
        return None
    named = hotspots["place"].fillna("")
    columns = {  # code (RANKING_WIDTHS) -> (header, values)
        "rank": (t("column.rank", lang), hotspots["rank"].astype(int)),
        "hotspot": (t("column.hotspot", lang), hotspots["id"]),
        "place": (t("column.place", lang), named.where(named != "", hotspots["district"])),
        "count": (t("column.incidents", lang), hotspots["n"].astype(int)),
        "intensity": (t("column.per_km2_short", lang), hotspots["intensity_km2"].astype(float)),
        "trend": (t("column.trend", lang), hotspots["trend"]),
    }
    view = pd.DataFrame({header: values for header, values in columns.values()})
    # Beside the map the ranking shows what orders, names and places a hotspot, in widths
    # that fit its share of a 1440 px screen without scrolling sideways; the rest (area, peak
    # times, previous count, category, lead, recommendation, test) is in the chosen hotspot's
    # card and in the downloads. The short intensity header carries its meaning as a tooltip.
    marked = (hotspots["id"].astype(str) == (selected or "")).to_numpy()

    def highlight(row: pd.Series) -> list[str]:
        style = "background-color: #fde68a; font-weight: 600" if marked[int(row.name)] else ""
        return [style] * len(row)

    intensity = columns["intensity"][0]
    styled = localised_numbers(view.reset_index(drop=True), lang, decimals={intensity: 0})
    st.dataframe(
        styled.apply(highlight, axis=1),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=_table_key(),
        column_config={
            header: st.column_config.Column(
                width=RANKING_WIDTHS[code], help=t("column.per_km2", lang) if code == "intensity" else None
            )
            for code, (header, _) in columns.items()
        },
    )
