"""Benchmark: hotspots.dbscan_kernel.dbscan against scikit-learn's DBSCAN on Helsinki-sized data.

Run ``python bench/dbscan.py`` (100k, 300k and 1M points) or ``--quick`` (100k only).
Data: "clustered" is Gaussian hotspots with street-scale sigma (50-300 m, about 2,400
incidents each) over a 30 km x 20 km box in EPSG:3067 around Helsinki, plus 20 % uniform
background; "uniform" spreads all points over the same box. eps 150 m, min_samples 10.

Each run happens in its own child process, so its peak memory (``ru_maxrss``) is its own.
Our time is the median of three calls after a warm-up call that loads numba's compiled
code. scikit-learn runs once, on the same data, unless its neighbour lists would need more
than 12 GB or it would take more than 120 s; both are estimated from the mean neighbour
count of a sample of points. Agreement is checked on core points, noise, the partition of
the core points and the labels themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

EPS_M: Final = 150.0
MIN_SAMPLES: Final = 10
#: The 30 km x 20 km box, EPSG:3067 metres (Espoo border to Vuosaari, the sea to Tuusula).
BOX_M: Final = ((375_000.0, 405_000.0), (6_665_000.0, 6_685_000.0))
INCIDENTS_PER_HOTSPOT: Final = 2_400
SIGMA_RANGE_M: Final = (50.0, 300.0)
BACKGROUND_SHARE: Final = 0.2
#: scikit-learn's peak memory per neighbour and per point, and its seconds per neighbour and
#: per point, fitted to its runs here (1M points: 601 neighbours each took 105 s and 9.4 GB,
#: 118 neighbours each 39 s and 1.9 GB; the issue measured 71 s and 10.5 GB).
SKLEARN_BYTES_PER_NEIGHBOUR: Final = 15.0
SKLEARN_BYTES_PER_POINT: Final = 500.0
SKLEARN_SECONDS_PER_NEIGHBOUR: Final = 1.4e-7
SKLEARN_SECONDS_PER_POINT: Final = 2.3e-5
SKLEARN_MAX_BYTES: Final = 12e9
SKLEARN_MAX_SECONDS: Final = 120.0
REPO_ROOT: Final = Path(__file__).resolve().parents[1]


def make_points(kind: str, n: int, *, seed: int = 2024) -> NDArray[np.float64]:
    """Incident-like points in EPSG:3067 metres, the same for the same arguments."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = BOX_M
    if kind == "uniform":
        return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    n_hot = round(n * (1 - BACKGROUND_SHARE))
    n_spots = max(1, n_hot // INCIDENTS_PER_HOTSPOT)
    centres = np.column_stack([rng.uniform(x0, x1, n_spots), rng.uniform(y0, y1, n_spots)])
    sigma_m = rng.uniform(*SIGMA_RANGE_M, n_spots)
    spot = rng.integers(0, n_spots, n_hot)
    hot = centres[spot] + rng.normal(size=(n_hot, 2)) * sigma_m[spot, None]
    background = np.column_stack([rng.uniform(x0, x1, n - n_hot), rng.uniform(y0, y1, n - n_hot)])
    return np.concatenate([hot, background])[rng.permutation(n)]


def mean_neighbours(xy: NDArray[np.float64], *, sample: int = 4000, seed: int = 7) -> float:
    """Mean size of the eps-neighbourhood (self included) over a random sample of points."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    rows = rng.choice(len(xy), size=min(sample, len(xy)), replace=False)
    counts = cKDTree(xy).query_ball_point(xy[rows], r=EPS_M, return_length=True)
    return float(np.mean(counts))


def _rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def child(engine: str, kind: str, n: int, out: Path) -> dict[str, Any]:
    """One measured run; writes labels and core flags to ``out``."""
    xy = make_points(kind, n)
    if engine == "ours":
        from hotspots.dbscan_kernel import dbscan_core  # here: the scikit-learn child must not load numba

        dbscan_core(xy[:100], eps_m=EPS_M, min_samples=MIN_SAMPLES)  # load the compiled code
        base_mb = _rss_mb()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = dbscan_core(xy, eps_m=EPS_M, min_samples=MIN_SAMPLES)
            times.append(time.perf_counter() - start)
        peak_mb = _peak_rss_mb()
        labels, core = result.labels, result.is_core
        seconds = statistics.median(times)
        report: dict[str, Any] = {"mean_neighbours": mean_neighbours(xy)}
    else:
        from sklearn.cluster import DBSCAN

        base_mb = _rss_mb()
        start = time.perf_counter()
        model = DBSCAN(eps=EPS_M, min_samples=MIN_SAMPLES).fit(xy)
        seconds = time.perf_counter() - start
        peak_mb = _peak_rss_mb()
        labels = model.labels_.astype(np.int64)
        core = np.zeros(n, dtype=bool)
        core[model.core_sample_indices_] = True
        report = {}
    np.savez(out, labels=labels, core=core)
    report.update(seconds=seconds, peak_mb=peak_mb, base_mb=base_mb)
    return report


def _spawn(engine: str, kind: str, n: int, out: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO_ROOT), env.get("PYTHONPATH", "")] if p)
    args = [sys.executable, str(Path(__file__).resolve()), "--child", engine, kind, str(n), str(out)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def agreement(ours: Path, theirs: Path) -> dict[str, bool]:
    """Core points, noise, partition of the cores and exact labels: equal or not."""
    a, b = np.load(ours), np.load(theirs)
    core = b["core"]
    pairs = set(zip(a["labels"][core].tolist(), b["labels"][core].tolist(), strict=True))
    same_partition = (
        len(pairs) == len(set(a["labels"][core].tolist())) == len(set(b["labels"][core].tolist()))
    )
    return {
        "core": bool(np.array_equal(a["core"], core)),
        "noise": bool(np.array_equal(a["labels"] == -1, b["labels"] == -1)),
        "partition": same_partition,
        "labels": bool(np.array_equal(a["labels"], b["labels"])),
    }


def sklearn_estimate(n: int, neighbours: float) -> tuple[float, float]:
    """Estimated peak bytes and seconds of scikit-learn's DBSCAN."""
    memory = n * (neighbours * SKLEARN_BYTES_PER_NEIGHBOUR + SKLEARN_BYTES_PER_POINT)
    seconds = n * (neighbours * SKLEARN_SECONDS_PER_NEIGHBOUR + SKLEARN_SECONDS_PER_POINT)
    return memory, seconds


def _yes(flag: bool) -> str:
    return "yes" if flag else "**NO**"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="100k points only")
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "KIND", "N", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        engine, kind, n, out = args.child
        print(json.dumps(child(engine, kind, int(n), Path(out))))
        return 0

    sizes = [100_000] if args.quick else [100_000, 300_000, 1_000_000]
    rows = []
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("clustered", "uniform"):
            for n in sizes:
                ours_file, theirs_file = Path(tmp, "ours.npz"), Path(tmp, "sklearn.npz")
                ours = _spawn("ours", kind, n, ours_file)
                memory, seconds = sklearn_estimate(n, ours["mean_neighbours"])
                row = (
                    f"| {kind} | {n:,} | {ours['mean_neighbours']:.0f} | {ours['seconds']:.3f} "
                    f"| {ours['peak_mb']:.0f} (+{ours['peak_mb'] - ours['base_mb']:.0f}) "
                )
                if memory > SKLEARN_MAX_BYTES or seconds > SKLEARN_MAX_SECONDS:
                    limits = f"limits {SKLEARN_MAX_BYTES / 1e9:.0f} GB, {SKLEARN_MAX_SECONDS:.0f} s"
                    notes.append(
                        f"sklearn skipped for {kind} {n:,}: estimated {memory / 1e9:.1f} GB and "
                        f"{seconds:.0f} s ({limits})"
                    )
                    row += "| skipped | skipped | - | - | - | - | - |"
                else:
                    theirs = _spawn("sklearn", kind, n, theirs_file)
                    same = agreement(ours_file, theirs_file)
                    row += (
                        f"| {theirs['seconds']:.2f} (est. {seconds:.0f}) "
                        f"| {theirs['peak_mb']:.0f} (est. {memory / 1e6:.0f}) "
                        f"| {theirs['seconds'] / ours['seconds']:.0f}x "
                        f"| {_yes(same['core'])} | {_yes(same['noise'])} | {_yes(same['partition'])} "
                        f"| {_yes(same['labels'])} |"
                    )
                rows.append(row)
                print(f"done: {kind} {n:,}", file=sys.stderr, flush=True)
    print(
        f"eps {EPS_M:g} m, min_samples {MIN_SAMPLES}; times in seconds, memory = peak RSS of the child in MB"
    )
    print("(ours: + what the call added over the process before it).\n")
    print(
        "| data | n | mean neighbours | ours s | ours peak MB | sklearn s | sklearn peak MB | speed-up "
        "| core same | noise same | partition same | labels same |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |")
    for row in rows:
        print(row)
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
