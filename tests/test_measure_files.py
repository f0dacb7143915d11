"""Measure files (hotspots.measure_files): CSV and GeoJSON rows into measures, bad rows reported.

Areas are real: Kallio by name, a circle in Linjat given as WKT in lon/lat and in metres,
and GeoJSON features in WGS84 (RFC 7946) and in EPSG:3067 by the file's crs.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import districts
from geo.crs import to_wgs84
from geo.errors import InputFormatError
from hotspots.measure_files import read_area, read_measures
from store.measure_records import KIND_WORDS, LEAD_WORDS, LEADS, MEASURE_KINDS, measure_kind, measure_lead

KALLIO = ("101", "102", "103", "104", "111", "112", "113")
#: A circle of 100 m in Linjat (osa-alue 112), EPSG:3067.
LINJAT = shapely.Point(386_000.0, 6_673_600.0).buffer(100.0, quad_segs=8)


@pytest.fixture(scope="module")
def layers() -> dict[str, object]:
    return {"hierarchy": districts.hierarchy(), "osaalue_layer": districts.load_districts("osaalue")}


def lonlat(area: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(area, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1])))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, sep=";")
    return path


def test_every_word_names_one_kind_or_lead() -> None:
    for words, codes, parse in ((KIND_WORDS, MEASURE_KINDS, measure_kind), (LEAD_WORDS, LEADS, measure_lead)):
        assert set(words) == set(codes)
        every = [w for code, others in words.items() for w in (code, *others)]
        assert len(
            {" ".join(w.replace("_", " ").replace("-", " ").casefold().split()) for w in every}
        ) == len(every)
        for code, others in words.items():
            assert {parse(w) for w in (code, *others)} == {code}
            assert parse(f"  {code.upper()} ") == code
    assert measure_kind("Jalkautuva  NUORISOTYÖ") == "outreach" and measure_kind("patrullering") == "patrol"
    assert (
        measure_lead("Poliisi") == "police" and measure_kind("bingo") is None and measure_lead(None) is None
    )


def test_a_csv_of_good_rows_in_every_form(tmp_path: Path, layers: dict[str, object]) -> None:
    path = write_csv(
        tmp_path / "toimet.csv",
        [
            {
                "Kind": "jalkautuva nuorisotyö",
                "Lead": "nuorisotyö",
                "Start": "1.3.2025",
                "End": "1.6.2025",
                "Partner": "Aseman Lapset ry",
                "Categories": "huumausainerikos; pahoinpitely",
                "Districts": "Kallio",
                "wkt": "",
                "note": "Iltaisin",
            },
            {
                "Kind": "patrol",
                "Lead": "police",
                "Start": "2025-04-04 18:00",
                "End": "2025-04-06",
                "Partner": "",
                "Categories": "",
                "Districts": "",
                "wkt": lonlat(LINJAT).wkt,
                "note": "",
            },
            {
                "Kind": "belysning",
                "Lead": "other",
                "Start": "2025-10-01",
                "End": "2026-04-01",
                "Partner": "Stara",
                "Categories": "vandalism",
                "Districts": "",
                "wkt": LINJAT.wkt,
                "note": "",
            },
        ],
    )
    result = read_measures(path, **layers)  # type: ignore[arg-type]
    assert result.rejects.empty and result.rows_read == 3 and [r.row for r in result.measures] == [2, 3, 4]
    kallio, patrol, light = result.measures
    assert (kallio.measure.kind, kallio.measure.lead, kallio.place.place_kind) == (
        "outreach",
        "youth_work",
        "districts",
    )
    assert kallio.place.osaalue == KALLIO and kallio.measure.categories == ("drug_dealing", "assault")
    assert kallio.measure.start == pd.Timestamp("2025-03-01", tz="Europe/Helsinki")
    assert kallio.measure.end == pd.Timestamp("2025-06-01", tz="Europe/Helsinki")
    assert (kallio.measure.partner, kallio.measure.note) == ("Aseman Lapset ry", "Iltaisin")
    assert patrol.measure.start == pd.Timestamp("2025-04-04 18:00", tz="Europe/Helsinki")
    # the same circle, once in lon/lat and once in metres, lands in the same place
    assert patrol.place.osaalue == light.place.osaalue == ("112",)
    assert shapely.symmetric_difference(patrol.measure.area, LINJAT).area < 0.01
    assert light.measure.area.equals(LINJAT) and light.measure.kind == "environment"


def test_bad_rows_are_each_reported_by_row_and_field(tmp_path: Path, layers: dict[str, object]) -> None:
    good = {
        "kind": "outreach",
        "lead": "youth_work",
        "start": "2025-03-01",
        "end": "2025-04-01",
        "districts": "Linjat",
    }
    rows = [
        good,
        {**good, "kind": "bingo", "lead": ""},
        {**good, "start": "", "end": "31.2.2025"},
        {**good, "wkt": LINJAT.wkt},
        {**good, "end": "2025-02-01"},
        {**good, "partner": "p" * 201},
        {**good, "districts": "Kalio"},
        {**good, "districts": "", "wkt": "POINT (24.95 60.18)"},
        {**good, "categories": "drug_dealing; juoruilu"},
    ]
    result = read_measures(write_csv(tmp_path / "m.csv", rows), **layers)  # type: ignore[arg-type]
    lines = result.rejects
    assert [r.row for r in result.measures] == [2] and result.bad_rows == 8
    got = list(zip(lines["row"], lines["field"], strict=True))
    assert got == [
        (3, "kind"),
        (3, "lead"),
        (4, "start"),
        (4, "end"),
        (5, "where"),
        (6, "end"),
        (7, "partner"),
        (8, "districts"),
        (9, "wkt"),
        (10, "categories"),
    ]
    reasons = dict(zip(got, lines["reason"], strict=True))
    assert reasons[(3, "kind")].startswith("kind is not known; use one of outreach, patrol")
    assert reasons[(3, "lead")].startswith("lead is empty")
    assert reasons[(4, "end")] == "end is not a date; give a date such as 2025-03-01 or 1.3.2025"
    assert "gives wkt and districts; give exactly one" in reasons[(5, "where")]
    assert reasons[(6, "end")].startswith("end must be after start")
    assert reasons[(7, "partner")].startswith("partner has 201 characters")
    assert "did you mean Kallio" in reasons[(8, "districts")]
    assert "wkt is Point, not a Polygon" in reasons[(9, "wkt")]
    assert "'juoruilu' is not known" in reasons[(10, "categories")]
    assert list(lines.loc[lines["field"] == "kind", "value"]) == ["bingo"]


def feature(area: shapely.Geometry, **props: str) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(area)}


def test_geojson_in_wgs84_and_in_metres_by_its_crs(tmp_path: Path, layers: dict[str, object]) -> None:
    props = {"kind": "school_ngo", "lead": "school", "start": "2025-08-11", "end": "2025-12-20"}
    plain = tmp_path / "koulut.geojson"
    plain.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature(lonlat(LINJAT), **props)]})
    )
    metric = tmp_path / "koulut-3067.geojson"
    metric.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}},
                "features": [
                    feature(LINJAT, **props),
                    {"type": "Feature", "properties": props, "geometry": None},
                ],
            }
        )
    )
    first = read_measures(plain, **layers)  # type: ignore[arg-type]
    second = read_measures(metric, **layers)  # type: ignore[arg-type]
    assert first.rejects.empty and first.measures[0].place.osaalue == ("112",)
    assert shapely.symmetric_difference(first.measures[0].measure.area, LINJAT).area < 0.01
    assert second.measures[0].measure.area.equals(LINJAT)
    assert list(zip(second.rejects["row"], second.rejects["field"], strict=True)) == [(2, "where")]
    assert shapely.symmetric_difference(read_area(plain), LINJAT).area < 0.01
    with pytest.raises(InputFormatError, match=r"^koulut-3067\.geojson: feature 2 is empty, not a Polygon"):
        read_area(metric)


def test_files_that_are_not_measure_files_are_refused(tmp_path: Path, layers: dict[str, object]) -> None:
    path = write_csv(tmp_path / "x.csv", [{"kind": "outreach", "lead": "police", "start": "2025-01-01"}])
    with pytest.raises(InputFormatError, match=r"^x\.csv: has no column end; a measure file has kind, lead"):
        read_measures(path, **layers)  # type: ignore[arg-type]
    other = tmp_path / "x.xlsx"
    other.write_bytes(b"")
    with pytest.raises(InputFormatError, match=r"a measure file is CSV"):
        read_measures(other, **layers)  # type: ignore[arg-type]
    points = tmp_path / "p.geojson"
    points.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature(shapely.Point(24.95, 60.18))]})
    )
    with pytest.raises(InputFormatError, match=r"^p\.geojson: feature 1 is Point, not a Polygon"):
        read_area(points)
    assert isinstance(layers["osaalue_layer"], gpd.GeoDataFrame)


def test_an_area_outside_helsinki_is_refused_naming_where_it_lies(tmp_path: Path) -> None:
    paris = tmp_path / "paris.geojson"
    ring = [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    paris.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    where = r"paris\.geojson: feature 1 lies outside the Helsinki region \(its middle is at 48\.85\d N, 2\.35"
    with pytest.raises(InputFormatError, match=where):
        read_area(paris)
