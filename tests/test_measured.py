"""Measures in the store (store.measured): recording, reading by period and scope, removing, audited.

Every check runs on SQLite and on PostGIS (skipped without a test server, see
tests/postgres.py), through test_store_base's ``fresh`` stores. The measures are placed on
the official districts: outreach over the osa-alue of Kallio, a patrol on a street corner
of Kaartinkaupunki, a school project on the border of Kallio and Harju.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import store.measured
from geo import districts, schema
from geo.errors import ParameterError, StoreError
from store import LOCAL_ANALYST, Scope, ScopeError
from store.measure_records import Measure, MeasureEntry, RecordedMeasure
from tests import test_store_base
from tests.test_store_base import Opener

fresh = test_store_base.fresh

ADMIN = Scope("root", "admin", None)
VIEWER = Scope("johto@hel.fi", "viewer", None)
CODES_COUNT = "SELECT count(*) FROM measure_osaalue"


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return districts.load_districts("osaalue")


@pytest.fixture(scope="module")
def kallio(layer: gpd.GeoDataFrame) -> tuple[tuple[str, ...], shapely.Geometry]:
    """The osa-alue of the peruspiiri Kallio, and their union."""
    hierarchy = districts.hierarchy()
    codes = tuple(sorted(hierarchy.loc[hierarchy["peruspiiri_fi"] == "Kallio", "osaalue_code"]))
    area = shapely.union_all(layer.loc[layer["code"].isin(codes), "geometry"].to_numpy())
    return codes, area


def touched(area: shapely.Geometry, layer: gpd.GeoDataFrame) -> tuple[str, ...]:
    """Osa-alue codes whose polygon overlaps ``area`` by more than 1 m²."""
    overlap = layer.geometry.intersection(area).area
    return tuple(sorted(layer.loc[overlap > 1.0, "code"]))


def corner(layer: gpd.GeoDataFrame, code: str, radius_m: float) -> shapely.Geometry:
    """A round area of ``radius_m`` inside the osa-alue ``code``."""
    inside = layer.loc[layer["code"] == code, "geometry"].iloc[0].representative_point()
    return inside.buffer(radius_m)


def straddling(
    layer: gpd.GeoDataFrame, codes: tuple[str, ...], other: str, radius_m: float
) -> shapely.Geometry:
    """A round area on the middle of the border between the osa-alue ``codes`` and ``other``."""
    inside = shapely.union_all(layer.loc[layer["code"].isin(codes), "geometry"].to_numpy())
    neighbour = layer.loc[layer["code"] == other, "geometry"].iloc[0]
    border = shapely.line_merge(inside.boundary.intersection(neighbour.boundary))
    return border.interpolate(0.5, normalized=True).buffer(radius_m)


def measure(area: shapely.Geometry, start: str, end: str, **fields: Any) -> Measure:
    return Measure(
        kind=fields.pop("kind", "outreach"),
        lead=fields.pop("lead", "youth_work"),
        area=area,
        start=pd.Timestamp(start),
        end=pd.Timestamp(end),
        **fields,
    )


@pytest.fixture
def three(
    layer: gpd.GeoDataFrame, kallio: tuple[tuple[str, ...], shapely.Geometry]
) -> list[tuple[Measure, str, str, tuple[str, ...]]]:
    """Three measures with how they were placed: (measure, place_kind, place_ref, osa-alue)."""
    codes, area = kallio
    street = corner(layer, "020", 120.0)
    school = straddling(layer, codes, "121", 200.0)  # Kallio and Harju
    return [
        (
            measure(
                area,
                "2025-03-01",
                "2025-06-01",
                partner="Aseman Lapset ry",
                categories=("drug_dealing", "youth_violence"),
                note="Iltapartiot pe-la klo 18-24, <b>kaksi</b> työntekijää",
            ),
            "districts",
            ",".join(codes),
            codes,
        ),
        (
            measure(street, "2025-02-01 18:00", "2025-02-15", kind="patrol", lead="police"),
            "drawn",
            "",
            touched(street, layer),
        ),
        (
            measure(
                school, "2025-05-15", "2025-12-20", kind="school_ngo", lead="school", note="Koulun hanke"
            ),
            "hotspot",
            "H2 Helsinginkatu",
            touched(school, layer),
        ),
    ]


def record(
    st: store.IncidentStore, entries: list[tuple[Measure, str, str, tuple[str, ...]]], scope: Scope
) -> list[int]:
    return [
        st.add_measure(m, place_kind=kind, place_ref=ref, osaalue=codes, scope=scope)  # type: ignore[arg-type]
        for m, kind, ref, codes in entries
    ]


def details(st: store.IncidentStore, action: str) -> list[dict[str, Any]]:
    return [json.loads(text) for text in st.audit_log(action=action)["detail"]]


def same_place(got: RecordedMeasure, given: Measure) -> bool:
    """The stored area is the given one, as a MultiPolygon, to the last bit of each coordinate."""
    return got.measure.area.geom_type == "MultiPolygon" and shapely.equals_exact(
        shapely.normalize(got.measure.area),
        shapely.normalize(shapely.MultiPolygon(shapely.get_parts(given.area))),
    )


# --------------------------------------------------------------------------- round trip


def test_measures_come_back_as_recorded_ordered_by_start(fresh: Opener, three: list[Any]) -> None:
    before = pd.Timestamp.now(tz="UTC")
    with fresh() as st:
        ids = record(st, three, LOCAL_ANALYST)
        got = st.measures(scope=LOCAL_ANALYST)
        audit = details(st, "measure_add")
    assert ids == [1, 2, 3]
    assert [r.id for r in got] == [2, 1, 3]  # by start: February, March, May
    for recorded in got:
        given, kind, ref, codes = three[recorded.id - 1]
        assert (recorded.place_kind, recorded.place_ref, recorded.osaalue) == (kind, ref, codes)
        assert recorded.recorded_by == "local"
        assert before <= recorded.recorded_at <= pd.Timestamp.now(tz="UTC")
        assert str(recorded.recorded_at.tz) == schema.TIMEZONE
        assert same_place(recorded, given)
        for name in ("kind", "lead", "start", "end", "partner", "categories", "note"):
            assert getattr(recorded.measure, name) == getattr(given, name), name
        assert str(recorded.measure.start.tz) == schema.TIMEZONE
    assert got[0].measure.start == pd.Timestamp("2025-02-01 18:00", tz=schema.TIMEZONE)
    # the audit names the measure, and of the note only its length
    first = three[0][0]
    assert audit[0] == {
        "measure_id": 1,
        "kind": "outreach",
        "lead": "youth_work",
        "partner": "Aseman Lapset ry",
        "start": "2025-03-01T00:00:00+02:00",
        "end": "2025-06-01T00:00:00+03:00",
        "categories": ["drug_dealing", "youth_violence"],
        "place_kind": "districts",
        "place_ref": three[0][2],
        "osaalue": list(three[0][3]),
        "area_m2": round(first.area.area, 1),
        "note_chars": len(first.note),
    }
    assert all("Iltapartiot" not in json.dumps(d) for d in audit)
    assert [d["measure_id"] for d in audit] == [1, 2, 3]


def test_the_period_is_half_open_and_overlap_counts(fresh: Opener, three: list[Any]) -> None:
    with fresh() as st:
        record(st, three, LOCAL_ANALYST)

        def ids(**bounds: Any) -> list[int]:
            return [r.id for r in st.measures(scope=LOCAL_ANALYST, **bounds)]

        assert ids(since=pd.Timestamp("2025-06-01")) == [3]  # Kallio ended at midnight 1 June
        assert ids(since=pd.Timestamp("2025-05-31 23:59")) == [1, 3]
        assert ids(until=pd.Timestamp("2025-03-01")) == [2]  # Kallio began at midnight 1 March
        assert ids(until=pd.Timestamp("2025-03-01 00:00:01")) == [2, 1]
        assert ids(since=pd.Timestamp("2025-02-15"), until=pd.Timestamp("2025-05-15")) == [1]
        assert ids(since=pd.Timestamp("2025-02-14 23:00", tz="UTC"), until=pd.Timestamp("2025-03-01")) == []
        assert ids(since=pd.Timestamp("2026-01-01")) == []
        with pytest.raises(ParameterError, match="until must be after since"):
            ids(since=pd.Timestamp("2025-06-01"), until=pd.Timestamp("2025-01-01"))


# --------------------------------------------------------------------------- scopes


def test_a_youth_worker_sees_the_measures_of_her_districts_and_only_her_own_notes(
    fresh: Opener, three: list[Any], kallio: tuple[tuple[str, ...], shapely.Geometry], layer: gpd.GeoDataFrame
) -> None:
    codes, _ = kallio
    aino = Scope("aino@hel.fi", "youth_worker", codes)
    inside = corner(layer, "112", 150.0)  # Linjat, in Kallio
    with fresh() as st:
        record(st, three, LOCAL_ANALYST)
        own = st.add_measure(
            measure(inside, "2025-04-01", "2025-04-30", note="Oma muistiinpano"),
            place_kind="drawn",
            place_ref="",
            osaalue=touched(inside, layer),
            scope=aino,
        )
        seen = {r.id: r for r in st.measures(scope=aino)}
        by_viewer = st.measures(scope=VIEWER)
    assert touched(inside, layer) == ("112",)
    # Kallio's outreach, her own, and the school project, whose circle reaches into Kallio
    assert "121" in three[2][3] and set(three[2][3]) & set(codes) and not set(three[1][3]) & set(codes)
    assert sorted(seen) == [1, 3, own]
    assert seen[own].measure.note == "Oma muistiinpano" and seen[own].recorded_by == "aino@hel.fi"
    assert seen[1].measure.note == "" and seen[3].measure.note == ""  # others' free text stays out
    assert seen[1].measure.partner == "Aseman Lapset ry"
    assert len(by_viewer) == 4 and {r.measure.note for r in by_viewer} == {""}


def test_who_may_record_a_measure(
    fresh: Opener, three: list[Any], kallio: tuple[tuple[str, ...], Any]
) -> None:
    codes, _ = kallio
    aino = Scope("aino@hel.fi", "youth_worker", codes)
    kallio_measure, _, ref, kallio_codes = three[0]
    school, _, school_ref, school_codes = three[2]
    with fresh() as st:
        with pytest.raises(ScopeError, match=r"^johto@hel\.fi is a viewer and may not record measures; ask"):
            st.add_measure(
                kallio_measure, place_kind="districts", place_ref=ref, osaalue=kallio_codes, scope=VIEWER
            )
        outside = sorted(set(school_codes) - set(codes))
        with pytest.raises(
            ScopeError,
            match=rf"youth worker of osa-alue .* also touches osa-alue {', '.join(outside)}; record",
        ):
            st.add_measure(
                school, place_kind="hotspot", place_ref=school_ref, osaalue=school_codes, scope=aino
            )
        with pytest.raises(ScopeError, match="touches no osa-alue of Helsinki"):
            st.add_measure(kallio_measure, place_kind="drawn", place_ref="", osaalue=[], scope=aino)
        assert st.measures(scope=ADMIN) == [] and st.audit_log().empty  # nothing was written
        assert (
            st.add_measure(
                kallio_measure, place_kind="districts", place_ref=ref, osaalue=kallio_codes, scope=aino
            )
            == 1
        )
        # an analyst records anywhere, also an area outside every osa-alue
        assert st.add_measure(school, place_kind="drawn", place_ref="", osaalue=(), scope=LOCAL_ANALYST) == 2
        assert [r.osaalue for r in st.measures(scope=ADMIN)] == [kallio_codes, ()]
        assert [r.id for r in st.measures(scope=aino)] == [1]  # touches none of hers
        assert list(st.audit_log()["user_id"]) == ["aino@hel.fi", "local"]


def test_bad_arguments_are_refused_naming_the_field(fresh: Opener, three: list[Any]) -> None:
    given, _, _, codes = three[1]
    with fresh() as st:
        with pytest.raises(ParameterError, match=r"place_kind was 'map' but is expected to be one of"):
            st.add_measure(given, place_kind="map", place_ref="", osaalue=codes, scope=LOCAL_ANALYST)  # type: ignore[arg-type]
        with pytest.raises(
            ParameterError, match=r"osaalue holds \['Kallio, Harju'\], which are not osa-alue codes"
        ):
            st.add_measure(
                given, place_kind="drawn", place_ref="", osaalue=["Kallio, Harju"], scope=LOCAL_ANALYST
            )
        with pytest.raises(ParameterError, match=r"measure must be a store\.measure_records\.Measure"):
            st.add_measure("patrol", place_kind="drawn", place_ref="", osaalue=codes, scope=LOCAL_ANALYST)  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match=r"scope must be a store\.scope\.Scope"):
            st.measures(scope="local")  # type: ignore[arg-type]
        assert st.measures(scope=ADMIN) == []


# --------------------------------------------------------------------------- removing


def test_removing_a_measure_keeps_it_on_record_and_audits_it(
    fresh: Opener, three: list[Any], kallio: tuple[tuple[str, ...], Any]
) -> None:
    codes, _ = kallio
    aino = Scope("aino@hel.fi", "youth_worker", codes)
    with fresh() as st:
        record(st, three[:1], aino)  # 1: hers
        record(st, three[1:], LOCAL_ANALYST)  # 2, 3
        with pytest.raises(
            ScopeError, match=r"may remove only the measures they recorded; measure 3 was recorded by local"
        ):
            st.remove_measure(3, scope=aino)
        with pytest.raises(ScopeError, match=r"^johto@hel\.fi is a viewer and may remove no measures"):
            st.remove_measure(1, scope=VIEWER)
        st.remove_measure(1, scope=aino)
        st.remove_measure(2, scope=ADMIN)
        assert [r.id for r in st.measures(scope=ADMIN)] == [3]
        with pytest.raises(StoreError, match=r"^measure 1 was removed already \(audit row \d+\)"):
            st.remove_measure(1, scope=ADMIN)
        with pytest.raises(
            StoreError, match=r"^the store has no measure 9; `hotspots measures list` lists them$"
        ):
            st.remove_measure(9, scope=ADMIN)
        with pytest.raises(ParameterError, match="measure id must be a whole number >= 1"):
            st.remove_measure(0, scope=ADMIN)
        removed = st.audit_log(action="measure_remove")
        added = details(st, "measure_add")
    assert list(removed["user_id"]) == ["aino@hel.fi", "root"]
    gone = [json.loads(text) for text in removed["detail"]]
    assert gone == added[:2]  # what was removed is on record, as it was recorded


def test_a_measure_whose_audit_fails_is_not_recorded(
    fresh: Opener, three: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    given, kind, ref, codes = three[0]
    with fresh() as st:
        real = store.measured.MeasuredStore._insert_audit

        def failing(self: Any, conn: Any, action: str, scope: Scope, detail: Any) -> int:
            if action == "measure_add":
                raise RuntimeError("disk full")
            return real(self, conn, action, scope, detail)

        monkeypatch.setattr(store.measured.MeasuredStore, "_insert_audit", failing)
        with pytest.raises(RuntimeError, match="disk full"):
            st.add_measure(given, place_kind=kind, place_ref=ref, osaalue=codes, scope=LOCAL_ANALYST)
        monkeypatch.undo()
        assert st.measures(scope=ADMIN) == []
        assert st.add_measure(given, place_kind=kind, place_ref=ref, osaalue=codes, scope=LOCAL_ANALYST) >= 1
        assert [r.osaalue for r in st.measures(scope=ADMIN)] == [codes]


def test_several_measures_are_recorded_in_one_transaction_in_order(fresh: Opener, three: list[Any]) -> None:
    entries = [MeasureEntry(m, kind, ref, codes) for m, kind, ref, codes in three]
    with fresh() as st:
        assert st.add_measures([], scope=LOCAL_ANALYST) == [] and st.audit_log().empty
        ids = st.add_measures(entries, scope=LOCAL_ANALYST)
        got = {r.id: r for r in st.measures(scope=ADMIN)}
        added = details(st, "measure_add")
    assert len(ids) == 3 and ids == sorted(ids)
    assert [(got[i].place_kind, got[i].place_ref, got[i].osaalue) for i in ids] == [
        (kind, ref, codes) for _, kind, ref, codes in three
    ]
    assert all(same_place(got[i], m) for i, (m, *_) in zip(ids, three, strict=True))
    assert [d["measure_id"] for d in added] == ids  # one audit row each


def test_a_refusal_on_the_third_measure_records_none(
    fresh: Opener, three: list[Any], kallio: tuple[tuple[str, ...], Any]
) -> None:
    codes, _ = kallio
    aino = Scope("aino@hel.fi", "youth_worker", codes)
    mine = MeasureEntry(*three[0])
    with fresh() as st:
        # Two of hers, then one that also touches Harju: refused before anything is written.
        with pytest.raises(
            ScopeError, match=r"^measure 3 of 3: .*also touches osa-alue .*; nothing was recorded$"
        ):
            st.add_measures([mine, mine, MeasureEntry(*three[2])], scope=aino)
        with pytest.raises(ParameterError, match=r"^measure 2 of 2: place_kind was 'map'"):
            st.add_measures([mine, MeasureEntry(three[1][0], "map", "", three[1][3])], scope=aino)  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match=r"items must hold store\.measure_records\.MeasureEntry"):
            st.add_measures([mine, three[0]], scope=aino)  # type: ignore[list-item]
        assert st.measures(scope=ADMIN) == [] and st.audit_log().empty


def test_a_failure_while_writing_the_third_measure_rolls_back_all(
    fresh: Opener, three: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [MeasureEntry(m, kind, ref, codes) for m, kind, ref, codes in three]
    with fresh() as st:
        real = store.measured.MeasuredStore._insert_audit
        calls: list[str] = []

        def failing(self: Any, conn: Any, action: str, scope: Scope, detail: Any) -> int:
            calls.append(action)
            if calls.count("measure_add") == 3:  # the first two are written, inside the transaction
                raise RuntimeError("disk full")
            return real(self, conn, action, scope, detail)

        monkeypatch.setattr(store.measured.MeasuredStore, "_insert_audit", failing)
        with pytest.raises(RuntimeError, match="disk full"):
            st.add_measures(entries, scope=LOCAL_ANALYST)
        monkeypatch.undo()
        assert calls == ["measure_add"] * 3
        assert st.measures(scope=ADMIN) == [] and st.audit_log().empty
        codes_left = st._read("counting codes", lambda conn: conn.execute(CODES_COUNT).fetchone())  # type: ignore[attr-defined]
        assert codes_left[0] == 0  # the first two measures' osa-alue rows went too
        assert len(st.add_measures(entries, scope=LOCAL_ANALYST)) == 3


def test_reading_is_one_statement_with_the_codes_of_each_measure(
    fresh: Opener, three: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh() as st:
        record(st, three, LOCAL_ANALYST)
        statements: list[str] = []
        real_read = type(st)._read

        def counting(self: Any, action: str, read: Any) -> Any:
            def spy(c: Any) -> Any:
                class Counted:
                    def execute(self, sql: str, *args: Any) -> Any:
                        statements.append(sql)
                        return c.execute(sql, *args)

                return read(Counted())

            return real_read(self, action, spy)

        monkeypatch.setattr(type(st), "_read", counting)
        got = st.measures(scope=ADMIN, since=pd.Timestamp("2025-01-01"))
        monkeypatch.undo()
    assert len(statements) == 1
    assert [r.osaalue for r in got] == [codes for *_, codes in sorted(three, key=lambda e: e[0].start)]


@pytest.fixture
def many(layer: gpd.GeoDataFrame) -> Iterator[list[tuple[Measure, str, str, tuple[str, ...]]]]:
    """A measure in each of 40 osa-alue, one a week."""
    codes = sorted(layer["code"])[:40]
    start = pd.Timestamp("2025-01-06")
    yield [
        (
            measure(
                corner(layer, code, 80.0),
                str(start + pd.Timedelta(weeks=i)),
                str(start + pd.Timedelta(weeks=i + 2)),
            ),
            "drawn",
            "",
            touched(corner(layer, code, 80.0), layer),
        )
        for i, code in enumerate(codes)
    ]


def test_the_scope_filter_matches_the_osa_alue_of_each_measure(fresh: Opener, many: list[Any]) -> None:
    with fresh() as st:
        record(st, many, LOCAL_ANALYST)
        for chosen in (
            ("010",),
            ("020", "030", "101"),
            tuple(sorted({c for _, _, _, cs in many for c in cs}))[5:25],
        ):
            scope = Scope("aino@hel.fi", "youth_worker", chosen)
            want = [i + 1 for i, (_, _, _, codes) in enumerate(many) if set(codes) & set(chosen)]
            assert [r.id for r in st.measures(scope=scope)] == want
            assert want
