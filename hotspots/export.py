"""Hotspot tables as files: GeoJSON (EPSG:4326), GeoPackage and CSV.

Only aggregated columns leave: no incident ids, points or descriptions. CSV cells that a
spreadsheet would run as a formula are neutralised (``geo.spreadsheet``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo import crs, files
from geo.errors import ParameterError
from geo.spreadsheet import neutralise_frame
from hotspots.summary import PeakWindow

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
    "trend",
    "significant",
    "p_adjusted",
    "lead",
    "recommendation_fi",
    "recommendation_sv",
    "recommendation_en",
)
FORMATS: Final = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}
def export_table(hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The shareable form of a ranked, recommended hotspot table (EPSG:4326).

    Parameters
    ----------
    hotspots
        Output of ``hotspots.analysis.analyse(...).hotspots`` (EPSG:3067).

    Returns
    -------
    GeoDataFrame
        ``EXPORT_COLUMNS`` + polygon geometry in EPSG:4326; mixes and windows as text.
    """
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
    out["peak_windows"] = [
        ", ".join(PeakWindow.from_dict(w).label("en") for w in (windows or []))
        for windows in hotspots["peak_times"]
    ]
    out["districts"] = hotspots["osaalue_fi"].astype(str)
    out["peruspiiri"] = hotspots["peruspiiri_fi"].astype(str)
    out["trend"] = hotspots["status"].astype(str) if "status" in hotspots.columns else ""
    out["significant"] = hotspots["significant"].astype(bool)
    out["p_adjusted"] = hotspots["p_adjusted"].astype(float)
    out["lead"] = hotspots["lead"].astype(str)
    for lang in ("fi", "sv", "en"):
        out[f"recommendation_{lang}"] = hotspots[f"recommendation_{lang}"].astype(str)
    return gpd.GeoDataFrame(out, geometry=hotspots.geometry.values, crs=hotspots.crs).to_crs(crs.WGS84)


def write_hotspots(hotspots: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the shareable hotspot table to ``path`` (.geojson, .gpkg or .csv), atomically.

    Parameters
    ----------
    hotspots
        Ranked hotspot table (EPSG:3067).
    path
        Output file; its suffix picks the format. CSV holds the polygon as WKT.

    Returns
    -------
    Path
        The written file.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ParameterError(f"--out was {target.name!r} but is expected to end in one of {sorted(FORMATS)}")
    table = export_table(hotspots)

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            frame = pd.DataFrame(table.drop(columns="geometry"))
            frame["geometry_wkt"] = table.geometry.to_wkt(rounding_precision=6)
            frame = neutralise_frame(frame)  # keeps Int64 counts integral
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        elif FORMATS[suffix] == "GeoJSON":
            tmp.write_text(
                json.dumps(json.loads(table.to_json(na="null", show_bbox=False)), ensure_ascii=False),
                encoding="utf-8",
            )
        else:
            table.to_file(tmp, driver="GPKG", layer="hotspots")

    return files.write_atomically(target, write)
