"""What the demo incidents are drawn from: the places they concentrate at and each category's profile.

Pure data, read by ``geo.demo``: ``DEMO_CONCENTRATIONS`` (real busy places of Helsinki,
each with a spread, a category mix, a time profile and a *life*), the category mix of the
scattered background, and per category the clock-hour, weekday and month weights, the
sources that report it, its severities, the labels a source system might use and short
synthetic descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, get_args

from geo import schema
from geo.errors import ParameterError

Life = Literal["stable", "emerging", "fading"]
LIVES: Final[tuple[Life, ...]] = get_args(Life)


def _hours(base: float, spans: Mapping[tuple[int, int], float]) -> tuple[float, ...]:
    """24 clock-hour weights: ``base`` everywhere, then each ``(start, stop)`` span (may wrap midnight)."""
    out = [base] * 24
    for (first, stop), weight in spans.items():
        hour = first % 24
        while True:
            out[hour] = weight
            hour = (hour + 1) % 24
            if hour == stop % 24:
                break
    return tuple(out)


@dataclass(frozen=True)
class Concentration:
    """One place where demo incidents concentrate.

    Parameters
    ----------
    name
        Place name as people say it.
    lon, lat
        Centre in WGS84 degrees; a real busy place inside Helsinki.
    osaalue_fi
        Finnish name of the osa-alue holding the centre (checked against the official layer).
    sigma_m
        Standard deviation of the Gaussian spread around the centre, metres.
    weight
        Incidents per day while active, relative to the other concentrations.
    categories
        ``(category, share)`` pairs; shares are normalised.
    hours
        24 multipliers, clock hours 0-23, applied on top of each category's own profile.
    weekdays
        7 multipliers, Monday to Sunday, of the service day (the evening an incident belongs to).
    life
        ``"stable"``, ``"emerging"`` (only in the last six months) or ``"fading"`` (weak in
        the last six months).
    """

    name: str
    lon: float
    lat: float
    osaalue_fi: str
    sigma_m: float
    weight: float
    categories: tuple[tuple[str, float], ...]
    hours: tuple[float, ...] = (1.0,) * 24
    weekdays: tuple[float, ...] = (1.0,) * 7
    life: Life = "stable"

    def __post_init__(self) -> None:
        if not self.sigma_m > 0:
            raise ParameterError(f"{self.name}: sigma_m must be > 0 metres, got {self.sigma_m}")
        if not self.weight > 0:
            raise ParameterError(f"{self.name}: weight must be > 0, got {self.weight}")
        unknown = [c for c, _ in self.categories if c not in schema.CATEGORIES]
        if unknown or not self.categories or any(share < 0 for _, share in self.categories):
            raise ParameterError(
                f"{self.name}: categories must be (category, share >= 0) pairs over "
                f"{list(schema.CATEGORIES)}, got {self.categories}"
            )
        if len(self.hours) != 24 or len(self.weekdays) != 7:
            raise ParameterError(
                f"{self.name}: hours needs 24 and weekdays 7 multipliers, "
                f"got {len(self.hours)} and {len(self.weekdays)}"
            )
        if self.life not in LIVES:
            raise ParameterError(f"{self.name}: life was {self.life!r} but is expected to be one of {LIVES}")

    @property
    def category_mix(self) -> dict[str, float]:
        """Category shares, normalised to sum to 1."""
        total = sum(share for _, share in self.categories)
        return {category: share / total for category, share in self.categories}


_NIGHTLIFE = _hours(0.4, {(18, 22): 1.2, (22, 4): 2.5})
_SHOPPING = _hours(0.2, {(10, 14): 1.0, (14, 22): 1.8, (22, 24): 0.8})
_TRANSIT = _hours(0.3, {(7, 14): 0.8, (14, 2): 1.5})
_WEEKEND = (0.8, 0.8, 0.9, 1.0, 1.5, 1.6, 1.0)

#: The demo concentrations. Centres are real places (the tests check each lies in the named
#: osa-alue). Emerging and fading places are at least 1.2 km from every other centre, so a
#: hotspot engine sees them on their own in each half-year; Rautatientori and Kamppi, 680 m
#: apart, may join into one downtown hotspot at street-level eps (as they do in reality).
DEMO_CONCENTRATIONS: Final[tuple[Concentration, ...]] = (
    Concentration(
        "Rautatientori / central railway station",
        24.9425,
        60.1712,
        "Kluuvi",
        sigma_m=120.0,
        weight=1.6,
        categories=(
            ("drug_dealing", 0.25),
            ("disturbance", 0.20),
            ("assault", 0.15),
            ("robbery", 0.10),
            ("youth_violence", 0.10),
            ("gang_activity", 0.05),
            ("weapons", 0.05),
            ("resident_concern", 0.04),
            ("vandalism", 0.03),
            ("other", 0.03),
        ),
        hours=_TRANSIT,
    ),
    Concentration(
        "Kamppi centre / Narinkkatori",
        24.9312,
        60.1689,
        "Kamppi",
        sigma_m=120.0,
        weight=1.5,
        categories=(
            ("youth_violence", 0.25),
            ("gang_activity", 0.15),
            ("assault", 0.15),
            ("robbery", 0.12),
            ("disturbance", 0.12),
            ("drug_dealing", 0.10),
            ("weapons", 0.05),
            ("vandalism", 0.03),
            ("resident_concern", 0.02),
            ("other", 0.01),
        ),
        hours=_hours(0.3, {(14, 18): 1.3, (18, 3): 2.0}),
        weekdays=_WEEKEND,
    ),
    Concentration(
        "Kallio / Sörnäinen metro (Kurvi)",
        24.9607,
        60.1873,
        "Torkkelinmäki",
        sigma_m=150.0,
        weight=1.6,
        categories=(
            ("drug_dealing", 0.30),
            ("assault", 0.20),
            ("disturbance", 0.20),
            ("vandalism", 0.08),
            ("resident_concern", 0.08),
            ("robbery", 0.07),
            ("weapons", 0.04),
            ("other", 0.03),
        ),
        hours=_NIGHTLIFE,
        weekdays=(0.7, 0.7, 0.8, 1.0, 1.8, 1.9, 0.8),
    ),
    Concentration(
        "Pasila station",
        24.9335,
        60.1986,
        "Keski-Pasila",
        sigma_m=150.0,
        weight=0.8,
        categories=(
            ("youth_violence", 0.25),
            ("robbery", 0.15),
            ("disturbance", 0.15),
            ("gang_activity", 0.10),
            ("assault", 0.10),
            ("drug_dealing", 0.10),
            ("vandalism", 0.10),
            ("resident_concern", 0.05),
        ),
        hours=_TRANSIT,
    ),
    Concentration(
        "Itäkeskus shopping centre",
        25.0810,
        60.2107,
        "Itäkeskus",
        sigma_m=170.0,
        weight=1.3,
        categories=(
            ("youth_violence", 0.30),
            ("gang_activity", 0.20),
            ("robbery", 0.15),
            ("assault", 0.10),
            ("disturbance", 0.10),
            ("weapons", 0.05),
            ("drug_dealing", 0.05),
            ("vandalism", 0.05),
        ),
        hours=_SHOPPING,
        weekdays=_WEEKEND,
    ),
    Concentration(
        "Kontula shopping centre",
        25.0829,
        60.2358,
        "Kontula",
        sigma_m=150.0,
        weight=1.1,
        categories=(
            ("drug_dealing", 0.30),
            ("disturbance", 0.20),
            ("assault", 0.15),
            ("resident_concern", 0.12),
            ("vandalism", 0.08),
            ("youth_violence", 0.08),
            ("robbery", 0.04),
            ("weapons", 0.03),
        ),
        hours=_hours(0.4, {(10, 16): 1.0, (16, 2): 1.8}),
    ),
    Concentration(
        "Myllypuro metro",
        25.0770,
        60.2248,
        "Myllypuro",
        sigma_m=130.0,
        weight=0.9,
        categories=(
            ("drug_dealing", 0.35),
            ("disturbance", 0.20),
            ("youth_violence", 0.15),
            ("vandalism", 0.10),
            ("resident_concern", 0.10),
            ("robbery", 0.05),
            ("weapons", 0.05),
        ),
        hours=_TRANSIT,
        life="fading",
    ),
    Concentration(
        "Malmi station",
        25.0110,
        60.2509,
        "Ala-Malmi",
        sigma_m=140.0,
        weight=1.2,
        categories=(
            ("drug_dealing", 0.35),
            ("youth_violence", 0.25),
            ("gang_activity", 0.15),
            ("robbery", 0.10),
            ("disturbance", 0.10),
            ("weapons", 0.05),
        ),
        hours=_TRANSIT,
        life="emerging",
    ),
    Concentration(
        "Vuosaari metro / Columbus",
        25.1430,
        60.2085,
        "Keski-Vuosaari",
        sigma_m=160.0,
        weight=0.9,
        categories=(
            ("youth_violence", 0.30),
            ("gang_activity", 0.15),
            ("vandalism", 0.15),
            ("disturbance", 0.15),
            ("robbery", 0.10),
            ("drug_dealing", 0.10),
            ("resident_concern", 0.05),
        ),
        hours=_SHOPPING,
        weekdays=_WEEKEND,
    ),
    Concentration(
        "Herttoniemi metro",
        25.0303,
        60.1950,
        "Länsi-Herttoniemi",
        sigma_m=130.0,
        weight=1.0,
        categories=(
            ("youth_violence", 0.35),
            ("gang_activity", 0.25),
            ("robbery", 0.15),
            ("vandalism", 0.10),
            ("disturbance", 0.10),
            ("weapons", 0.05),
        ),
        hours=_TRANSIT,
        weekdays=_WEEKEND,
        life="emerging",
    ),
    Concentration(
        "Kannelmäki station",
        24.8770,
        60.2395,
        "Kannelmäki",
        sigma_m=140.0,
        weight=0.8,
        categories=(
            ("youth_violence", 0.30),
            ("vandalism", 0.20),
            ("gang_activity", 0.15),
            ("drug_dealing", 0.15),
            ("disturbance", 0.10),
            ("resident_concern", 0.10),
        ),
        hours=_SHOPPING,
        weekdays=_WEEKEND,
        life="fading",
    ),
)

#: Category mix of the scattered background.
BACKGROUND_MIX: Final[dict[str, float]] = {
    "drug_dealing": 0.10,
    "youth_violence": 0.10,
    "gang_activity": 0.05,
    "assault": 0.12,
    "robbery": 0.06,
    "weapons": 0.03,
    "vandalism": 0.18,
    "disturbance": 0.16,
    "resident_concern": 0.10,
    "other": 0.10,
}

_FLAT_WEEK = (1.0,) * 7
_FLAT_YEAR = (1.0,) * 12
_YOUTH_YEAR = (0.7, 0.7, 0.8, 0.9, 1.2, 1.6, 1.7, 1.6, 1.2, 1.0, 0.8, 0.7)
_MILD_SUMMER = (0.9, 0.9, 0.9, 1.0, 1.05, 1.15, 1.2, 1.15, 1.0, 1.0, 0.95, 0.9)

#: Per category: clock-hour weights, service-weekday weights (Mon..Sun), month weights.
CATEGORY_TIME: Final[dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]]] = {
    "drug_dealing": (
        _hours(0.15, {(12, 16): 1.0, (16, 2): 3.0, (2, 5): 0.4}),
        (0.8, 0.8, 0.9, 1.3, 1.5, 1.5, 0.9),
        _MILD_SUMMER,
    ),
    "youth_violence": (
        _hours(0.1, {(12, 15): 0.6, (15, 19): 1.5, (19, 2): 4.0, (2, 4): 0.5}),
        (0.5, 0.5, 0.5, 0.6, 2.5, 2.5, 0.7),
        _YOUTH_YEAR,
    ),
    "gang_activity": (
        _hours(0.2, {(14, 17): 1.0, (17, 0): 3.0, (0, 2): 1.5}),
        (0.8, 0.8, 0.8, 0.9, 1.5, 1.5, 0.8),
        _YOUTH_YEAR,
    ),
    "assault": (
        _hours(0.4, {(18, 22): 1.5, (22, 4): 4.0}),
        (0.7, 0.7, 0.7, 0.9, 2.2, 2.2, 0.9),
        _MILD_SUMMER,
    ),
    "robbery": (
        _hours(0.3, {(15, 18): 1.2, (18, 1): 3.0, (1, 4): 1.2}),
        (0.9, 0.9, 0.9, 1.0, 1.2, 1.2, 0.9),
        (1.2, 1.2, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2),
    ),
    "weapons": (
        _hours(0.5, {(18, 3): 2.5}),
        (0.9, 0.9, 0.9, 1.0, 1.3, 1.3, 0.9),
        _FLAT_YEAR,
    ),
    "vandalism": (
        _hours(0.25, {(18, 22): 1.2, (22, 5): 3.5}),
        (0.8, 0.8, 0.8, 0.9, 1.5, 1.5, 0.8),
        (0.8, 0.8, 0.9, 1.0, 1.2, 1.3, 1.3, 1.3, 1.1, 1.0, 0.9, 0.8),
    ),
    "disturbance": (
        _hours(0.3, {(12, 18): 1.0, (18, 3): 3.0}),
        (0.8, 0.8, 0.8, 0.9, 1.6, 1.6, 1.0),
        (0.85, 0.85, 0.9, 1.0, 1.1, 1.25, 1.3, 1.25, 1.0, 0.95, 0.9, 0.9),
    ),
    "resident_concern": (
        _hours(0.2, {(8, 16): 2.0, (16, 22): 2.5, (22, 0): 1.0}),
        (1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.8),
        (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.9, 1.1, 1.15, 1.15, 1.05),
    ),
    "other": (
        _hours(0.4, {(8, 23): 1.5}),
        _FLAT_WEEK,
        _FLAT_YEAR,
    ),
}

#: Per category: shares of police, youth_services, child_protection, school, ngo, resident, other.
SOURCE_MIX: Final[dict[str, tuple[float, ...]]] = {
    "drug_dealing": (0.70, 0.08, 0.02, 0.02, 0.06, 0.10, 0.02),
    "youth_violence": (0.30, 0.35, 0.10, 0.12, 0.08, 0.04, 0.01),
    "gang_activity": (0.35, 0.35, 0.08, 0.10, 0.08, 0.03, 0.01),
    "assault": (0.75, 0.05, 0.03, 0.03, 0.04, 0.08, 0.02),
    "robbery": (0.80, 0.05, 0.03, 0.03, 0.02, 0.05, 0.02),
    "weapons": (0.80, 0.06, 0.02, 0.07, 0.02, 0.02, 0.01),
    "vandalism": (0.35, 0.08, 0.01, 0.06, 0.03, 0.40, 0.07),
    "disturbance": (0.50, 0.08, 0.02, 0.03, 0.07, 0.25, 0.05),
    "resident_concern": (0.05, 0.03, 0.02, 0.02, 0.08, 0.75, 0.05),
    "other": (0.25, 0.15, 0.10, 0.10, 0.10, 0.15, 0.15),
}

#: Per category: probabilities of severity 1..5.
SEVERITY_MIX: Final[dict[str, tuple[float, ...]]] = {
    "drug_dealing": (0.15, 0.35, 0.30, 0.15, 0.05),
    "youth_violence": (0.10, 0.25, 0.35, 0.20, 0.10),
    "gang_activity": (0.10, 0.30, 0.30, 0.20, 0.10),
    "assault": (0.05, 0.20, 0.35, 0.25, 0.15),
    "robbery": (0.03, 0.15, 0.35, 0.30, 0.17),
    "weapons": (0.02, 0.10, 0.30, 0.33, 0.25),
    "vandalism": (0.30, 0.40, 0.20, 0.08, 0.02),
    "disturbance": (0.35, 0.35, 0.20, 0.08, 0.02),
    "resident_concern": (0.45, 0.35, 0.15, 0.04, 0.01),
    "other": (0.40, 0.30, 0.20, 0.07, 0.03),
}

#: Labels a source system might use for each category (kept in ``category_raw``).
RAW_LABELS: Final[dict[str, tuple[str, ...]]] = {
    "drug_dealing": ("huumausainerikos", "huumekauppa", "narkotikabrott"),
    "youth_violence": ("nuorten väkivalta", "pahoinpitely (alaikäinen)", "youth violence"),
    "gang_activity": ("jengiytyminen", "katujengi", "gang activity"),
    "assault": ("pahoinpitely", "misshandel", "assault"),
    "robbery": ("ryöstö", "rån", "robbery"),
    "weapons": ("teräaseen hallussapito", "ampuma-aserikos", "vapenbrott"),
    "vandalism": ("vahingonteko", "skadegörelse", "töhryt"),
    "disturbance": ("järjestyshäiriö", "ordningsstörning", "häiriökäyttäytyminen"),
    "resident_concern": ("asukaspalaute", "turvattomuuden tunne", "invånarrespons"),
    "other": ("muu", "övrigt", "other"),
}

#: Short synthetic descriptions; some carry <, >, & and quotes so HTML escaping is exercised.
DESCRIPTIONS: Final[dict[str, tuple[str, ...]]] = {
    "drug_dealing": (
        "Huumekauppaa aseman tunnelissa, ostajia jonossa",
        "Suspected street dealing near the metro entrance",
        "Myyjä & kaksi ostajaa penkillä, nopeita vaihtoja",
        "Repeated hand-to-hand exchanges by the kiosk",
        'Asukas: "samat myyjät joka ilta" porraskäytävässä',
    ),
    "youth_violence": (
        "Ryhmä nuoria <15 v> & koira, tönimistä ja uhkailua",
        "Tappelu kauppakeskuksen sisäänkäynnillä, osalliset alle 18 v",
        "Fight between two groups of teenagers, one hit with a bottle",
        "Nuoret kuvasivat pahoinpitelyn puhelimella",
        "Youth worker: 'heated argument' escalated to kicks",
    ),
    "gang_activity": (
        'Nuorten ryhmä esiintyy "jengin" nimellä, värit & merkit',
        "Recruitment of younger kids by older group members reported",
        "Ryhmä vaatii rahaa yläkoululaisilta",
        "Group of >10 youths blocking the passage, threats",
    ),
    "assault": (
        "Pahoinpitely ravintolan edessä, uhri kaatui kadulle",
        "Assault outside a bar after closing time",
        "Lyönti kasvoihin taksijonossa",
        "Victim kicked while on the ground; suspect fled",
    ),
    "robbery": (
        "Puhelin ryöstettiin uhkaamalla, tekijöinä 3 nuorta",
        "Street robbery: wallet & phone taken at knife-point",
        "Nuori ryöstetty matkalla kotiin, takki ja kengät vietiin",
        "Bag snatched on the platform",
    ),
    "weapons": (
        "Veitsi esillä riidan aikana",
        "Knife (blade > 10 cm) shown during an argument",
        "Ilma-aseella ammuttiin ikkunaan",
        "Teräase otettu pois koulun pihalla",
    ),
    "vandalism": (
        "Bussikatos rikottu & graffiteja",
        "Broken windows at the youth centre",
        'Tagged walls: "<3" and group names',
        "Roska-astioita sytytetty palamaan yöllä",
    ),
    "disturbance": (
        "Äänekäs porukka pihalla klo 02, musiikkia",
        "Drunk group shouting & throwing bottles",
        "Häiriökäyttäytymistä metroasemalla, vartijat paikalla",
        "Mopoilla ajettiin puistossa > 30 km/h",
    ),
    "resident_concern": (
        "Pimeä puistokäytävä tuntuu turvattomalta",
        "Streetlight out on the path to school for weeks",
        'Asukkaat: "emme uskalla kulkea illalla"',
        "Needles & syringes in the playground sandbox",
        "Nuoria rappukäytävässä klo 22 jälkeen, roskaavat & metelöivät",
    ),
    "other": (
        "Muu ilmoitus, ei tarkempia tietoja",
        "Lost child found & returned to parents",
        "Epäilyttävä auto koulun lähellä",
        "Other: see attached note <none>",
    ),
}
