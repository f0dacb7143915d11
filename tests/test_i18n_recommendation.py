"""Recommendations in words (i18n.recommendation): hand-made recommendations, sentences written out."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import ParameterError
from hotspots.peaks import PeakWindow
from hotspots.recommendation import DistrictNames, NearbyService, Recommendation
from i18n import hotspot_texts, recommendation_text

KLUUVI = Recommendation(
    lead="police",
    windows=(PeakWindow((4, 5), 20, 2, 40), PeakWindow((2,), 14, 20, 20)),
    names_fi=DistrictNames(("Kluuvi",), ("Kluuvi",)),
    names_sv=DistrictNames(("Gloet",), ("Gloet",)),
    services=(
        NearbyService("Helsingin keskustakirjasto Oodi", "Helsingfors centrumbibliotek Ode", "library", 120),
        NearbyService("Kaisaniemen ala-aste", None, "school", 300),
    ),
    max_distance_m=1500.0,
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "Police lead: patrols in Kluuvi; Fri-Sat 20-02 and Wed 14-20. Nearest: Helsingin "
            "keskustakirjasto Oodi (library, 120 m), Kaisaniemen ala-aste (school, 300 m).",
        ),
        (
            "fi",
            "Poliisi vetää: partiointi alueella Kluuvi; pe-la 20-02 ja ke 14-20. Lähimmät: Helsingin "
            "keskustakirjasto Oodi (kirjasto, 120 m), Kaisaniemen ala-aste (koulu, 300 m).",
        ),
        (
            "sv",
            "Polisen leder: patrullering i Gloet; fr-lö 20-02 och on 14-20. Närmast: Helsingfors "
            "centrumbibliotek Ode (bibliotek, 120 m), Kaisaniemen ala-aste (skola, 300 m).",
        ),
    ],
)
def test_a_whole_recommendation_in_each_language(lang: str, expected: str) -> None:
    assert recommendation_text(KLUUVI, lang) == expected


def test_places_windows_and_services_in_every_form() -> None:
    nowhere = Recommendation("joint", (), DistrictNames((), ()), DistrictNames((), ()), (), 1500.0)
    assert recommendation_text(nowhere, "en") == (
        "Youth work and police jointly: outreach and patrols at the hotspot. No service point within 1500 m."
    )
    assert recommendation_text(nowhere, "fi").endswith("Ei palvelupisteitä 1500 metrin säteellä.")
    three = tuple(PeakWindow((d,), 8, 14, 10) for d in (0, 2, 4))
    kamppi = Recommendation(
        "youth_work",
        three,
        DistrictNames(("Kamppi", "Etu-Töölö"), ("Kampinmalmi", "Kamppi")),
        DistrictNames(("Kampen", "Främre Tölö"), ("Kampmalmen",)),
        (NearbyService("Baari", None, "bar", 40),),
        1500.0,
    )
    # Osa-alue first, their peruspiiri in brackets unless already named; an unknown kind is a service point.
    assert recommendation_text(kamppi, "en") == (
        "Youth work leads: outreach in Kamppi, Etu-Töölö (Kampinmalmi); Mon 08-14, Wed 08-14 and "
        "Fri 08-14. Nearest: Baari (service point, 40 m)."
    )
    assert "i Kampen, Främre Tölö (Kampmalmen)" in recommendation_text(kamppi, "sv")
    # Only peruspiiri known: named without brackets. No service points given: no "Nearest" part.
    district_only = Recommendation(
        "police", (), DistrictNames((), ("Kallio",)), DistrictNames((), ()), None, 1.0
    )
    assert recommendation_text(district_only, "en") == "Police lead: patrols in Kallio."
    assert recommendation_text(district_only, "sv") == "Polisen leder: patrullering på platsen."


def test_hotspot_texts_word_every_row_in_every_language() -> None:
    peak_times = [[w.as_dict() for w in KLUUVI.windows], None]
    table = pd.DataFrame({"peak_times": peak_times, "recommendation": [KLUUVI, KLUUVI]}, index=[4, 7])
    texts = hotspot_texts(table)
    assert list(texts.columns) == [
        "peak_windows",
        "recommendation_fi",
        "recommendation_sv",
        "recommendation_en",
    ]
    assert list(texts.index) == [4, 7]
    # Peak windows leave in English, as the exports always had them.
    assert list(texts["peak_windows"]) == ["Fri-Sat 20-02, Wed 14-20", ""]
    assert texts.loc[7, "recommendation_sv"] == recommendation_text(KLUUVI, "sv")
    assert len(hotspot_texts(table.iloc[:0])) == 0


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(ParameterError, match=r"'de'.*\['fi', 'sv', 'en'\]"):
        recommendation_text(KLUUVI, "de")
