"""Helsinki safety hotspot map: the Streamlit page. Reads widgets, calls pure functions, draws.

Run: ``make run`` (or ``streamlit run app.py``). Everything the map needs is served by the
app itself from ``static/`` (copied from installed packages at start-up): no CDN.

``main`` reads top to bottom as the page does: who is using it and what they may see
(``views.auth``), the sidebar's choices (``views.controls``, districts cut to that scope by
``views.visibility``), the data they name (``views.datasource``, read through the scope),
the cached analysis (``views.results``), the sections that draw it (``views.page``), and
the admin's panel (``views.admin_panel``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from hotspots.selection import Selection
from i18n import t
from store.scope import Scope
from views import (
    admin_panel,
    assets,
    auth,
    controls,
    more_settings,
    page,
    pagestyle,
    ranking_table,
    results,
    urlstate,
    visibility,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _asset_urls() -> assets.AssetUrls:
    # A true resource: the copies of the map's scripts under static/, installed once per process.
    return assets.install_static_assets(STATIC_DIR)


def _districts(
    lang: str, url: urlstate.UrlState, hierarchy: pd.DataFrame, scope: Scope
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Draw the district filter inside the user's scope; return the choice, cut to the scope.

    The URL's districts are cut to the scope before they become the widgets' defaults, and
    the choice again after: a youth worker who edits the URL to another district, or
    clears the filter, looks at her own districts.
    """
    suur, per, osa = visibility.within_scope(
        scope, hierarchy, suurpiiri=url.suurpiiri, peruspiiri=url.peruspiiri, osaalue=url.osaalue
    )
    inside = replace(url, suurpiiri=suur, peruspiiri=per, osaalue=osa)
    suur, per, osa = controls.district_filter(lang, inside, visibility.scope_hierarchy(hierarchy, scope))
    return visibility.within_scope(scope, hierarchy, suurpiiri=suur, peruspiiri=per, osaalue=osa)


def main() -> None:
    """Draw the page: the sidebar's choices, the key figures, ranking and map, then the tabs."""
    url = urlstate.read(st.query_params.to_dict())
    lang = controls.language(url)
    # After the language: the browser tab's title is in it too (Streamlit allows the call here).
    st.set_page_config(page_title=t("app.title", lang), page_icon="🗺️", layout="wide")
    pagestyle.apply()
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))
    scope = auth.gate(lang)  # who may see what: nothing below runs for someone who may not
    hierarchy = page.district_hierarchy(lang)
    data = page.incidents(lang, scope)

    suur, per, osa = _districts(lang, url, hierarchy, scope)
    preset, categories, sources = controls.categories(lang, url)
    first, last = data.first_and_last_day()
    start, end = controls.period(lang, url, first=first, last=last)
    page.period_note(data, start, end, lang)
    # The rarely used controls, drawn only when asked for; their values hold either way.
    more = more_settings.toggle(lang, url)
    view = controls.view(lang, url, drawn=more)
    compare_with = controls.comparison(lang, url, drawn=more)
    hours, weekdays = controls.time_of_day(lang, url, drawn=more)
    selection = Selection(
        since=pd.Timestamp(start),
        until=pd.Timestamp(end) + pd.Timedelta(days=1),
        categories=categories,
        sources=sources,
        suurpiiri=suur,
        peruspiiri=per,
        osaalue=osa,
        hours=hours,
        weekdays=weekdays,
    )
    suggested = page.suggestion(lang, data, selection) if more else None
    clustering = controls.clustering(lang, url, suggestion=suggested, drawn=more)
    choice = controls.map_options(lang, url, drawn=more)
    services = page.service_points(lang)
    request = results.Request(
        data_version=data.version,
        services_version=services.version if services is not None else "",
        view=view,
        selection=selection,
        clustering=clustering,
        compare_with=compare_with,
    )

    shown = page.analysis(request, data, services, level=choice.level, lang=lang, scope=scope)
    selected = ranking_table.chosen_hotspot(shown.hotspots, bookmarked=url.hotspot)
    # Keyed: printed, the ranking's column keeps the width its table needs (views.pagestyle).
    map_col, table_col = st.container(key="map_and_ranking").columns([5, 4])
    with table_col:
        selected = page.ranking(shown, selected, lang, data)
    with map_col:
        page.hotspot_map(shown, choice, hierarchy, selected=selected, lang=lang, asset_urls=_asset_urls())
    page.panel_tabs(
        shown,
        data,
        choice,
        selected=selected,
        lang=lang,
        hierarchy=hierarchy,
        asset_urls=_asset_urls(),
        tab=url.tab,
    )
    admin_panel.admin_panel(scope, lang)
    # Everything above, bookmarkable: written after the widgets so the URL shows what is drawn.
    urlstate.write(
        st.query_params,
        controls.bookmark(
            lang, selection, preset, request, choice, hotspot=selected or "", tab=page.open_tab(lang)
        ),
    )


main()
