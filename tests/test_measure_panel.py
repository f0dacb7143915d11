"""Measures in the app (views.measure_panel): recorded from the hotspot card, listed there with
their effect, outlined on the map; refused in one line to whoever may not record them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import store
from geo import demo
from i18n import format_area_km2, t
from store.scope import Scope
from tests.test_auth import PROVIDER, _claims
from views import measure_panel
from views.draw_tool import DRAWN_PROPERTY
from views.markdown import plain
from views.ranking_table import MAP_KEY

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ANALYST = Scope("aki.analyytikko@hel.example", "analyst", None)
YOUTH = Scope("nea.nuorisotyo@hel.example", "youth_worker", ("112",))
VIEWER = Scope("johto@hel.example", "viewer", None)


def _map_script(at: AppTest) -> str:
    return " ".join(json.loads(c.proto.json_args).get("script", "") for c in at.get("component_instance"))


def _card_for_first_hotspot(at: AppTest) -> str:
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    first = str(at.dataframe[0].value["Hotspot"].iloc[0])
    at.session_state["selected_hotspot"] = first
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return first


def test_a_measure_recorded_on_the_card_is_listed_with_its_effect_and_outlined_on_the_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HOTSPOTS_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=240)
    first = _card_for_first_hotspot(at)
    assert t("measure.none_here", "en") in [c.value for c in at.caption]
    assert _map_script(at).count('"hs-measures"') == 1  # the pane only: no measure yet
    key = f"measure_hotspot_{first}"
    _, stop = demo.demo_period()
    start = (stop - pd.Timedelta(days=200)).date()  # 92 days before and 92 after, inside the demo's two years
    at.selectbox(key=f"measure_choice_{key}_kind").set_value("patrol")
    at.selectbox(key=f"measure_choice_{key}_lead").set_value("police")
    at.text_input(key=f"{key}_partner").set_value("Kallio <school>")
    at.date_input(key=f"{key}_start").set_value(start)
    at.date_input(key=f"{key}_end").set_value(start + pd.Timedelta(days=91))
    next(b for b in at.button if b.label == t("measure.form.submit", "en")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert t("measure.saved", "en", id=1) in [s.value for s in at.success]
    listed = " ".join(m.value for m in at.markdown)
    # Written as plain text: the partner's words are not read as Markdown.
    assert plain(f"{t('measure.kind.patrol', 'en')} · Police + Kallio <school>") in listed
    captions = " ".join(c.value for c in at.caption)
    assert "Against the control area" in captions or "Too few incidents" in captions
    details = next(e for e in at.expander if e.label == t("measure.details", "en"))
    zones = details.dataframe[0].value[t("measure.column.zone", "en")].tolist()
    assert zones == [t(f"measure.zone.{z}", "en") for z in ("target", "buffer", "control")]
    script = _map_script(at)
    assert script.count('"hs-measures"') == 2  # the pane, and the layer drawn in it
    assert "Kallio \\u0026lt;school\\u0026gt;" in script and "<school>" not in script  # escaped, then JSON
    with store.open_store(url) as db:
        (recorded,) = db.measures(scope=ANALYST)
        assert db.audit_log(action="measure_add")["user_id"].tolist() == ["local"]
    assert recorded.place_kind == "hotspot" and recorded.place_ref.startswith(f"{first} ")
    assert recorded.osaalue and recorded.measure.kind == "patrol"


def _signed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claims: dict[str, Any]) -> AppTest:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=240)
    at.secrets["auth"] = PROVIDER
    at.user = claims
    return at


def test_a_viewer_gets_one_line_instead_of_the_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _signed_in(tmp_path, monkeypatch, _claims("johto@hel.example", ["hotspots-viewer"]))
    first = _card_for_first_hotspot(at)
    assert t("measure.refused.viewer", "en") in [c.value for c in at.caption]
    assert not [w for w in at.selectbox if w.key == f"measure_choice_measure_hotspot_{first}_kind"]
    assert t("measure.form.submit", "en") not in [b.label for b in at.button]


def test_the_effect_table_holds_back_small_counts_for_aggregated_readers() -> None:
    from tests.test_measures import _counts, _effect, _incidents

    effect = _effect(_incidents(_counts(t=(3, 12), b=(30, 30), c=(200, 200)), seed=5))
    shown = measure_panel.effect_table(effect, "en", aggregated=True)
    target = shown.iloc[0]
    assert target[t("measure.column.before", "en")] == "<5"
    assert target[t("measure.column.after", "en")] == "12"
    assert (
        target[t("measure.column.before_per_30d", "en")] == ""
        and target[t("measure.column.change", "en")] == ""
    )
    exact = measure_panel.effect_table(effect, "en", aggregated=False).iloc[0]
    assert exact[t("measure.column.before", "en")] == "3" and exact[t("measure.column.change", "en")] != ""


def test_a_measure_for_the_chosen_districts_is_listed_under_the_map_and_can_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HOTSPOTS_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = "sv"
    at.query_params["peruspiiri"] = "301"  # Kallio
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # Folded, the section draws nothing: no form the browser would mount in every session.
    assert t("measure.none_in_view", "sv") not in [c.value for c in at.caption]
    assert not [w for w in at.selectbox if str(w.key).startswith("measure_choice_measure_districts")]
    at.session_state[measure_panel.MEASURES_OPEN] = True  # the user opens it
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("measure.none_in_view", "sv") in [c.value for c in at.caption]
    _, stop = demo.demo_period()
    start = (stop - pd.Timedelta(days=60)).date()
    at.selectbox(key="measure_choice_measure_districts_kind").set_value("environment")
    at.date_input(key="measure_districts_start").set_value(start)
    at.date_input(key="measure_districts_end").set_value(start + pd.Timedelta(days=30))
    next(b for b in at.button if b.label == t("measure.form.submit", "sv")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("measure.saved", "sv", id=1) in [s.value for s in at.success]
    listed = " ".join(m.value for m in at.markdown)
    assert (
        plain(t("measure.kind.environment", "sv")) in listed
        and plain(t("measure.place.districts", "sv", ref="Berghäll")) in listed
    )
    with store.open_store(url) as db:
        (recorded,) = db.measures(scope=ANALYST)
    assert recorded.place_kind == "districts" and recorded.place_ref == "Kallio (Berghäll)"
    assert "112" in recorded.osaalue  # Linjat lies in Kallio
    at.button(key="measure_remove_1").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("measure.none_in_view", "sv") in [c.value for c in at.caption]
    with store.open_store(url) as db:
        assert db.measures(scope=ANALYST) == []


def test_an_area_drawn_on_the_map_is_offered_for_a_measure_once_and_recorded_as_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("HOTSPOTS_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert 'map.fire("draw:created"' in _map_script(at)  # the draw button is on the map
    corners = [[24.948, 60.183], [24.953, 60.183], [24.953, 60.1855], [24.948, 60.1855], [24.948, 60.183]]
    polygon = {"type": "Polygon", "coordinates": [corners]}
    drawn = {"type": "Feature", "properties": {DRAWN_PROPERTY: 1}, "geometry": polygon}
    at.session_state[MAP_KEY] = {"last_active_drawing": drawn}  # what streamlit-folium returns
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    title = t("measure.record_drawn", "en", km2=format_area_km2(0.0777, "en"))
    assert any(m.value == f"##### {title}" for m in at.markdown), [m.value for m in at.markdown]
    _, stop = demo.demo_period()
    start = (stop - pd.Timedelta(days=60)).date()
    at.selectbox(key="measure_choice_measure_drawn_kind").set_value("environment")
    at.date_input(key="measure_drawn_start").set_value(start)
    at.date_input(key="measure_drawn_end").set_value(start + pd.Timedelta(days=30))
    # The browser keeps sending the drawing with every rerun; AppTest does not.
    at.session_state[MAP_KEY] = {"last_active_drawing": drawn}
    next(b for b in at.button if b.label == t("measure.form.submit", "en")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("measure.saved", "en", id=1) in [s.value for s in at.success]
    with store.open_store(url) as db:
        (recorded,) = db.measures(scope=ANALYST)
    assert recorded.place_kind == "drawn" and recorded.osaalue == ("112", "113")  # Linjat and Torkkelinmäki
    assert 75_000 < recorded.measure.area.area < 80_000
    at.session_state[MAP_KEY] = {"last_active_drawing": drawn}
    at.run()  # the same drawing is not offered again
    assert not any(m.value == f"##### {title}" for m in at.markdown)


def test_a_viewer_gets_no_draw_button(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _signed_in(tmp_path, monkeypatch, _claims("johto@hel.example", ["hotspots-viewer"]))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert _map_script(at) and 'map.fire("draw:created"' not in _map_script(at)
