"""The hotspot table's shareable columns (EPSG:4326); ``briefing.downloads`` writes the files.

Only aggregated columns leave: no incident ids, points or descriptions. A hotspot's
``place_fi`` / ``place_sv`` is the register's address nearest to its centre, not a point
of an incident. CSV cells that a
spreadsheet would run as a formula are neutralised (``geo.spreadsheet``). The texts (peak
windows, the recommendations in each language) are worded by the caller
(``i18n.hotspot_texts``) and passed in: the hotspot table itself holds codes.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd

from geo import crs
from geo.errors import ParameterError

#: Columns of an exported hotspot, in this order (besides geometry).
EXPORT_COLUMNS: Final = (
    "id",
    "rank",
    "n",
    "n_prev",
    "score",
    "priority",
    "area_km2",
    "top_category",
    "categories",
    "peak_windows",
    "districts",
    "peruspiiri",
    "place_fi",
    "place_sv",
    "trend",
    "significant",
    "p_adjusted",
    "lead",
    "recommendation_fi",
    "recommendation_sv",
    "recommendation_en",
)
#: Exported columns the caller words (``texts`` of ``export_table``).
TEXT_COLUMNS: Final = ("peak_windows", "recommendation_fi", "recommendation_sv", "recommendation_en")
FORMATS: Final = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}


def export_table(hotspots: gpd.GeoDataFrame, *, texts: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the shareable form of a ranked, recommended hotspot table (EPSG:4326).

    Parameters
    ----------
    hotspots
        Output of ``hotspots.analysis.analyse(...).hotspots`` (EPSG:3067).
    texts
        ``TEXT_COLUMNS`` of the same hotspots, same index: ``i18n.hotspot_texts(hotspots)``.

    Returns
    -------
    GeoDataFrame
        ``EXPORT_COLUMNS`` + polygon geometry in EPSG:4326; mixes and windows as text.
    """
    missing = [c for c in TEXT_COLUMNS if c not in texts.columns]
    if missing or not texts.index.equals(hotspots.index):
        raise ParameterError(
            f"texts must hold {list(TEXT_COLUMNS)} for the same rows as hotspots (missing {missing}); "
            "pass i18n.hotspot_texts(hotspots)"
        )
    out = pd.DataFrame(index=hotspots.index)
    out["id"] = hotspots["id"].astype(str)
    out["rank"] = hotspots["rank"].astype(int)
    out["n"] = hotspots["n"].astype(int)
    out["n_prev"] = hotspots["n_prev"].astype("Int64")
    out["score"] = hotspots["score"].astype(float).round(1)
    out["priority"] = hotspots["priority"].astype(float).round(3)
    out["area_km2"] = hotspots["area_km2"].astype(float).round(4)
    out["top_category"] = hotspots["top_category"].astype(str)
    out["categories"] = hotspots["category_mix"].astype(str)
    out["peak_windows"] = texts["peak_windows"].astype(str)
    out["districts"] = hotspots["osaalue_fi"].astype(str)
    out["peruspiiri"] = hotspots["peruspiiri_fi"].astype(str)
    for column in ("place_fi", "place_sv"):  # the register's nearest address or place (hotspots.placenames)
        out[column] = hotspots[column].astype("string").fillna("") if column in hotspots.columns else ""
    out["trend"] = hotspots["status"].astype("string").fillna("") if "status" in hotspots.columns else ""
    out["significant"] = hotspots["significant"].astype(bool)
    out["p_adjusted"] = hotspots["p_adjusted"].astype(float)
    out["lead"] = hotspots["lead"].astype(str)
    for column in TEXT_COLUMNS[1:]:
        out[column] = texts[column].astype(str)
    return gpd.GeoDataFrame(out, geometry=hotspots.geometry.values, crs=hotspots.crs).to_crs(crs.WGS84)
