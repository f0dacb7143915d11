"""Figures per district and for the selection (hotspots.figures) on points tagged with the real districts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import crs, districts
from hotspots import figures


@pytest.fixture(scope="module")
def periods() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two periods of points spread over Helsinki (some at sea: no district), tagged."""
    rng = np.random.default_rng(3)
    frames = []
    for n in (1500, 1200):
        x, y = crs.to_metric(rng.uniform(24.90, 25.10, n), rng.uniform(60.16, 60.26, n), src=crs.WGS84)
        frames.append(districts.tag_points(x, y))
    return frames[0], frames[1]


def test_district_table_counts_rates_and_change(periods: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    current, previous = periods
    per = districts.load_districts("peruspiiri")
    residents = pd.DataFrame({"code": per["code"], "residents": 10_000.0, "young_residents": 1_000.0})
    residents.loc[residents["code"] == "301", "residents"] = 10.0  # too few for a rate
    table = figures.district_table(current, previous, districts=per, level="peruspiiri", residents=residents)
    assert len(table) == 34
    assert table["n"].sum() == current["peruspiiri_code"].notna().sum()
    assert table["n_prev"].sum() == previous["peruspiiri_code"].notna().sum()
    row = table.set_index("code").loc["101"]
    assert row["n"] == (current["peruspiiri_code"] == "101").sum()
    assert row["rate_per_1000"] == pytest.approx(row["n"] / 10.0)
    assert np.isnan(table.set_index("code").loc["301", "rate_per_1000"])
    assert list(table["n"]) == sorted(table["n"], reverse=True)
    no_pop = figures.district_table(current, previous, districts=per, level="peruspiiri")
    assert no_pop["rate_per_1000"].isna().all()


def test_key_figures_change() -> None:
    empty = pd.DataFrame({"significant": [True, False]})
    kf = figures.key_figures(pd.DataFrame(index=range(12)), pd.DataFrame(index=range(10)), empty)
    assert (kf.incidents, kf.change, kf.hotspots, kf.significant_hotspots) == (12, 2, 2, 1)
    assert kf.change_pct == pytest.approx(20.0)
    assert figures.key_figures(pd.DataFrame(), pd.DataFrame(), empty).change_pct is None


def test_district_table_of_every_level_and_its_errors(periods: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    current, previous = periods
    suur = districts.load_districts("suurpiiri")
    table = figures.district_table(current, previous, districts=suur, level="suurpiiri")
    assert len(table) == 8 and table["n"].sum() == current["suurpiiri_code"].notna().sum()
    changed = table.set_index("code")
    assert (changed["change"] == changed["n"] - changed["n_prev"]).all()
    with_prev = changed[changed["n_prev"] > 0]
    np.testing.assert_allclose(with_prev["change_pct"], 100.0 * with_prev["change"] / with_prev["n_prev"])
    with pytest.raises(ValueError, match=r"level was 'kunta' but is expected to be one of \['suurpiiri'"):
        figures.district_table(current, previous, districts=suur, level="kunta")
