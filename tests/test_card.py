"""The chosen hotspot's card through AppTest: the action first, the statistics folded."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from i18n import t

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_the_card_leads_with_place_and_recommendation_and_folds_the_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = "en"
    at.run()
    first = str(at.dataframe[0].value["Hotspot"].iloc[0])
    at.session_state["selected_hotspot"] = first
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    heading = next(m.value for m in at.markdown if m.value.startswith("**"))
    assert f"({first})" in heading
    statistics = [e for e in at.expander if e.label == t("detail.statistics", "en")]
    assert len(statistics) == 1
    folded = " ".join(m.value for m in statistics[0].markdown)
    assert "p " in folded or "p=" in folded or "p-value" in folded or "expected" in folded
    assert "km²" in folded
    at.button(key="clear_hotspot").click().run()
    assert at.session_state["selected_hotspot"] is None


def _card_script(aggregated: bool) -> None:
    import pandas as pd

    from views import card

    row = {
        "id": "H1", "rank": 1, "place": "Kaivokatu 8", "district": "Kluuvi", "recommendation": "Go.",
        "peak_text": "Fri 20-02", "category_text": "assault 9", "lead_text": "Police",
        "first_date": pd.Timestamp("2026-05-03"), "last_date": pd.Timestamp("2026-10-29"),
        "n": 9, "n_prev": 4.0, "area_km2": 0.05, "intensity_km2": 180.0, "expected": 1.2,
        "p_adjusted": 0.0001, "nearest_services": [],
    }  # fmt: skip
    card.hotspot_detail(pd.DataFrame([row]), "H1", "en", aggregated=aggregated)


@pytest.mark.parametrize("aggregated", [False, True])
def test_an_aggregated_card_leaves_out_the_first_and_last_incident_dates(aggregated: bool) -> None:
    at = AppTest.from_function(_card_script, kwargs={"aggregated": aggregated})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    folded = " ".join(m.value for m in at.expander[0].markdown)
    assert ("2026-05-03" in folded) is not aggregated
    assert "below 0.001" in folded
