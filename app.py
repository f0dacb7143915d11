"""Helsinki safety hotspot map: the Streamlit page. Reads widgets, calls pure functions, draws.

Run: ``make run`` (or ``streamlit run app.py``). Everything the map needs is served by the
app itself from ``static/`` (copied from installed packages at start-up): no CDN.

``main`` reads top to bottom as the page does: the sidebar's choices (``views.controls``),
the data they name (``views.datasource``), the cached analysis (``views.results``), then
the sections that draw it (``views.page``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from hotspots.selection import Selection
from i18n import t
from views import assets, controls, page, pagestyle, panels, results, urlstate

STATIC_DIR = Path(__file__).resolve().parent / "static"


@st.cache_resource(show_spinner=False)
def _asset_urls() -> assets.AssetUrls:
    # A true resource: the copies of the map's scripts under static/, installed once per process.
    return assets.install_static_assets(STATIC_DIR)


def main() -> None:
    """Draw the page: the sidebar's choices, the key figures, ranking and map, then the tabs."""
    url = urlstate.read(st.query_params.to_dict())
    lang = controls.language(url)
    # After the language: the browser tab's title is in it too (Streamlit allows the call here).
    st.set_page_config(page_title=t("app.title", lang), page_icon="🗺️", layout="wide")
    pagestyle.apply()
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))
    hierarchy = page.district_hierarchy(lang)
    data = page.incidents(lang)

    suur, per, osa = controls.district_filter(lang, url, hierarchy)
    preset, categories, sources = controls.categories(lang, url)
    first, last = data.first_and_last_day()
    start, end = controls.period(lang, url, first=first, last=last)
    page.period_note(data, start, end, lang)
    view = controls.view(lang, url)
    compare_with = controls.comparison(lang, url)
    hours, weekdays = controls.time_of_day(lang, url)
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
    clustering = controls.clustering(lang, url, suggestion=page.suggestion(lang, data, selection))
    choice = controls.map_options(lang, url)
    services = page.service_points(lang)
    request = results.Request(
        data_version=data.version,
        services_version=services.version if services is not None else "",
        view=view,
        selection=selection,
        clustering=clustering,
        compare_with=compare_with,
    )

    shown = page.analysis(request, data, services, level=choice.level, lang=lang)
    selected = panels.chosen_hotspot(shown.hotspots, bookmarked=url.hotspot)
    map_col, table_col = st.columns([3, 2])
    with table_col:
        selected = page.ranking(shown, selected, lang)
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
    # Everything above, bookmarkable: written after the widgets so the URL shows what is drawn.
    urlstate.write(
        st.query_params,
        controls.bookmark(
            lang, selection, preset, request, choice, hotspot=selected or "", tab=page.open_tab(lang)
        ),
    )


main()
