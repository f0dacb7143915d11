"""The hotspot table's shareable columns (hotspots.export) on a hand-made two-hotspot table."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import crs
from geo.errors import ParameterError
from hotspots.export import EXPORT_COLUMNS, TEXT_COLUMNS, export_table
from hotspots.peaks import PeakWindow
from hotspots.recommendation import DistrictNames, Recommendation
from i18n import hotspot_texts

LINJAT_FI = DistrictNames(("Linjat",), ("Kallio",))
LINJAT_SV = DistrictNames(("Linjerna",), ("Berghäll",))
#: Kallio church, EPSG:3067.
CENTRE = np.array(crs.to_metric([24.9497], [60.1838], src=crs.WGS84)).ravel()


def hotspots() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": pd.array(["H3", "H1"], dtype="string"),
            "rank": [1, 2],
            "n": [42, 7],
            "n_prev": pd.array([30, pd.NA], dtype="Int64"),
            "score": [130.04, 21.0],
            "priority": [1.0, 0.41234],
            "area_km2": [0.0225, 0.045],
            "top_category": pd.array(["drug_dealing", "assault"], dtype="string"),
            "category_mix": pd.array(["drug_dealing 40, assault 2", "assault 7"], dtype="string"),
            "peak_times": [[{"weekdays": [4, 5], "start_hour": 20, "end_hour": 2, "n": 30}], []],
            "osaalue_fi": pd.array(["Linjat", "Torkkelinmäki"], dtype="string"),
            "peruspiiri_fi": pd.array(["Kallio", "Kallio"], dtype="string"),
            "status": pd.array(["intensifying", pd.NA], dtype="string"),
            "significant": [True, False],
            "p_adjusted": [1e-9, 0.5],
            "lead": pd.array(["police", "joint"], dtype="string"),
            "recommendation": [
                Recommendation(
                    "police", (PeakWindow((4, 5), 20, 2, 30),), LINJAT_FI, LINJAT_SV, None, 1500.0
                ),
                Recommendation("joint", (), LINJAT_FI, LINJAT_SV, None, 1500.0),
            ],
        },
        geometry=[shapely.box(*(CENTRE - 75), *(CENTRE + 75)), shapely.box(*(CENTRE + 200), *(CENTRE + 350))],
        crs=crs.METRIC,
        index=[5, 9],
    )


def texts(table: pd.DataFrame) -> pd.DataFrame:
    """Stand-in texts: the export copies them, whatever they say."""
    return pd.DataFrame(
        {column: [f"{column} {i}" for i in table["id"]] for column in TEXT_COLUMNS}, index=table.index
    )


def test_export_columns_in_order_and_in_wgs84() -> None:
    table = hotspots()
    before = table.copy()
    out = export_table(table, texts=texts(table))
    pd.testing.assert_frame_equal(table, before)
    assert list(out.columns) == [*EXPORT_COLUMNS, "geometry"]
    assert out.crs == crs.WGS84
    assert out.loc[5, "peak_windows"] == "peak_windows H3"
    assert out.loc[5, "categories"] == "drug_dealing 40, assault 2"
    assert (out.loc[5, "score"], out.loc[9, "priority"]) == (130.0, 0.412)
    assert out.loc[5, "trend"] == "intensifying" and out.loc[9, "trend"] == ""
    assert out.loc[5, "districts"] == "Linjat" and out.loc[9, "peruspiiri"] == "Kallio"
    assert list(out["recommendation_sv"]) == ["recommendation_sv H3", "recommendation_sv H1"]
    lon, lat = crs.to_wgs84(*shapely.get_coordinates(table.geometry.iloc[0]).T)
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry.iloc[0]), np.c_[lon, lat])


def test_worded_by_i18n() -> None:
    out = export_table(hotspots(), texts=hotspot_texts(hotspots()))
    assert list(out["peak_windows"]) == ["Fri-Sat 20-02", ""]
    assert list(out["recommendation_en"]) == [
        "Police lead: patrols in Linjat (Kallio); Fri-Sat 20-02. "
        "Youth work: outreach nearby before the peak.",
        "Youth work and police jointly: outreach and patrols in Linjat (Kallio).",
    ]
    assert (
        out.loc[5, "recommendation_sv"]
        == "Polisen leder: patrullering i Linjerna (Berghäll); fr-lö 20-02. Ungdomsarbetet: uppsökande "
        "arbete i närheten före toppen."
    )


def test_texts_must_be_the_same_hotspots() -> None:
    table = hotspots()
    with pytest.raises(ParameterError, match=r"missing \['recommendation_en'\].*i18n\.hotspot_texts"):
        export_table(table, texts=texts(table).drop(columns="recommendation_en"))
    with pytest.raises(ParameterError, match="same rows"):
        export_table(table, texts=texts(table).iloc[:1])


def test_export_carries_the_register_name_of_each_hotspot() -> None:
    table = hotspots()
    assert export_table(table, texts=texts(table))["place_fi"].tolist() == ["", ""]
    named = table.assign(
        place_fi=pd.array(["Kaivokatu 8", pd.NA], dtype="string"),
        place_sv=pd.array(["Brunnsgatan 8", pd.NA], dtype="string"),
    )
    out = export_table(named, texts=texts(named))
    assert out["place_fi"].tolist() == ["Kaivokatu 8", ""]
    assert out["place_sv"].tolist() == ["Brunnsgatan 8", ""]
