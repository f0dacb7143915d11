"""The measure record and its rows (store.measure_records): checks, areas, rows, who may.

The store's behaviour with them (both backends) is tests/test_measured.py; here the pure
parts: the limits of the free-text fields, an area made valid kept as a MultiPolygon, a
row written and read back exactly, and the role rules on their own.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo.errors import ParameterError
from store import Scope, ScopeError
from store.measure_records import (
    MAX_NOTE_CHARS,
    MAX_PARTNER_CHARS,
    Measure,
    MeasureEntry,
    check_may_record,
    check_may_remove,
    measure_detail,
    multipolygon,
    recorded_measure,
)

#: A square of 200 m on Kaisaniemi park, EPSG:3067.
PARK = shapely.box(385_900.0, 6_672_300.0, 386_100.0, 6_672_500.0)
AINO = Scope("aino@hel.fi", "youth_worker", ("111", "112"))


def patrol(area: shapely.Geometry = PARK, **fields: object) -> Measure:
    return Measure(
        "patrol", "police", area, pd.Timestamp("2025-10-24 18:00"), pd.Timestamp("2025-10-27"), **fields
    )


def test_partner_and_note_lengths_are_limited() -> None:
    at_limit = patrol(partner="p" * MAX_PARTNER_CHARS, note="n" * MAX_NOTE_CHARS)
    assert (len(at_limit.partner), len(at_limit.note)) == (200, 1000)
    with pytest.raises(
        ParameterError, match=r"^partner has 201 characters, more than the 200 kept; shorten it$"
    ):
        patrol(partner="p" * 201)
    with pytest.raises(ParameterError, match=r"^note has 1001 characters, more than the 1000 kept"):
        patrol(note="n" * 1001)
    with pytest.raises(ParameterError, match=r"^note holds a NUL character"):
        patrol(note="a\x00b")
    with pytest.raises(ParameterError, match=r"^partner must be text, got int"):
        patrol(partner=7)


def test_an_area_made_valid_is_kept_as_one_multipolygon() -> None:
    # a bow tie crossing itself at (386000, 6672400): made valid, two triangles
    bow = shapely.Polygon(
        [(385_900, 6_672_300), (386_100, 6_672_500), (386_100, 6_672_300), (385_900, 6_672_500)]
    )
    kept = multipolygon(patrol(bow).area)
    assert kept.geom_type == "MultiPolygon" and len(kept.geoms) == 2
    assert kept.area == pytest.approx(2 * 100 * 200 / 2)
    mixed = shapely.GeometryCollection(
        [PARK, shapely.LineString([(0, 0), (1, 1)]), shapely.MultiPolygon([PARK])]
    )
    assert len(multipolygon(mixed).geoms) == 2
    assert multipolygon(PARK).equals(shapely.MultiPolygon([PARK]))


def test_a_row_reads_back_as_written_across_daylight_saving() -> None:
    given = patrol(categories=("drug_dealing",), partner="Helsingin poliisi", note="Viikonloppu")
    entry = MeasureEntry.checked(given, "drawn", "", ["112", "111", "112"])
    assert entry.osaalue == ("111", "112")  # sorted, each once
    values = entry.values()
    assert values[:4] == ("patrol", "police", "Helsingin poliisi", "drug_dealing")
    # 27 October 2025 00:00 is after the clocks went back: +02:00, the start +03:00
    assert values[5] - values[4] == (2 * 24 + 6 + 1) * 3600 * 1_000_000
    row = (5, *values[:-1], values[-1], "olli@poliisi.fi", values[4])
    back = recorded_measure(row, entry.osaalue, note=True)
    assert back.measure.start == given.start and back.measure.end == given.end
    assert back.measure.categories == ("drug_dealing",) and back.measure.note == "Viikonloppu"
    assert back.measure.area.equals_exact(shapely.MultiPolygon([PARK]), 0.0)
    assert recorded_measure(row, entry.osaalue, note=False).measure.note == ""
    detail = measure_detail(5, given, "drawn", "", entry.osaalue)
    assert detail["note_chars"] == 11 and "Viikonloppu" not in str(detail)
    assert detail["start"] == "2025-10-24T18:00:00+03:00" and detail["end"] == "2025-10-27T00:00:00+02:00"


@pytest.mark.parametrize(
    ("scope", "codes", "refusal"),
    [
        (Scope("root", "admin", None), (), None),
        (Scope("olli@poliisi.fi", "analyst", ("010",)), ("111", "431"), None),  # anywhere
        (AINO, ("111",), None),
        (AINO, ("111", "112"), None),
        (AINO, ("111", "121"), r"also touches osa-alue 121; record it inside your districts"),
        (AINO, (), r"touches no osa-alue of Helsinki; aino@hel\.fi: ask an analyst"),
        (Scope("johto@hel.fi", "viewer", None), ("111",), r"is a viewer and may not record measures"),
    ],
)
def test_who_may_record(scope: Scope, codes: tuple[str, ...], refusal: str | None) -> None:
    if refusal is None:
        check_may_record(scope, codes)
    else:
        with pytest.raises(ScopeError, match=refusal):
            check_may_record(scope, codes)


def test_who_may_remove() -> None:
    check_may_remove(Scope("olli@poliisi.fi", "analyst", None), 3, "aino@hel.fi")
    check_may_remove(AINO, 3, "aino@hel.fi")
    with pytest.raises(
        ScopeError, match=r"may remove only the measures they recorded; measure 3 was recorded by olli"
    ):
        check_may_remove(AINO, 3, "olli@poliisi.fi")
    with pytest.raises(ScopeError, match=r"is a viewer and may remove no measures"):
        check_may_remove(Scope("johto@hel.fi", "viewer", None), 3, "johto@hel.fi")
