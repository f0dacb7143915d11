"""The view layer: the Streamlit page's pieces, the map and its self-served assets.

Pure, no Streamlit (tested with pytest; a notebook can use them):
    ``mapview``         ``build_map(MapLayers, MapOptions) -> folium.Map``; where the map opens
    ``map_areas``       the map's geography: sea, districts on land by value, outlines, names, density
    ``map_layers``      the map's lead layers: hotspots by rank, incident dots; shared helpers
    ``map_elements``    its own Leaflet pieces: panes, labels, hotspots, basemap, legend
    ``measure_layer``   the measures on the map: dashed outlines under the hotspots
    ``measure_texts``   a recorded measure in words (kind, lead, days, place)
    ``measure_draft``   a measure as the form fills it in, and why it may not be saved
    ``assets``          Leaflet and the rest, copied from installed packages, served by the app
    ``urlstate``        the part of the view state kept in the URL (bookmarks)
    ``axes``            chart axis labels in the page's language (Vega label expressions)

Cached with ``st.cache_data``, drawing nothing:
    ``datasource``      the incidents (demo, store, upload), service points, district layers,
                        each with the version its caches are keyed by
    ``results``         what the page computes from them: analysis, forecast, tables, backtest

Drawing with ``st.`` (tested with AppTest in test_app.py and test_page.py):
    ``controls``        the sidebar's widgets (``hour_window`` and ``district_bounds`` are pure);
                        ``relabel`` keeps every choice across a language switch
    ``more_settings``   the toggle that draws the rarely used controls only when asked for,
                        and their values kept while they are hidden
    ``upload``          the upload step: file, column mapping, import report, errors in words
    ``livemap``         the map in the page: its street map (probed once), drawn without rebuilds
    ``mapframe``        the map as the browser receives it: rendered once per map, shared
                        by every session (``st.cache_data``), drawn by streamlit-folium
    ``page``            the page's sections in order: data, analysis, ranking, map, tabs
    ``ranking_table``   the ranking beside the map in widths that fit, and the hotspot
                        choice the ranking and the map share (``newest_pick`` is pure)
    ``panels``          key figures, district and vanished tables, charts, parameters
    ``measure_panel``   measures on the card (with their effect), recorded, listed, removed
    ``backtest_panel``  the tab "did last period's hotspots predict this one?"
    ``download_panel``  the download tab (its list of files, ``export_files``, is pure)

``app.py`` reads the sidebar through ``controls`` and draws through ``page``.
"""

from views.assets import AssetUrls, MapAssetsError, install_static_assets, standalone_html
from views.map_layers import MapInputError
from views.mapview import MapLayers, MapOptions, build_map

__all__ = [
    "AssetUrls",
    "MapAssetsError",
    "MapInputError",
    "MapLayers",
    "MapOptions",
    "build_map",
    "install_static_assets",
    "standalone_html",
]
