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
