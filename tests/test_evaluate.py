"""``hotspots evaluate``: its arguments, its parsing of methods and budgets, a run on points anywhere."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from cli import evaluate as backtest_command
from cli.evaluate import parse_area_shares, parse_methods
from geo.errors import HotspotsError, ParameterError


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotspots evaluate")
    backtest_command.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_runs_on_points_anywhere_and_writes_the_report(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    n = 1500
    lon = np.concatenate([rng.normal(-79.38, 0.002, 600), rng.uniform(-79.45, -79.30, n - 600)])
    lat = np.concatenate([rng.normal(43.65, 0.0015, 600), rng.uniform(43.62, 43.72, n - 600)])
    days = rng.uniform(0, 365, n)
    days[0], days[-1] = 0.01, 364.99  # the data span the whole of 2021
    when = pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")
    source = tmp_path / "toronto_like.csv"
    pd.DataFrame({"lon": lon, "lat": lat, "occurred_at": when}).to_csv(source, index=False)
    out = tmp_path / "report.csv"
    options = ["--districts", "none", "--timezone", "America/Toronto", "--methods", "dbscan-ranked,grid"]
    options += ["--eps", "150", "--min-samples", "8", "--area", "1%,5%", "--out", str(out)]
    args = _args(str(source), *options)
    assert backtest_command.run(args) == 0
    printed = capsys.readouterr()
    assert "| 5% | grid | 1 | 5.0" in printed.out  # 5 % of the cells holding incidents
    assert "EPSG:32617" in printed.err
    report = pd.read_csv(out)
    assert set(report["method"]) == {"dbscan-ranked", "grid", "best"}


def test_cli_validates_its_arguments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="eps was 'wide' but is expected to be auto or a number"):
        backtest_command.backtest_params(_args("x.csv", "--eps", "wide"))
    with pytest.raises(ParameterError, match="--area was"):
        backtest_command.backtest_params(_args("x.csv", "--area", "lots"))
    with pytest.raises(HotspotsError, match="does not exist"):
        backtest_command.load(_args(str(tmp_path / "missing.csv"), "--districts", "none"))
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0], "y": [2.0]}).to_csv(bad, index=False)
    with pytest.raises(HotspotsError, match="lacks the columns \\['lon', 'lat', 'occurred_at'\\]"):
        backtest_command.load(_args(str(bad), "--districts", "none"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_area_shares("2"), "area share 2 is outside"),
        (lambda: parse_area_shares("1%,x"), "--area was '1%,x'"),
        (lambda: parse_methods("dbscan,magic"), "method 'magic' is unknown"),
        (lambda: parse_methods(" , "), "--methods was ' , '"),
    ],
)
def test_methods_and_budgets_are_validated_with_messages(call: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        call()  # type: ignore[operator]


def test_parse_helpers_expand_groups_and_percentages() -> None:
    assert parse_methods("grid, kde,grid") == ("grid", "kde-rule", "kde-cv")
    assert parse_area_shares("1%,3%, 0.05") == pytest.approx((0.01, 0.03, 0.05))
