"""The options several commands share: filters, column mappings, Helsinki-only checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import arguments as cli_arguments
from cli import build_parser
from cli.arguments import (
    check_helsinki_only,
    operator_scope,
    parse_mapping,
    register_from_args,
    selection_from_args,
)
from geo import districts, settings
from geo.errors import HotspotsError, ParameterError
from hotspots.study import StudyData
from store import Scope
from tests import osm_register


def _cluster_args(*argv: str):
    return build_parser().parse_args(["cluster", "x.csv", "--out", "h.csv", *argv])


def test_districts_by_name_follow_the_one_district_rule() -> None:
    # Kallio (peruspiiri) and Linjat (its osa-alue): Linjat, as in the app's filter.
    narrowed = selection_from_args(_cluster_args("--district", "Kallio", "--district", "Linjat"))
    assert narrowed.chosen_districts == {"osaalue": ("112",)}
    # Kallio and an osa-alue elsewhere add up; names in Swedish work the same.
    table = districts.hierarchy()
    mellunmaki = table.loc[table["osaalue_fi"] == "Mellunmäki", "osaalue_code"].iloc[0]
    both = selection_from_args(_cluster_args("--district", "Berghäll", "--district", "Mellunmäki"))
    assert both.chosen_districts == {"peruspiiri": ("301",), "osaalue": (mellunmaki,)}
    with pytest.raises(ParameterError, match="did you mean Kallio"):
        selection_from_args(_cluster_args("--district", "Kalio"))


def test_dates_are_local_days_half_open() -> None:
    chosen = selection_from_args(_cluster_args("--since", "2026-05-01", "--until", "2026-11-01"))
    assert str(chosen.since) == "2026-05-01 00:00:00+03:00"
    assert str(chosen.until) == "2026-11-01 00:00:00+02:00"  # after the autumn clock change


def test_mapping_pairs_name_the_column_then_the_field() -> None:
    assert parse_mapping(["Tapahtuma-aika=occurred_at", " X = x "]) == {
        "occurred_at": "Tapahtuma-aika",
        "x": "X",
    }
    # The last '=' splits, so a column name may hold one.
    assert parse_mapping(["a=b=category"]) == {"category": "a=b"}
    with pytest.raises(HotspotsError, match="COLUMN=FIELD"):
        parse_mapping(["occurred_at"])


def test_helsinki_only_options_are_refused_for_other_cities() -> None:
    elsewhere = StudyData(
        incidents=None,  # type: ignore[arg-type]
        origin="toronto.csv",
        grid=None,
        districts=None,
        where="cells",
        timezone="America/Toronto",
        helsinki=False,
        note=None,
    )
    check_helsinki_only(_cluster_args(), elsewhere)
    with pytest.raises(HotspotsError, match="--district names Helsinki's districts"):
        check_helsinki_only(_cluster_args("--district", "Kallio"), elsewhere)
    with pytest.raises(HotspotsError, match="--category filters Helsinki's canonical categories"):
        check_helsinki_only(_cluster_args("--category", "assault"), elsewhere)


def test_register_comes_from_the_flag_or_the_setting_and_places_need_it(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses, places = osm_register.register_tables(shared_data_dir)
    register_file, place_file = osm_register.write_register(addresses, places, tmp_path)
    monkeypatch.delenv(settings.ENV_REGISTER, raising=False)
    given = register_from_args(
        _cluster_args("--register", str(register_file), "--places", str(place_file)), official=True
    )
    assert given is not None and len(given.addresses) == len(addresses) and len(given.places) == len(places)
    assert register_from_args(_cluster_args(), official=False) is None
    with pytest.raises(HotspotsError, match="--places needs --register"):
        register_from_args(_cluster_args("--places", str(place_file)), official=True)
    monkeypatch.setenv(settings.ENV_REGISTER, str(register_file))
    from_setting = register_from_args(_cluster_args(), official=False)
    assert from_setting is not None and len(from_setting.addresses) == len(addresses)
    assert from_setting.places.empty


def test_the_command_line_acts_as_an_admin_named_by_the_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_arguments.getpass, "getuser", lambda: "Jane Doe, IT")
    assert operator_scope() == Scope("jane_doe_it", "admin", None)

    def nobody() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(cli_arguments.getpass, "getuser", nobody)
    assert operator_scope() == Scope("cli", "admin", None)
