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
            "Police lead: patrols in Kluuvi; Fri-Sat 20-02 and Wed 14-20. Youth work: outreach nearby "
            "before the peak, from Kaisaniemen ala-aste (school). Nearest: Helsingin "
            "keskustakirjasto Oodi (library, 120 m), Kaisaniemen ala-aste (school, 300 m).",
        ),
        (
            "fi",
            "Poliisi vetää: partiointi alueella Kluuvi; pe-la 20-02 ja ke 14-20. Nuorisotyö: jalkautuva "
            "työ lähistöllä ennen ruuhka-aikaa, lähtöpaikkana Kaisaniemen ala-aste (koulu). Lähimmät: "
            "Helsingin keskustakirjasto Oodi (kirjasto, 120 m), Kaisaniemen ala-aste (koulu, 300 m).",
        ),
        (
            "sv",
            "Polisen leder: patrullering i Gloet; fr-lö 20-02 och on 14-20. Ungdomsarbetet: uppsökande "
            "arbete i närheten före toppen, med utgångspunkt i Kaisaniemen ala-aste (skola). Närmast: "
            "Helsingfors centrumbibliotek Ode (bibliotek, 120 m), Kaisaniemen ala-aste (skola, 300 m).",
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
    assert recommendation_text(district_only, "en") == (
        "Police lead: patrols in Kallio. Youth work: outreach nearby before the peak."
    )
    assert recommendation_text(district_only, "sv").startswith("Polisen leder: patrullering på platsen.")


def test_the_nearest_street_leads_the_where_in_the_reader_s_language() -> None:
    assert recommendation_text(KLUUVI, "en", place="Kaivokatu 8").startswith(
        "Police lead: patrols at Kaivokatu 8 (Kluuvi); Fri-Sat 20-02"
    )
    assert recommendation_text(KLUUVI, "sv", place="Brunnsgatan 8").startswith(
        "Polisen leder: patrullering vid Brunnsgatan 8 (Gloet);"
    )
    unknown = Recommendation("youth_work", (), DistrictNames((), ()), DistrictNames((), ()), None, 1.0)
    assert recommendation_text(unknown, "fi", place="Rautatientori") == (
        "Nuorisotyö vetää: jalkautuva työ kohteessa Rautatientori."
    )


def test_exported_texts_name_the_street_only_where_the_table_still_has_it() -> None:
    table = pd.DataFrame(
        {
            "peak_times": [None, None],
            "recommendation": [KLUUVI, KLUUVI],
            "place_fi": ["Kaivokatu 8", ""],
            "place_sv": ["Brunnsgatan 8", ""],
        }
    )
    texts = hotspot_texts(table)
    assert (
        "Kaivokatu 8" in texts.loc[0, "recommendation_fi"]
        and "Brunnsgatan 8" in texts.loc[0, "recommendation_sv"]
    )
    assert "Kaivokatu" not in texts.loc[1, "recommendation_en"]


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
