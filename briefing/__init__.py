"""Briefing exports: the map picture, the PDF briefing and the data downloads, safe to share.

Modules, from the package's base up:

``privacy``
    Suppression of small counts, shareable hotspot outlines, the classification words.
``texts``
    What every export says about itself: title, place, period, filters, method, counts,
    peak times, sources.
``permissions``
    What a user's ``store.Scope`` may take out: restricted content for analysts and admins
    only, small counts hidden from aggregate-only roles, only the scope's districts; and
    what the ``export`` audit row says about a file.
``filenames``
    The filter in every file name, ASCII-safe.
``rendering``
    Fixed matplotlib settings and reproducible PNG bytes for every figure.
``basemap``
    Optional XYZ tiles under the map, cached on disk.
``mapscale``
    The map's scale bar and north arrow.
``cartography``
    The map on its axes: land and sea, districts, density, incidents, numbered hotspots.
``panel``
    The picture's side panel: key figures, legend, ranked hotspots, sources.
``mapimage``
    The map picture: composition, sizes, markings, PNG bytes (``map_figure``).
``charts``
    Incidents per week and per hour x weekday.
``districtfiles``
    District figures (CSV, XLSX) as bytes.
``downloads``
    Hotspots (GeoJSON, GeoPackage, CSV) and incidents as bytes; the district files too.
``prediction``
    Whether last period's hotspots predicted this period, in words (the app's check).
``pdftables``
    The PDF's text styles and tables: key figures, top ten, districts, prediction.
``pdf``
    The two-page PDF briefing (``brief_pdf_bytes``).

None of them imports Streamlit, the views or the command line.
"""

from __future__ import annotations

from briefing.charts import charts_figure
from briefing.downloads import (
    district_figures,
    districts_csv_bytes,
    districts_xlsx_bytes,
    hotspots_csv_bytes,
    hotspots_geojson_bytes,
    hotspots_gpkg_bytes,
    hotspots_table,
    incidents_csv_bytes,
    write_hotspots,
)
from briefing.filenames import file_stem
from briefing.mapimage import MapOptions, MapPicture, MapSize, map_figure, map_png_bytes
from briefing.pdf import BriefOptions, brief_pdf_bytes
from briefing.permissions import check_export, check_sharing, export_detail, scoped_district_table
from briefing.privacy import (
    AGGREGATED,
    DEFAULT_MIN_COUNT,
    RESTRICTED,
    PrivacyError,
    count_text,
    shareable_district_table,
    shareable_outlines,
)
from briefing.rendering import figure_png_bytes
from briefing.texts import (
    SOFTWARE,
    filters_text,
    format_date,
    format_datetime,
    is_synthetic,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
    title_text,
)

__all__ = [
    "AGGREGATED",
    "DEFAULT_MIN_COUNT",
    "RESTRICTED",
    "SOFTWARE",
    "BriefOptions",
    "MapOptions",
    "MapPicture",
    "MapSize",
    "PrivacyError",
    "brief_pdf_bytes",
    "charts_figure",
    "check_export",
    "check_sharing",
    "count_text",
    "district_figures",
    "districts_csv_bytes",
    "districts_xlsx_bytes",
    "export_detail",
    "figure_png_bytes",
    "file_stem",
    "filters_text",
    "format_date",
    "format_datetime",
    "hotspots_csv_bytes",
    "hotspots_geojson_bytes",
    "hotspots_gpkg_bytes",
    "hotspots_table",
    "incidents_csv_bytes",
    "is_synthetic",
    "map_figure",
    "map_png_bytes",
    "marking",
    "method_text",
    "period_text",
    "place_text",
    "scoped_district_table",
    "shareable_district_table",
    "shareable_outlines",
    "source_lines",
    "title_text",
    "write_hotspots",
]
