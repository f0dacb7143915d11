"""What every export says about itself: period, filters, method, counts, sources, in fi/sv/en."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from briefing.texts import (
    count_label,
    filters_text,
    format_datetime,
    generation_time,
    hotspot_definition,
    marking,
    method_text,
    period_text,
    place_text,
    source_lines,
    title_text,
)
from geo import districts
from hotspots.clustering import ClusteringParams
from hotspots.selection import Selection, districts_by_name
from i18n import LANGUAGES, catalogue, placeholders

SINCE, UNTIL = "2026-05-01", "2026-11-01"
BRIEFING_DIR = Path(__file__).resolve().parents[1] / "briefing"


def test_period_and_filter_texts_in_three_languages() -> None:
    selection = Selection(
        since=SINCE, until=UNTIL, categories=("drug_dealing",), hours=(18, 19, 20, 21), weekdays=(4, 5)
    )
    assert period_text(selection, "fi") == "1.5.2026–31.10.2026"
    assert period_text(selection, "en") == "2026-05-01–2026-10-31"
    assert (
        filters_text(selection, "fi")
        == "Rajaukset: luokat: Huumekauppa; kellonajat 18-22; viikonpäivät: pe-la"
    )
    assert filters_text(selection, "sv").startswith("Urval: kategorier: Narkotikahandel")
    named = Selection(osaalue=("101", "102"))
    assert filters_text(named, "en", district_names={"101": "Vironniemi", "102": "Ullanlinna"}) == (
        "Filters: districts: Vironniemi, Ullanlinna"
    )
    assert period_text(Selection(), "en") == "all dates"


def test_titles_name_the_chosen_districts_or_the_city_and_the_period() -> None:
    kallio = districts_by_name(["Kallio"], districts.hierarchy())
    chosen = Selection(since=SINCE, until=UNTIL, **kallio)
    assert title_text(chosen, "fi") == "Turvallisuuden hotspotit – Kallio, 1.5.2026–31.10.2026"
    assert title_text(chosen, "sv") == "Trygghetens hotspots – Berghäll, 1.5.2026–31.10.2026"
    city = Selection(since=SINCE, until=UNTIL)
    assert title_text(city, "en") == "Safety hotspots – Helsinki, 2026-05-01–2026-10-31"
    assert place_text(city, "sv") == "Helsingfors"
    many = Selection(peruspiiri=("101", "102", "103", "104", "105"))
    names = {c: f"D{c}" for c in many.peruspiiri}
    assert place_text(many, "en", district_names=names) == "D101, D102, D103 + 2 more"
    assert place_text(many, "fi", district_names=names) == "D101, D102, D103 + 2 muuta"


def test_a_hotspot_is_defined_in_plain_words_without_the_method_s_name() -> None:
    clustering = ClusteringParams(eps_m=1500, min_samples=12)
    assert hotspot_definition(clustering, "en") == (
        "A hotspot is a place where incidents concentrate: at least 12 incidents within 1,500 metres "
        "of each other."
    )
    for lang in LANGUAGES:
        assert "DBSCAN" not in hotspot_definition(clustering, lang).upper()
    assert "1\u00a0500" in hotspot_definition(clustering, "fi")


def test_generated_at_is_stated_in_helsinki_time() -> None:
    utc = pd.Timestamp("2026-11-02 07:30", tz="UTC")
    assert format_datetime(utc, "fi") == "2.11.2026 klo 09.30"
    assert format_datetime(utc, "sv") == "2.11.2026 kl. 09.30"
    assert format_datetime(pd.Timestamp("2026-11-02 09:30"), "en") == "2026-11-02 09:30"  # naive: local


def test_district_filters_are_named_from_the_official_layer_in_the_reader_s_language() -> None:
    layer = districts.load_districts("peruspiiri").set_index("code")
    chosen = Selection(peruspiiri=("101", "102"))
    expected_sv = ", ".join(layer.loc[["101", "102"], "name_sv"])
    assert filters_text(chosen, "sv") == f"Urval: områden: {expected_sv}"
    expected_fi = ", ".join(layer.loc[["101", "102"], "name_fi"])
    assert filters_text(chosen, "fi") == f"Rajaukset: alueet: {expected_fi}"


def test_counts_are_suppressed_below_the_threshold_and_grouped_the_reader_s_way() -> None:
    assert count_label(1900, "fi", min_count=5, restricted=False) == "1\u00a0900"
    assert count_label(1900, "en", min_count=5, restricted=False) == "1,900"
    assert count_label(3, "en", min_count=5, restricted=False) == "<5"
    assert count_label(3, "en", min_count=5, restricted=True) == "3"
    assert count_label(float("nan"), "sv", min_count=5, restricted=False) == ""


def test_method_marking_and_sources_say_what_the_export_is() -> None:
    assert method_text(ClusteringParams(), "en") == "Hotspots: DBSCAN, radius 150 m, at least 10 incidents"
    assert marking("fi", restricted=True) == "KÄYTTÖ RAJOITETTU"
    assert marking("en", restricted=False) == "Aggregated, safe to share"
    assert source_lines("en", origin="demo.csv", tiles_attribution="© OSM") == [
        "Incidents: demo.csv",
        "Districts © City of Helsinki, CC BY 4.0",
        "Basemap: © OSM",
    ]
    # Synthetic data is named as such, whatever file it came from.
    synthetic = source_lines("en", origin="demo.csv", synthetic=True, population=True)
    assert synthetic[0] == "Incidents: Synthetic demo data"
    assert synthetic[-1].startswith("Population: HSY")


def test_every_brief_key_used_exists_in_every_language_with_the_same_placeholders() -> None:
    used: set[str] = set()
    for path in [*BRIEFING_DIR.glob("*.py"), BRIEFING_DIR.parent / "cli" / "brief.py"]:
        used |= set(re.findall(r"""["'](brief\.[a-z_]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) >= 25
    for lang in LANGUAGES:
        assert used - set(catalogue(lang)) == set(), lang
    brief_keys = {key for key in catalogue("en") if key.startswith("brief.")}
    for key in brief_keys:
        assert len({placeholders(catalogue(lang)[key]) for lang in LANGUAGES}) == 1, key
    assert brief_keys - used == set(), "unused brief.* keys"


def test_a_file_is_stamped_with_the_time_given_else_now_in_helsinki() -> None:
    given = pd.Timestamp("2026-11-02 09:30", tz="Europe/Helsinki")
    assert generation_time(given) == given
    before = pd.Timestamp.now(tz="Europe/Helsinki")
    now = generation_time(None)
    assert str(now.tz) == "Europe/Helsinki" and before <= now <= pd.Timestamp.now(tz="Europe/Helsinki")
