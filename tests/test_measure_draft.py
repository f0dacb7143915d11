"""A measure as the form fills it in (views.measure_draft): refusals in words, the measure it makes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely

from hotspots.measures import LEADS, RecordedMeasure
from i18n import t
from store.scope import Scope
from views.measure_draft import (
    Draft,
    default_lead,
    draft_measure,
    hotspot_categories,
    may_record,
    may_remove,
    records_measures,
    refusal,
)

ANALYST = Scope("aki.analyytikko@hel.example", "analyst", None)
YOUTH = Scope("nea.nuorisotyo@hel.example", "youth_worker", ("112",))
VIEWER = Scope("johto@hel.example", "viewer", None)
SQUARE = shapely.box(386_000, 6_673_000, 386_300, 6_673_300)


def test_refusals_are_one_translated_line_in_the_order_a_user_fixes_them() -> None:
    draft = Draft(kind="outreach", lead="youth_work", start=date(2026, 5, 1), last_day=date(2026, 7, 31))
    assert refusal(draft, VIEWER, ("112",), "fi").text("fi") == t("measure.refused.viewer", "fi")  # type: ignore[union-attr]
    backwards = Draft(kind="outreach", lead="youth_work", start=date(2026, 5, 1), last_day=date(2026, 4, 30))
    refused = refusal(backwards, ANALYST, ("112",), "fi")
    assert refused is not None and refused.text("fi") == t(
        "measure.refused.dates", "fi", start="1.5.2026", end="30.4.2026"
    )
    long_note = Draft(
        kind="event", lead="ngo", start=date(2026, 5, 1), last_day=date(2026, 5, 1), note="x" * 5000
    )
    refused = refusal(long_note, ANALYST, ("112",), "en")
    assert refused is not None and refused.key == "measure.refused.too_long"
    assert "5,000" in refused.text("en")
    outside = refusal(draft, YOUTH, ("112", "113"), "sv")
    assert outside is not None and outside.text("sv") == t("measure.refused.outside", "sv", codes="113")
    assert refusal(draft, YOUTH, ("112",), "sv") is None
    assert refusal(draft, ANALYST, (), "en") is not None  # outside Helsinki


def test_a_draft_runs_from_its_first_midnight_to_the_midnight_after_its_last_day() -> None:
    draft = Draft(
        kind="patrol",
        lead="police",
        start=date(2026, 3, 28),  # the spring's daylight-saving night lies inside
        last_day=date(2026, 3, 29),
        partner="  Kallion nuorisotalo ",
        categories=("youth_violence", "drug_dealing"),
        note=" iltaisin ",
    )
    measure = draft_measure(draft, SQUARE)
    assert measure.start == pd.Timestamp("2026-03-28", tz="Europe/Helsinki")
    assert measure.end == pd.Timestamp("2026-03-30", tz="Europe/Helsinki")
    assert measure.length_days == 2
    assert (measure.partner, measure.note) == ("Kallion nuorisotalo", "iltaisin")
    assert set(measure.categories) == {"youth_violence", "drug_dealing"} and measure.area.equals(SQUARE)


def test_who_may_record_and_remove_follows_the_store() -> None:
    assert may_record(ANALYST, ("112", "121")) and records_measures(ANALYST)
    assert may_record(YOUTH, ("112",)) and not may_record(YOUTH, ("112", "121"))
    assert records_measures(YOUTH) and not records_measures(VIEWER)
    recorded = RecordedMeasure(
        id=7,
        measure=draft_measure(Draft("outreach", "youth_work", date(2026, 5, 1), date(2026, 5, 31)), SQUARE),
        place_kind="drawn",
        place_ref="",
        osaalue=("112",),
        recorded_by=YOUTH.user,
        recorded_at=pd.Timestamp("2026-05-01 12:00", tz="Europe/Helsinki"),
    )
    other = Scope("toinen.nuorisotyo@hel.example", "youth_worker", ("112",))
    assert may_remove(YOUTH, recorded) and may_remove(ANALYST, recorded)
    assert not may_remove(other, recorded) and not may_remove(VIEWER, recorded)


@pytest.mark.parametrize(
    ("given", "offered"), [("police", "police"), ("joint", "joint"), ("nobody", LEADS[0])]
)
def test_the_form_offers_the_hotspots_lead_first(given: str, offered: str) -> None:
    assert default_lead(given) == offered


def test_the_hotspots_categories_are_the_default_targets_commonest_first() -> None:
    assert hotspot_categories({"drug_dealing": 3, "assault": 12, "robbery": 5}, "assault") == (
        "assault",
        "robbery",
        "drug_dealing",
    )
    # An aggregated reader's table holds the mix as text: the commonest category stands in.
    assert hotspot_categories("pahoinpitely 12, huumekauppa 3", "assault") == ("assault",)
    assert hotspot_categories({}, None) == ()
