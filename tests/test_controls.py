"""The sidebar's pure parts (views.controls): hour window, districts' bounds, coded widgets, date formats."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo import districts
from i18n import LANGUAGES, format_date
from views.controls import DATE_FORMATS, district_bounds, hour_bounds, hour_window, is_coded


@pytest.fixture(scope="module")
def osaalue() -> gpd.GeoDataFrame:
    return districts.load_districts("osaalue")


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (0, 24, ()),  # the whole day: no hour filter at all
        (8, 16, (8, 9, 10, 11, 12, 13, 14, 15)),
        (22, 2, (22, 23, 0, 1)),  # past midnight
        (23, 23, (23, *range(0, 23))),  # from 23 round to 23: every hour, starting at 23
        (0, 1, (0,)),
    ],
)
def test_hour_window_wraps_past_midnight(start: int, end: int, hours: tuple[int, ...]) -> None:
    assert hour_window(start, end) == hours


def test_no_district_chosen_means_no_bounds(osaalue: gpd.GeoDataFrame, hierarchy: pd.DataFrame) -> None:
    assert district_bounds(osaalue, hierarchy, (), (), ()) is None


def test_bounds_of_a_peruspiiri_are_those_of_its_osa_alue(
    osaalue: gpd.GeoDataFrame, hierarchy: pd.DataFrame
) -> None:
    kallio = district_bounds(osaalue, hierarchy, (), ("301",), ())
    assert kallio is not None
    codes = set(hierarchy.loc[hierarchy["peruspiiri_code"] == "301", "osaalue_code"])
    expected = osaalue[osaalue["code"].isin(codes)].total_bounds
    assert kallio == pytest.approx(tuple(expected))
    x0, y0, x1, y1 = kallio
    assert 384_000 < x0 < x1 < 390_000 and 6_672_000 < y0 < y1 < 6_678_000  # Kallio, EPSG:3067


def test_the_most_detailed_choice_narrows_the_bounds(
    osaalue: gpd.GeoDataFrame, hierarchy: pd.DataFrame
) -> None:
    """Kallio (301) narrowed to its osa-alue Linjat (112): the box of Linjat alone."""
    kallio = district_bounds(osaalue, hierarchy, (), ("301",), ())
    linjat = district_bounds(osaalue, hierarchy, (), ("301",), ("112",))
    assert kallio is not None and linjat is not None
    assert linjat == pytest.approx(tuple(osaalue[osaalue["code"] == "112"].total_bounds))
    assert (
        kallio[0] <= linjat[0]
        and kallio[1] <= linjat[1]
        and linjat[2] <= kallio[2]
        and linjat[3] <= kallio[3]
    )
    assert linjat != kallio


def test_coded_widgets_are_known_by_key_or_by_prefix() -> None:
    assert is_coded("preset") and is_coded("categories_youth_work") and is_coded("colmap_a.csv_occurred_at")
    # The language picker itself, a file's sheet names and the number inputs are not codes to relabel.
    assert not any(is_coded(key) for key in ("lang", "upload_part", "hour_from", "eps_m"))


def test_date_formats_write_days_as_the_catalogue_does() -> None:
    # Streamlit's format names for what i18n.format_date writes: 30.11.2026 and 2026-11-30.
    assert set(DATE_FORMATS) == set(LANGUAGES)
    for lang, shape in DATE_FORMATS.items():
        written = shape.replace("DD", "30").replace("MM", "11").replace("YYYY", "2026")
        assert written == format_date("2026-11-30", lang)


@pytest.mark.parametrize(("start", "end"), [(0, 24), (20, 2), (3, 10), (23, 24), (5, 5), (0, 1)])
def test_hour_bounds_undo_hour_window(start: int, end: int) -> None:
    assert hour_bounds(hour_window(start, end)) == (start, end)
