"""Category and source labels of partner exports onto the canonical schema values."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema
from geo.categories import (
    canonical_category,
    canonical_source,
    map_categories,
    map_sources,
    normalise_label,
)

# (label as a partner wrote it, canonical category): fi / sv / en, cases, diacritics, plurals.
CATEGORY_LABELS = [
    ("huumausainerikos", "drug_dealing"),
    ("Huumausainerikokset", "drug_dealing"),
    ("NARKOTIKABROTT", "drug_dealing"),
    ("Drug dealing", "drug_dealing"),
    ("huumekauppa", "drug_dealing"),
    ("Huumeiden myynti", "drug_dealing"),
    ("katukauppa", "drug_dealing"),
    ("drug_dealing", "drug_dealing"),
    ("pahoinpitely", "assault"),
    ("Pahoinpitelyt", "assault"),
    ("misshandel", "assault"),
    ("Assaults", "assault"),
    ("väkivalta", "assault"),
    ("ryöstö", "robbery"),
    ("ryosto", "robbery"),
    ("Ryöstöt", "robbery"),
    ("rån", "robbery"),
    ("Robberies", "robbery"),
    ("aseellinen ryöstö", "robbery"),
    ("vahingonteko", "vandalism"),
    ("Vahingonteot", "vandalism"),
    ("skadegörelse", "vandalism"),
    ("vandalism", "vandalism"),
    ("töhryt", "vandalism"),
    ("Graffiti", "vandalism"),
    ("järjestyshäiriö", "disturbance"),
    ("Järjestyshäiriöt", "disturbance"),
    ("ordningsstörning", "disturbance"),
    ("Ordningsstörningar", "disturbance"),
    ("disturbance", "disturbance"),
    ("häiriökäyttäytyminen", "disturbance"),
    ("nuorisoväkivalta", "youth_violence"),
    ("ungdomsvåld", "youth_violence"),
    ("Youth violence", "youth_violence"),
    ("nuorten väkivalta", "youth_violence"),
    ("pahoinpitely (alaikäinen)", "youth_violence"),
    ("jengi", "gang_activity"),
    ("gäng", "gang_activity"),
    ("Gangs", "gang_activity"),
    ("katujengi", "gang_activity"),
    ("jengiytyminen", "gang_activity"),
    ("ase", "weapons"),
    ("vapen", "weapons"),
    ("Weapons", "weapons"),
    ("teräase", "weapons"),
    ("puukko", "weapons"),
    ("teräaseen hallussapito", "weapons"),
    ("ampuma-aserikos", "weapons"),
    ("vapenbrott", "weapons"),
    ("asukaspalaute", "resident_concern"),
    ("invånarrespons", "resident_concern"),
    ("Resident concern", "resident_concern"),
    ("turvattomuus", "resident_concern"),
    ("turvattomuuden tunne", "resident_concern"),
    ("muu", "other"),
    ("övrigt", "other"),
    ("Other", "other"),
]


@pytest.mark.parametrize(("label", "expected"), CATEGORY_LABELS)
def test_category_labels_map_to_canonical(label: str, expected: str) -> None:
    assert canonical_category(label) == expected


@pytest.mark.parametrize("category", schema.CATEGORIES)
def test_canonical_names_map_to_themselves(category: str) -> None:
    assert canonical_category(category) == category
    assert canonical_category(category.replace("_", " ").upper()) == category


@pytest.mark.parametrize("label", ["pysäköintivirhe", "parkeringsfel", "asema", "xyz", "12345"])
def test_unknown_labels_are_none_not_guessed(label: str) -> None:
    # 'asema' (station) contains 'ase' (weapon) but is not a weapons label.
    assert canonical_category(label) is None


@pytest.mark.parametrize("label", [None, "", "   ", float("nan"), pd.NA])
def test_empty_labels_are_none(label: object) -> None:
    assert canonical_category(label) is None


def test_normalise_label_folds_case_diacritics_and_punctuation() -> None:
    assert normalise_label("  Järjestys-HÄIRIÖT! ") == "jarjestys hairiot"
    assert normalise_label("Øst") == "ost"
    assert normalise_label("Ungdomsvåld") == "ungdomsvald"


SOURCE_LABELS = [
    ("poliisi", "police"),
    ("Polisen", "police"),
    ("POLICE", "police"),
    ("Helsingin poliisilaitos", "police"),
    ("nuorisopalvelut", "youth_services"),
    ("Ungdomstjänster", "youth_services"),
    ("youth services", "youth_services"),
    ("lastensuojelu", "child_protection"),
    ("barnskydd", "child_protection"),
    ("koulu", "school"),
    ("Skola", "school"),
    ("school", "school"),
    ("järjestö", "ngo"),
    ("organisation", "ngo"),
    ("NGO", "ngo"),
    ("asukas", "resident"),
    ("invånare", "resident"),
    ("Residents", "resident"),
]


@pytest.mark.parametrize(("label", "expected"), SOURCE_LABELS)
def test_source_labels_map_to_canonical(label: str, expected: str) -> None:
    assert canonical_source(label) == expected


def test_source_values_are_schema_values() -> None:
    for label, _ in SOURCE_LABELS:
        assert canonical_source(label) in schema.SOURCES
    assert canonical_source("taksinkuljettaja") is None


def test_map_categories_is_the_scalar_mapping_row_by_row() -> None:
    labels = [label for label, _ in CATEGORY_LABELS] + ["parkeringsfel", None, "", "  misshandel  "]
    series = pd.Series(labels * 3, index=pd.RangeIndex(100, 100 + 3 * len(labels)))
    before = series.copy()
    canonical, unknown = map_categories(series)
    assert canonical.dtype == "string"
    assert list(canonical.index) == list(series.index)
    expected = [canonical_category(v) or "other" for v in series]
    assert canonical.tolist() == expected
    # Unknown = a label was there but not recognised; blanks are not unknown.
    assert unknown.tolist() == [v == "parkeringsfel" for v in series]
    pd.testing.assert_series_equal(series, before)


def test_map_sources_files_unknown_under_other() -> None:
    canonical, unknown = map_sources(pd.Series(["Polisen", "taksi", None, "skola"]))
    assert canonical.tolist() == ["police", "other", "other", "school"]
    assert unknown.tolist() == [False, True, False, False]


@settings(max_examples=80, deadline=None)
@given(
    pair=st.sampled_from(CATEGORY_LABELS),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_case_and_padding_do_not_change_the_category(pair: tuple[str, str], upper: bool, pad: str) -> None:
    label, expected = pair
    variant = pad + (label.upper() if upper else label.lower()) + pad
    assert canonical_category(variant) == expected
