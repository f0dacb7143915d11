"""The Streamlit app through AppTest: filters, presets, language, upload, empty selection."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import cli
from geo import demo, settings
from i18n import t
from tests.browser_labels import BrowserLabels, choice_widgets
from tests.page_text import foreign, page_texts, table_cells, unfilled
from views import controls, more_settings, urlstate

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    # An empty store of its own: the app then starts on the demo data.
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open_tab(at: AppTest, key: str) -> None:
    """Open a panel tab as a user would (the tabs run lazily: only the open one computes)."""
    at.session_state["panel_tab"] = t(key, "fi")
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def _more_settings(at: AppTest, on: bool = True) -> None:
    """Switch "More settings" (the rarely used controls) on or off, as a user would."""
    at.sidebar.toggle(key=more_settings.KEY).set_value(on).run()
    assert not at.exception, [e.message for e in at.exception]


def _metric(at: AppTest, index: int) -> int:
    return int(str(at.metric[index].value).replace("\xa0", "").replace(" ", "").replace(",", ""))


def test_starts_on_demo_data_and_says_it_is_synthetic(app: AppTest) -> None:
    assert app.title[0].value == "Helsingin turvallisuuden hotspot-kartta"
    assert any("keksittyä" in w.value for w in app.warning)
    assert _metric(app, 0) > 1000
    assert _metric(app, 2) >= 5  # hotspots
    assert len(app.dataframe) >= 2  # ranking and district table


def test_language_switch_translates_the_page(app: AppTest) -> None:
    app.sidebar.selectbox(key="lang").set_value("sv").run()
    assert not app.exception
    assert app.title[0].value.startswith("Helsingfors")
    assert any("syntetiska" in w.value or "påhittade" in w.value or "fiktiva" in w.value for w in app.warning)
    assert app.query_params["lang"] == "sv"
    app.sidebar.selectbox(key="lang").set_value("en").run()
    assert app.title[0].value == "Helsinki safety hotspot map"


def test_a_language_switch_relabels_every_choice_and_keeps_it(app: AppTest) -> None:
    """The browser holds a choice as its label: after a switch it must show (and send back) the new one."""
    _more_settings(app)
    browser = BrowserLabels()
    browser.update(app)
    browser.pick(app, "radio", "view", "forecast")
    browser.pick(app, "selectbox", "preset", "youth_work")
    browser.pick(app, "selectbox", "comparison", "none")
    browser.pick(app, "multiselect", "weekdays", [4, 5])
    browser.pick(app, "multiselect", "f_suurpiiri", ["3"])
    assert browser.stale(app) == []
    for lang in ("en", "sv", "fi"):
        browser.pick(app, "selectbox", "lang", lang)
        assert not app.exception, [e.message for e in app.exception]
        assert browser.stale(app) == [], lang
        assert app.sidebar.radio(key="view").value == "forecast"
        assert app.sidebar.selectbox(key="comparison").value == "none"
        assert app.sidebar.multiselect(key="weekdays").value == [4, 5]
        assert app.sidebar.multiselect(key="f_suurpiiri").value == ["3"]


#: What a Finnish or Swedish table must not show: a decimal point, scientific notation, an
#: ISO timestamp, Python's booleans (dates as 30.11.2026 are taken out first).
NOT_FINNISH_OR_SWEDISH = re.compile(r"\d\.\d|\de-\d|\d{4}-\d\d-\d\dT\d\d:\d\d|^(True|False)$")
DAY = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")


def test_fi_en_sv_every_text_in_the_language_and_numbers_in_its_format(app: AppTest) -> None:
    """Switch fi -> en -> sv with choices made, a hotspot chosen and the charts open."""
    _more_settings(app)
    browser = BrowserLabels()
    browser.update(app)
    browser.pick(app, "selectbox", "map_level", "osaalue")
    browser.pick(app, "selectbox", "comparison", "year_before")
    first = str(app.dataframe[0].value[t("column.hotspot", "fi")].iloc[0])
    app.session_state["selected_hotspot"] = first
    app.session_state["panel_tab"] = t("panel.charts", "fi")
    app.run()
    browser.update(app)
    for lang in ("fi", "en", "sv"):
        if lang != "fi":
            browser.pick(app, "selectbox", "lang", lang)
        assert not app.exception, [e.message for e in app.exception]
        # (1) every text, widget label and option in the language; no template left unfilled
        texts = page_texts(app)
        assert foreign(texts, lang) == [], lang
        assert unfilled(texts) == [], lang
        assert browser.stale(app) == [], lang
        # Every choice widget is one the language switch relabels (the picker itself aside).
        assert [w.key for w in choice_widgets(app) if not controls.is_coded(str(w.key))] == ["lang"]
        # (2) the choices, the chosen hotspot and the open tab survive the switch
        assert app.sidebar.selectbox(key="map_level").value == "osaalue"
        assert app.sidebar.selectbox(key="comparison").value == "year_before"
        assert app.session_state["selected_hotspot"] == first
        assert any(t("panel.selected_hotspot", lang, rank=1) in m.value for m in app.markdown), lang
        assert app.session_state["panel_tab"] == t("panel.charts", lang)
        assert len(app.get("vega_lite_chart")) == 2  # the charts tab is still the open one
        # (3) tables in the language's number format
        cells = [cell for table in app.dataframe for row in table_cells(table)[1:] for cell in row]
        assert len(cells) > 500
        if lang == "en":
            assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", c) for c in cells)  # 43,711
            continue
        wrong = [c for c in cells if NOT_FINNISH_OR_SWEDISH.search(DAY.sub("", c))]
        assert wrong == [], lang
        assert any(re.fullmatch(r"\d{1,3}(\u00a0\d{3})+", c) for c in cells)  # 43 711
        card = " ".join(c.value for c in app.caption)
        assert not re.search(r"\de-\d|\d\.\d{2,}", DAY.sub("", card)), card
        statistics = " ".join(m.value for m in app.markdown)
        assert re.search(r"\d+,\d+\s?km²", statistics), lang  # the card's area: 0,07 km²


def test_the_data_source_and_the_backtest_tab_survive_a_language_switch(app: AppTest) -> None:
    browser = BrowserLabels()
    browser.update(app)
    _open_tab(app, "panel.predictive")
    browser.update(app)
    browser.pick(app, "select_slider", "budget_share", 0.5)
    dates = next(d for d in app.sidebar.date_input if d.key.startswith("period_"))
    start, end = dates.value
    chosen = (start + pd.Timedelta(days=7), end - pd.Timedelta(days=7))
    dates.set_value(chosen).run()
    browser.pick(app, "selectbox", "lang", "sv")
    assert not app.exception, [e.message for e in app.exception]
    assert browser.stale(app) == []
    assert app.select_slider(key="budget_share").value == 0.5
    # The range is written 30.11.2026 now (a new widget for the new format) and keeps the dates.
    (dates,) = [d for d in app.sidebar.date_input if d.key.startswith("period_")]
    assert dates.value == chosen and dates.proto.format == "DD.MM.YYYY"
    tab = next(tab for tab in app.tabs if tab.label == t("panel.predictive", "sv"))
    texts = page_texts(app)
    assert foreign(texts, "sv") == [] and unfilled(texts) == []
    table = [cell for row in table_cells(tab.dataframe[0])[1:] for cell in row]
    assert "0,5\u00a0%" in table and not [c for c in table if NOT_FINNISH_OR_SWEDISH.search(c)]
    app.session_state["panel_tab"] = t("panel.downloads", "sv")
    app.run()
    browser.update(app)
    browser.pick(app, "selectbox", "dl_size", "a4")
    browser.pick(app, "selectbox", "lang", "fi")
    assert browser.stale(app) == [] and app.selectbox(key="dl_size").value == "a4"
    texts = page_texts(app)
    assert foreign(texts, "fi") == [] and unfilled(texts) == []
    assert [w.key for w in choice_widgets(app) if not controls.is_coded(str(w.key))] == ["lang"]
    browser.pick(app, "radio", "data_source", "upload")
    for lang in ("en", "sv"):
        browser.pick(app, "selectbox", "lang", lang)
        assert not app.exception, [e.message for e in app.exception]
        assert browser.stale(app) == []
        assert app.sidebar.radio(key="data_source").value == "upload"
        assert [i.value for i in app.main.info][-1:] == [t("msg.upload_prompt", lang)]


def test_youth_work_preset_and_district_filter_narrow_the_selection(app: AppTest) -> None:
    everything = _metric(app, 0)
    app.sidebar.selectbox(key="preset").set_value("youth_work").run()
    assert not app.exception
    chosen = app.sidebar.multiselect(key="categories_youth_work").value
    assert set(chosen) == {"youth_violence", "gang_activity", "vandalism", "resident_concern"}
    youth = _metric(app, 0)
    assert 0 < youth < everything
    app.sidebar.multiselect(key="f_peruspiiri").set_value(["301"]).run()
    assert not app.exception
    kallio = _metric(app, 0)
    assert 0 < kallio < youth
    assert app.query_params["peruspiiri"] == "301"
    assert app.query_params["preset"] == "youth_work"


def test_empty_selection_shows_a_message_not_a_traceback(app: AppTest) -> None:
    # Aluemeri is the territorial sea: no demo incident lies there.
    app.sidebar.multiselect(key="f_osaalue").set_value(["533"]).run()
    assert not app.exception
    assert _metric(app, 0) == 0
    assert any(i.value.startswith("Valinnalla ei löytynyt tapahtumia") for i in app.info)


def test_upload_with_a_broken_row_shows_the_rejects(app: AppTest) -> None:
    csv = (
        "tunnus;aika;luokka;lähde;lat;lon\n"
        "A1;28.4.2026 klo 14.30;pahoinpitely;poliisi;60,1699;24,9384\n"
        "A2;29.4.2026 21.15;huumausainerikos;poliisi;60,1870;24,9530\n"
        "A3;31.2.2026 10.00;ryöstö;poliisi;60,1700;24,9400\n"
        "A4;30.4.2026 22.00;ryöstö;poliisi;;24,9400\n"
    ).encode("utf-8-sig")
    app.sidebar.radio(key="data_source").set_value("upload").run()
    assert not app.exception
    app.sidebar.file_uploader(key="upload").upload("ilmoitukset.csv", csv, "text/csv").run()
    assert not app.exception, [e.message for e in app.exception]
    successes = [s.value for s in app.sidebar.success]
    assert t("msg.import_summary", "fi", accepted=2, rejected=2, duplicates=0) in successes
    warnings = [w.value for w in app.sidebar.warning]
    assert t("msg.import_rejected_rows", "fi", n=2) in warnings
    assert _metric(app, 0) <= 2
    assert not any("keksittyä" in w.value for w in app.warning)


def test_an_upload_says_which_labels_became_other_and_what_the_period_leaves_out(app: AppTest) -> None:
    csv = (
        b"aika;luokka;lat;lon\n"
        b"28.4.2026 14.30;pahoinpitely;60,1699;24,9384\n"
        b"29.4.2026 21.15;kissa puussa;60,1870;24,9530\n"
        b"3.5.2024 21.15;pahoinpitely;60,1870;24,9530\n"
    )
    app.sidebar.radio(key="data_source").set_value("upload").run()
    app.sidebar.file_uploader(key="upload").upload("ilmoitukset.csv", csv, "text/csv").run()
    assert not app.exception, [e.message for e in app.exception]
    warnings = [w.value for w in app.sidebar.warning]
    assert t("msg.unknown_category", "fi", n="1", labels="kissa puussa") in warnings
    notes = [i.value for i in app.sidebar.info]
    period = [n for n in notes if n.startswith("Valitulla ajanjaksolla")]
    assert period and "2 tiedoston 3 tapahtumasta" in period[0], notes


def test_service_points_upload_feeds_the_recommendations(app: AppTest, shared_data_dir: Path) -> None:
    amenities = (shared_data_dir / "helsinki_osm_centre_sample" / "osm_centre_amenities.csv").read_bytes()
    app.sidebar.selectbox(key="lang").set_value("en").run()
    app.sidebar.file_uploader(key="services").upload("amenities.csv", amenities, "text/csv").run()
    assert not app.exception, [e.message for e in app.exception]
    assert any("service points loaded" in c.value for c in app.sidebar.caption)
    ranking = app.dataframe[0].value
    app.session_state["selected_hotspot"] = str(ranking["Hotspot"].iloc[0])
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    card = " ".join(m.value for m in app.markdown)
    assert "Nearest" in card  # the recommendation, in the chosen hotspot's card


def test_downloads_tab_offers_every_export_and_restricted_is_a_deliberate_choice(app: AppTest) -> None:
    assert not app.get("download_button")  # a closed tab makes nothing
    _open_tab(app, "panel.downloads")
    buttons = app.get("download_button")
    assert len(buttons) == 7  # PDF, PNG, 3 x hotspots, 2 x districts
    assert not any("RESTRICTED" in str(b.proto.label) for b in buttons)
    app.checkbox(key="dl_restricted").check().run()
    assert not app.exception
    buttons = app.get("download_button")
    assert len(buttons) == 8  # and the single incidents
    assert any("KÄYTTÖ RAJOITETTU" in w.value for w in app.warning)
    assert app.number_input(key="dl_min_count").proto.disabled


def test_predictive_tab_shows_the_budget_sentence_and_the_backtest(app: AppTest) -> None:
    _open_tab(app, "panel.predictive")

    def tab() -> object:
        return next(tab for tab in app.tabs if tab.label == t("panel.predictive", "fi"))

    def sentence() -> str:
        found = [m.value for m in tab().markdown if m.value.startswith("Kun katettavissa on")]
        assert len(found) == 1, [m.value for m in tab().markdown]
        return found[0]

    assert app.select_slider(key="budget_share").value == 3.0
    # One headline first, then the map of last period's hotspots, then the table.
    assert tab().markdown[0].value.startswith("**Viime jakson hotspotit, 3\u00a0% alueesta, kattoivat")
    assert t("predictive.map", "fi") in [c.value for c in tab().caption]
    at_three = sentence()
    assert at_three.startswith("Kun katettavissa on 3\u00a0% alueesta")
    table = tab().dataframe[0].value
    methods = set(table[t("predictive.column.method", "fi")])
    assert methods == {
        t(f"predictive.method.{m}", "fi") for m in ("dbscan", "grid", "kde-rule", "gistar", "best")
    }
    shares = list(dict.fromkeys(table[t("predictive.column.area_share", "fi")]))
    assert shares == ["1\u00a0%", "3\u00a0%", "5\u00a0%"]
    assert any("Opetusjakso" in m.value for m in tab().markdown)

    app.select_slider(key="budget_share").set_value(0.5).run()
    assert not app.exception, [e.message for e in app.exception]
    at_half = sentence()
    assert at_half.startswith("Kun katettavissa on 0,5\u00a0% alueesta")
    assert at_half != at_three
    shares = list(dict.fromkeys(tab().dataframe[0].value[t("predictive.column.area_share", "fi")]))
    assert shares == ["0,5\u00a0%", "1\u00a0%", "3\u00a0%", "5\u00a0%"]


def test_parameter_panel_reports_the_size_rule_and_the_choice(app: AppTest) -> None:
    # The parameters tab is not lazy: its text is on the page from the start.
    texts = " ".join(m.value for m in app.markdown)
    assert "Kokosääntö" in texts and "0,25 km²" in texts and "5 %" in texts
    assert "Valittu automaattisesti" in texts
    app.sidebar.selectbox(key="lang").set_value("en").run()
    texts = " ".join(m.value for m in app.markdown)
    assert "Size rule" in texts and "at most 0.25 km²" in texts
    # District view: the same hotspots as the city map (the same ids), only those in Kallio.
    ranking = app.dataframe[0].value
    assert list(ranking.columns) == ["Rank", "Hotspot", "Nearest address", "Incidents", "per km²", "Trend"]
    city = set(ranking["Hotspot"].astype(str))
    app.sidebar.multiselect(key="f_peruspiiri").set_value(["301"]).run()
    assert not app.exception
    kallio = set(app.dataframe[0].value["Hotspot"].astype(str))
    assert kallio and kallio < city


def test_forecast_view_shows_the_next_half_year(app: AppTest) -> None:
    app.sidebar.selectbox(key="lang").set_value("en").run()
    _more_settings(app)
    app.sidebar.radio(key="view").set_value("forecast").run()
    assert not app.exception, [e.message for e in app.exception]
    notes = [i.value for i in app.info]
    note = next(n for n in notes if n.startswith("**Forecast for"))
    assert "learned from" in note
    ranking = app.dataframe[0].value
    assert len(ranking) >= 5 and list(ranking["Rank"][:3]) == [1, 2, 3]
    app.sidebar.selectbox(key="lang").set_value("fi").run()
    assert any(i.value.startswith("**Ennuste jaksolle") for i in app.info)
    app.sidebar.radio(key="view").set_value("period").run()
    assert not any(i.value.startswith("**Ennuste") for i in app.info)


def test_a_broken_store_warns_and_the_app_stays_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{broken}")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("msg.store_unavailable", "fi") in [w.value for w in at.sidebar.warning]
    # What is wrong with the file is for the administrator, behind "technical details".
    assert any(e.label == t("upload.error_detail", "fi") for e in at.sidebar.expander)
    assert _metric(at, 0) > 1000  # the demo data are shown instead


def test_app_and_cli_select_the_same_osa_alue_for_the_same_district_choice(
    app: AppTest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Kallio (peruspiiri 301) narrowed to its osa-alue Linjat (112): one rule in both front doors."""
    app.sidebar.multiselect(key="f_peruspiiri").set_value(["301"]).run()
    app.sidebar.multiselect(key="f_osaalue").set_value(["112"]).run()
    assert not app.exception, [e.message for e in app.exception]
    in_app = _metric(app, 0)
    start, end = next(d for d in app.sidebar.date_input if d.key.startswith("period_")).value
    assert in_app > 0

    demo_csv = tmp_path / "demo.csv"
    assert cli.main(["demo", "--out", str(demo_csv), "--n", str(settings.demo_n()), "--seed", "2026"]) == 0
    until = (pd.Timestamp(end) + pd.Timedelta(days=1)).date()
    argv = ["cluster", str(demo_csv), "--district", "Kallio", "--district", "Linjat"]
    argv += ["--since", str(start), "--until", str(until), "--out", str(tmp_path / "h.csv")]
    capsys.readouterr()
    assert cli.main(argv) == 0
    found = re.search(r"(\d+) incidents selected", capsys.readouterr().out)
    assert found is not None
    assert int(found.group(1)) == in_app

    # Linjat alone, not Kallio's seven osa-alue: the narrowing both sides must agree on.
    incidents = demo.generate_demo(n=settings.demo_n(), seed=2026)
    when = incidents["occurred_at"]
    period = (when >= pd.Timestamp(start, tz="Europe/Helsinki")) & (
        when < pd.Timestamp(until, tz="Europe/Helsinki")
    )
    assert in_app == int((period & (incidents["osaalue_code"] == "112")).sum())
    assert in_app < int((period & (incidents["peruspiiri_code"] == "301")).sum())


def test_a_bookmark_restores_every_filter_the_map_the_hotspot_and_the_tab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    first, stop = demo.demo_period()
    since = (first + pd.DateOffset(months=3)).date()
    until = (stop - pd.DateOffset(months=2)).date()
    params = {
        "lang": "en",
        "peruspiiri": "301,302",
        "preset": "youth_work",
        "categories": "youth_violence,vandalism",
        "since": since.isoformat(),
        "until": until.isoformat(),
        "compare": "year_before",
        "hours": "20-2",
        "weekdays": "4,5",
        "auto": "0",
        "eps": "200",
        "min_samples": "5",
        "level": "osaalue",
        "value": "rate",
        "tiles": "0",
        "areas": "density",
        "dots": "1",
        "tab": "charts",
    }
    probe = AppTest.from_file(APP, default_timeout=180)
    probe.query_params.update(params)
    probe.run()
    assert not probe.exception, [e.message for e in probe.exception]
    ids = [str(v) for v in probe.dataframe[0].value.iloc[:, 1]]
    params["hotspot"] = ids[1]  # the second one, so no default could pass for it
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    sidebar = at.sidebar
    # The bookmark sets rarely used controls: "More settings" opens, so the reader sees them.
    assert sidebar.toggle(key=more_settings.KEY).value is True
    assert sidebar.selectbox(key="lang").value == "en"
    assert sidebar.multiselect(key="f_peruspiiri").value == ["301", "302"]
    assert sidebar.multiselect(key="categories_youth_work").value == ["youth_violence", "vandalism"]
    assert sidebar.selectbox(key="comparison").value == "year_before"
    assert (sidebar.number_input(key="hour_from").value, sidebar.number_input(key="hour_to").value) == (20, 2)
    assert sidebar.multiselect(key="weekdays").value == [4, 5]
    assert sidebar.checkbox(key="auto_params").value is False
    assert (sidebar.slider(key="eps_m").value, sidebar.slider(key="min_samples").value) == (200, 5)
    assert (sidebar.selectbox(key="map_level").value, sidebar.selectbox(key="map_value").value) == (
        "osaalue",
        "rate",
    )
    assert sidebar.selectbox(key="map_areas").value == "density" and sidebar.checkbox(key="dots").value
    assert at.session_state["selected_hotspot"] == params["hotspot"]
    assert at.session_state["panel_tab"] == t("panel.charts", "en")
    # And the page writes the same bookmark back: nothing lost, nothing added.
    assert {k: at.query_params[k] for k in at.query_params} == params


def test_no_hotspot_names_the_parameters_in_use_and_offers_weaker_ones_that_work(app: AppTest) -> None:
    _more_settings(app)
    app.sidebar.checkbox(key="auto_params").uncheck().run()
    app.sidebar.slider(key="eps_m").set_value(25).run()
    app.sidebar.slider(key="min_samples").set_value(100).run()
    assert not app.exception, [e.message for e in app.exception]
    assert t("msg.no_hotspots_in_use", "fi", eps="25", min_samples="100") in [i.value for i in app.info]
    # With "More settings" off the parameters hold, and the button brings the sliders back.
    _more_settings(app, on=False)
    assert t("msg.no_hotspots_in_use", "fi", eps="25", min_samples="100") in [i.value for i in app.info]
    app.button(key="weaker").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.sidebar.toggle(key=more_settings.KEY).value is True
    assert (app.sidebar.slider(key="eps_m").value, app.sidebar.slider(key="min_samples").value) == (40, 50)
    assert app.sidebar.checkbox(key="auto_params").value is False
    assert (app.query_params["eps"], app.query_params["min_samples"]) == ("40", "50")


#: The widgets "More settings" draws (the st-dbscan window only for that method).
ADVANCED_WIDGETS = frozenset(
    {"view", "comparison", "hour_from", "hour_to", "weekdays", "method", "auto_params", "eps_m",
     "min_samples", "map_level", "map_value", "map_areas", "tiles", "dots"}
)  # fmt: skip


def _advanced_drawn(at: AppTest) -> set[str]:
    return {str(w.key) for w in at.sidebar if str(getattr(w, "key", None)) in ADVANCED_WIDGETS}


def test_never_opened_the_rarely_used_controls_are_not_drawn_and_their_defaults_apply(app: AppTest) -> None:
    assert app.sidebar.toggle(key=more_settings.KEY).value is False
    assert _advanced_drawn(app) == set()
    assert not more_settings.has_advanced(urlstate.read(dict(app.query_params)))  # no advanced key in the URL
    assert t("sidebar.more_settings_changed", "fi") not in [c.value for c in app.sidebar.caption]
    ranking = app.dataframe[0].value
    # Opened, they show their defaults, and the page is the same: the defaults were in use.
    _more_settings(app)
    assert _advanced_drawn(app) == ADVANCED_WIDGETS
    default = urlstate.UrlState()
    sidebar = app.sidebar
    assert sidebar.radio(key="view").value == default.view
    assert sidebar.selectbox(key="comparison").value == default.compare
    assert (sidebar.number_input(key="hour_from").value, sidebar.number_input(key="hour_to").value) == (0, 24)
    assert sidebar.multiselect(key="weekdays").value == []
    assert sidebar.checkbox(key="auto_params").value is True
    assert (sidebar.slider(key="eps_m").value, sidebar.slider(key="min_samples").value) == (150, 10)
    assert sidebar.selectbox(key="map_level").value == default.level
    assert sidebar.checkbox(key="tiles").value is True and sidebar.checkbox(key="dots").value is False
    pd.testing.assert_frame_equal(app.dataframe[0].value, ranking)


def test_the_rarely_used_controls_keep_their_values_while_hidden_and_across_a_language_switch(
    app: AppTest,
) -> None:
    _more_settings(app)
    sidebar = app.sidebar
    sidebar.selectbox(key="comparison").set_value("year_before").run()
    app.sidebar.number_input(key="hour_from").set_value(20).run()
    app.sidebar.number_input(key="hour_to").set_value(2).run()
    app.sidebar.multiselect(key="weekdays").set_value([4, 5]).run()
    app.sidebar.checkbox(key="auto_params").uncheck().run()
    app.sidebar.slider(key="eps_m").set_value(200).run()
    app.sidebar.selectbox(key="map_level").set_value("osaalue").run()
    app.sidebar.checkbox(key="dots").check().run()
    assert not app.exception, [e.message for e in app.exception]
    shown = app.dataframe[0].value
    wanted = {"compare": "year_before", "hours": "20-2", "weekdays": "4,5", "auto": "0", "eps": "200",
              "level": "osaalue", "dots": "1"}  # fmt: skip
    assert {k: app.query_params[k] for k in wanted} == wanted

    _more_settings(app, on=False)
    assert _advanced_drawn(app) == set()
    # Hidden, they still shape the page and the bookmark, and a caption says so.
    assert {k: app.query_params[k] for k in wanted} == wanted
    pd.testing.assert_frame_equal(app.dataframe[0].value, shown)
    assert t("sidebar.more_settings_changed", "fi") in [c.value for c in app.sidebar.caption]
    app.sidebar.selectbox(key="lang").set_value("sv").run()  # a language switch while hidden
    assert not app.exception, [e.message for e in app.exception]
    assert {k: app.query_params[k] for k in wanted} == wanted
    assert t("sidebar.more_settings_changed", "sv") in [c.value for c in app.sidebar.caption]

    _more_settings(app)
    sidebar = app.sidebar
    assert sidebar.selectbox(key="comparison").value == "year_before"
    assert (sidebar.number_input(key="hour_from").value, sidebar.number_input(key="hour_to").value) == (20, 2)
    assert sidebar.multiselect(key="weekdays").value == [4, 5]
    assert sidebar.checkbox(key="auto_params").value is False and sidebar.slider(key="eps_m").value == 200
    assert sidebar.selectbox(key="map_level").value == "osaalue" and sidebar.checkbox(key="dots").value
    assert {k: app.query_params[k] for k in wanted} == wanted


def test_a_bookmark_of_everyday_choices_only_opens_with_more_settings_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTSPOTS_DB_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"lang": "sv", "peruspiiri": "301", "preset": "youth_work"})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.toggle(key=more_settings.KEY).value is False
    assert _advanced_drawn(at) == set()


def test_the_st_dbscan_window_not_in_the_bookmark_is_kept_in_the_session_while_hidden(app: AppTest) -> None:
    _more_settings(app)
    app.sidebar.selectbox(key="method").set_value("st-dbscan").run()
    app.sidebar.slider(key="window").set_value(30).run()
    assert not app.exception, [e.message for e in app.exception]
    _more_settings(app, on=False)
    assert "window" not in {str(getattr(w, "key", None)) for w in app.sidebar}
    _more_settings(app)
    assert app.sidebar.selectbox(key="method").value == "st-dbscan"
    assert app.sidebar.slider(key="window").value == 30
