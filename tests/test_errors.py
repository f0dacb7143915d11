"""The exceptions a person can act on: one family, and every one reaches a user as one line."""

from __future__ import annotations

import inspect

import pytest

import cli
from geo import errors


def _error_classes() -> list[type[errors.HotspotsError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.HotspotsError) and cls.__module__ == errors.__name__
    ]


def test_every_error_is_a_hotspots_error_and_a_value_error() -> None:
    classes = _error_classes()
    assert len(classes) >= 7
    for cls in classes:
        assert issubclass(cls, ValueError), cls  # STYLE.md 9: callers may catch ValueError
        assert cls.__doc__, cls


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_the_command_line_prints_each_as_one_line(
    cls: type[errors.HotspotsError], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_args: object) -> int:
        raise cls("the file x.csv has no time column\n(row 3); name it with a mapping")

    parser = cli.build_parser()
    args = parser.parse_args(["stats"])
    monkeypatch.setattr(cli.main.__globals__["build_parser"](), "parse_args", lambda argv=None: args)
    monkeypatch.setattr(args, "func", fail)
    monkeypatch.setitem(cli.main.__globals__, "build_parser", lambda: parser)
    monkeypatch.setattr(parser, "parse_args", lambda argv=None: args)
    assert cli.main(["stats"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: the file x.csv has no time column (row 3); name it with a mapping\n"
