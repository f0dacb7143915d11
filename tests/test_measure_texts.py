"""A recorded measure in words (views.measure_texts): kind, lead and partner, days, place."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from hotspots.measures import Measure, RecordedMeasure
from i18n import t
from views import measure_texts

TZ = "Europe/Helsinki"


def _recorded(
    place_kind: str = "hotspot", place_ref: str = "H3 Kaivokatu 8", partner: str = ""
) -> RecordedMeasure:
    measure = Measure(
        kind="outreach",
        lead="youth_work",
        area=shapely.box(386_000, 6_673_000, 386_300, 6_673_300),
        start=pd.Timestamp("2026-05-01", tz=TZ),
        end=pd.Timestamp("2026-08-01", tz=TZ),
        partner=partner,
    )
    return RecordedMeasure(
        id=1,
        measure=measure,
        place_kind=place_kind,  # type: ignore[arg-type]
        place_ref=place_ref,
        osaalue=("020",),
        recorded_by="local",
        recorded_at=pd.Timestamp("2026-04-20 09:00", tz=TZ),
    )


def test_the_last_day_is_the_day_before_the_exclusive_end() -> None:
    assert measure_texts.period_text(_recorded(), "fi") == "1.5.2026 – 31.7.2026"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_one_line_names_kind_lead_partner_and_days(lang: str) -> None:
    line = measure_texts.measure_line(_recorded(partner="Helsingin Diakonissalaitos"), lang)
    kind, lead, days = line.split(" · ")
    assert kind == t("measure.kind.outreach", lang)
    assert lead == f"{t('lead.youth_work', lang)} + Helsingin Diakonissalaitos"
    assert days == measure_texts.period_text(_recorded(), lang)
    assert measure_texts.lead_text(_recorded(partner="   "), lang) == t("lead.youth_work", lang)


def test_the_place_says_how_it_was_given() -> None:
    assert measure_texts.place_text(_recorded(), "en") == "hotspot H3 Kaivokatu 8"
    districts = _recorded("districts", "Kallio (Berghäll)")
    assert measure_texts.place_text(districts, "sv") == t("measure.place.districts", "sv", ref="Berghäll")
    assert measure_texts.place_text(districts, "en") == "districts Kallio"
    assert measure_texts.place_text(_recorded("drawn", ""), "fi") == t("measure.place.drawn", "fi")


def test_the_popup_rows_are_labelled_in_the_language_in_a_fixed_order() -> None:
    rows = measure_texts.measure_rows(_recorded(), "fi")
    assert [label for label, _ in rows] == [t(key, "fi") for key in measure_texts.ROW_KEYS]
    assert rows[0][1] == t("measure.kind.outreach", "fi") and rows[3][1].endswith("H3 Kaivokatu 8")
