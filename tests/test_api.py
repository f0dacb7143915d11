"""The public surface: each package's ``__all__``, ``hotspots.dbscan`` as documented, the README's example."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import DBSCAN

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("package", ["geo", "store", "hotspots", "i18n", "briefing", "cli"])
def test_every_public_name_exists_and_is_listed_once(package: str) -> None:
    module = importlib.import_module(package)
    names = module.__all__
    assert len(names) == len(set(names)) > 0
    assert [name for name in names if not hasattr(module, name)] == []


def test_dbscan_is_the_kernel_with_scikit_learns_labels() -> None:
    from hotspots import dbscan

    rng = np.random.default_rng(7)
    xy = np.vstack(
        [
            rng.normal((0, 0), 40, (60, 2)),
            rng.normal((900, 300), 60, (40, 2)),
            rng.uniform(-3e3, 3e3, (30, 2)),
        ]
    )
    labels = dbscan(xy, eps_m=150, min_samples=10)
    reference = DBSCAN(eps=150, min_samples=10).fit(xy).labels_
    assert np.array_equal(labels, reference)
    assert labels.max() == 1
    with pytest.raises(TypeError):
        dbscan(xy, 150, 10)  # type: ignore[misc]  # options are keyword-only


def test_the_readmes_python_example_runs_as_written() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), "README.md", "exec"), {})
    out = printed.getvalue()
    assert re.search(r"\d+ DBSCAN clusters, \d+ noise points", out)
    assert "area_km2" in out and "hit_rate" in out


def test_the_backtest_package_is_not_shadowed_by_its_function() -> None:
    import hotspots
    from hotspots import backtest

    assert backtest.__name__ == "hotspots.backtest"
    assert callable(backtest.backtest) and hotspots.BacktestParams is backtest.BacktestParams


def test_the_kernel_loads_without_the_rest_of_the_stack() -> None:
    """``from hotspots import dbscan`` must not pull in geopandas, scikit-learn or Streamlit."""
    code = (
        "import sys\nfrom hotspots import dbscan\n"
        "print(sorted(m for m in ('geopandas', 'sklearn', 'streamlit', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
