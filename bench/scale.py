"""Benchmark: street-scale hotspots at every volume, and how long ``hotspots cluster`` takes.

Run ``python -m bench.scale`` (``--sizes 20000,100000`` for fewer). For each size it writes
the synthetic demo (``hotspots demo --n N --seed 2026``), then runs
``hotspots cluster demo.csv --since 2025-05-01 --until 2025-11-01`` with the defaults
(automatic parameters) as a separate process, as a user would, and prints:

* hotspots found, the largest one (km²) and all of them together as a share of Helsinki's
  land (the size rule: at least 5 hotspots, none over 1 km², together at most 5 %);
* wall time and peak memory of the whole command against the targets (15 s, 1 GB at 500k),
  and the time of each stage measured in-process (reading and checking the file, the
  automatic choice, the rest of the analysis).

Needs the open data (``HOTSPOTS_DATA_DIR`` or the cache).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import geopandas as gpd

SINCE, UNTIL = "2025-05-01", "2025-11-01"
TARGET_S: Final = 15.0
TARGET_MB: Final = 1024.0

_STAGES = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from geo import incidents
from hotspots import analysis
from hotspots.clustering import clustering_from_text
from hotspots.grid import study_grid_for
from hotspots.selection import Selection, apply
t1 = time.perf_counter()
table = incidents.import_incidents(Path(sys.argv[1]), file_name="demo.csv").incidents
t2 = time.perf_counter()
selection = Selection(since=sys.argv[2], until=sys.argv[3])
current = apply(table, selection)
choice = analysis.choose_parameters(table, selection, clustering_from_text(), selected=current)
t3 = time.perf_counter()
result = analysis.analyse(table, selection=selection, clustering=clustering_from_text(), parameters=choice)
t4 = time.perf_counter()
land = study_grid_for(Selection()).area_km2
print(json.dumps({"start_s": t1 - t0, "read_s": t2 - t1, "choice_s": t3 - t2, "analysis_s": t4 - t3,
                  "land_km2": land}))
"""


#: The command run in a child that reports its own peak memory (the ``hotspots`` entry point).
_CLUSTER = (
    "import resource, sys\n"
    "from cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def run_size(n: int, folder: Path) -> dict[str, float]:
    """Demo of ``n`` incidents, the cluster command on it, and its figures."""
    demo = folder / f"demo{n}.csv"
    out = folder / f"hotspots{n}.geojson"
    python = sys.executable
    subprocess.run(
        [python, "-m", "hotspots", "demo", "--out", str(demo), "--n", str(n), "--seed", "2026"],
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-c", _CLUSTER, "cluster", str(demo), "--since", SINCE, "--until", UNTIL, "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = float(done.stderr.split("PEAK_KB")[-1].split()[0]) / 1024.0
    stages = json.loads(
        subprocess.run(
            [python, "-c", _STAGES, str(demo), SINCE, UNTIL], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    table = gpd.read_file(out).to_crs("EPSG:3067")
    area = table.geometry.area / 1e6
    selected = next(line for line in done.stdout.splitlines() if "incidents selected" in line)
    return {
        "n": float(n),
        "selected": float(selected.split()[0]),
        "hotspots": float(len(table)),
        "largest_km2": float(area.max()) if len(table) else 0.0,
        "total_share": float(area.sum() / stages["land_km2"]),
        "seconds": seconds,
        "peak_mb": peak,
        **{k: float(v) for k, v in stages.items() if k != "land_km2"},
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000,200000,500000")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",") if s.strip()):
            rows.append(run_size(n, Path(tmp)))
            print(f"  {n}: done", file=sys.stderr)
    print(
        "| incidents | in May-Oct 2025 | hotspots | largest km² | together, % of land | "
        "cluster s (x target) | peak MB (x target) | read s | choice s | rest s |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {int(r['n']):,} | {int(r['selected']):,} | {int(r['hotspots'])} | {r['largest_km2']:.3f} | "
            f"{100 * r['total_share']:.2f} | {r['seconds']:.1f} ({r['seconds'] / TARGET_S:.2f}) | "
            f"{r['peak_mb']:.0f} ({r['peak_mb'] / TARGET_MB:.2f}) | {r['read_s']:.1f} | "
            f"{r['choice_s']:.1f} | {r['analysis_s']:.1f} |"
        )


if __name__ == "__main__":
    main()
