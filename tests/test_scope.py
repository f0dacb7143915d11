"""Who sees what (store.scope): the roles' rights, districts kept as codes, rows cut to a scope.

The districts are the official ones (``geo.districts.hierarchy`` through the app's loader),
chosen by name with the project's one district rule (``hotspots.selection``), as the CLI
and the app resolve a user's districts; the incidents are the demo data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo import demo, districts
from geo.errors import ParameterError
from hotspots.selection import Selection, districts_by_name
from store import IncidentFilter
from store.scope import (
    LOCAL_ANALYST,
    ROLES,
    Scope,
    ScopeError,
    apply_scope,
    normalise_user,
    require_admin,
    scoped_filter,
)


@pytest.fixture(scope="module")
def hierarchy() -> pd.DataFrame:
    return districts.hierarchy()


def osaalue_of(names: list[str], hierarchy: pd.DataFrame) -> tuple[str, ...]:
    """The osa-alue a district choice covers, by the one district rule."""
    chosen = Selection(**districts_by_name(names, hierarchy))
    return tuple(hierarchy.loc[chosen.district_mask(hierarchy), "osaalue_code"].astype(str))


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=4000, seed=12)


def test_a_scope_keeps_its_user_lower_case_and_its_codes_sorted_once() -> None:
    scope = Scope("  Anna.Virtanen@Hel.FI ", "youth_worker", ["102", "101", "102"])  # type: ignore[arg-type]
    assert (scope.user, scope.osaalue) == ("anna.virtanen@hel.fi", ("101", "102"))
    assert scope == Scope("anna.virtanen@hel.fi", "youth_worker", ("101", "102"))
    assert hash(scope) == hash(Scope("anna.virtanen@hel.fi", "youth_worker", ("102", "101")))
    assert str(scope) == "anna.virtanen@hel.fi (youth_worker, osa-alue 101, 102)"


@pytest.mark.parametrize(
    ("role", "aggregated", "upload", "restricted", "administer"),
    [
        ("admin", False, True, True, True),
        ("analyst", False, True, True, False),
        ("viewer", True, False, False, False),
        ("youth_worker", True, False, False, False),
    ],
)
def test_what_each_role_may(
    role: str, aggregated: bool, upload: bool, restricted: bool, administer: bool
) -> None:
    scope = Scope("someone@hel.fi", role, ("101",))  # type: ignore[arg-type]
    assert scope.aggregated_only is aggregated
    assert scope.sees_points is not aggregated
    rights = (scope.may_upload, scope.may_export_restricted, scope.may_administer)
    assert rights == (upload, restricted, administer)
    assert set(ROLES) == {"admin", "analyst", "youth_worker", "viewer"}


def test_a_youth_worker_needs_a_district_and_nobody_gets_an_empty_list() -> None:
    only_hers = r"a youth worker sees only the districts .* anna@hel\.fi at least one"
    with pytest.raises(ParameterError, match=only_hers):
        Scope("anna@hel.fi", "youth_worker", None)
    with pytest.raises(ParameterError, match="would see no district"):
        Scope("pekka@hel.fi", "viewer", ())
    assert Scope("pekka@hel.fi", "viewer", None).whole_city


@pytest.mark.parametrize(
    ("user", "role", "osaalue", "message"),
    [
        ("anna@hel.fi", "police", None, r"role was 'police' but is expected to be one of \['admin'"),
        ("", "viewer", None, "must not be empty"),
        ("anna virtanen", "viewer", None, "white space, a comma"),
        ("a,b@hel.fi", "viewer", None, "white space, a comma"),
        ("x" * 300, "viewer", None, "at most 254 characters"),
        (42, "viewer", None, "must be text"),
        ("anna@hel.fi", "viewer", "101", "got the string '101'"),
        ("anna@hel.fi", "viewer", ("101", "1 01"), r"\['1 01'\], which are not osa-alue codes"),
    ],
)
def test_malformed_scopes_are_refused_with_the_reason(
    user: object, role: str, osaalue: object, message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        Scope(user, role, osaalue)  # type: ignore[arg-type]


def test_normalise_user_is_what_the_store_keys_users_by() -> None:
    assert normalise_user("Sub-1234ABC") == "sub-1234abc"
    assert Scope("local", "analyst", None) == LOCAL_ANALYST


def test_apply_scope_keeps_only_the_scope_s_districts_and_hides_descriptions_from_aggregates(
    incidents: pd.DataFrame, hierarchy: pd.DataFrame
) -> None:
    kallio = osaalue_of(["Kallio"], hierarchy)  # the peruspiiri, resolved to its osa-alue
    assert len(kallio) >= 3 and set(kallio) <= set(hierarchy["osaalue_code"])
    before = incidents.copy()
    worker = apply_scope(incidents, Scope("anna@hel.fi", "youth_worker", kallio))
    analyst = apply_scope(incidents, Scope("olli@poliisi.fi", "analyst", kallio))
    expected = incidents[incidents["peruspiiri_code"] == "301"].reset_index(drop=True)
    assert len(expected) > 50
    pd.testing.assert_frame_equal(analyst, expected)
    pd.testing.assert_frame_equal(worker.drop(columns="description"), expected.drop(columns="description"))
    assert expected["description"].notna().any() and worker["description"].isna().all()
    assert worker["description"].dtype == incidents["description"].dtype
    pd.testing.assert_frame_equal(incidents, before)  # the input is not changed


def test_apply_scope_of_the_whole_city_keeps_every_row(incidents: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(apply_scope(incidents, LOCAL_ANALYST), incidents)
    viewer = apply_scope(incidents, Scope("johto@hel.fi", "viewer", None))
    assert len(viewer) == len(incidents) and viewer["description"].isna().all()


def test_apply_scope_needs_districts_on_the_rows(incidents: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="no osaalue_code column"):
        apply_scope(incidents.drop(columns="osaalue_code"), Scope("a@hel.fi", "viewer", ("101",)))
    with pytest.raises(ParameterError, match=r"must be a store\.scope\.Scope"):
        apply_scope(incidents, "admin")  # type: ignore[arg-type]


def test_a_filter_asking_for_another_district_is_narrowed_to_nothing(hierarchy: pd.DataFrame) -> None:
    kallio = osaalue_of(["Kallio"], hierarchy)
    vuosaari = osaalue_of(["Vuosaari"], hierarchy)
    worker = Scope("anna@hel.fi", "youth_worker", kallio)
    assert scoped_filter(IncidentFilter(osaalue_codes=vuosaari), worker).osaalue_codes == ()
    both = scoped_filter(IncidentFilter(osaalue_codes=(*vuosaari, kallio[0]), categories=["assault"]), worker)
    assert (both.osaalue_codes, both.categories) == ((kallio[0],), ("assault",))
    assert scoped_filter(IncidentFilter(), worker).osaalue_codes == kallio
    asked = IncidentFilter(peruspiiri_codes=["101"])
    assert scoped_filter(asked, LOCAL_ANALYST) is asked


def test_only_an_admin_passes_require_admin() -> None:
    require_admin(Scope("root", "admin", None), "delete a batch")
    refused = r"^only an admin may delete a batch; olli@poliisi\.fi is an analyst\."
    with pytest.raises(ScopeError, match=refused):
        require_admin(Scope("olli@poliisi.fi", "analyst", None), "delete a batch")
