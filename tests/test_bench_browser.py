"""The browser benchmark's own arithmetic: CPU time from /proc, process trees, the verdicts.

No browser and no timing here: the measuring helpers read this very test process, whose
CPU time and parent are known to the standard library.
"""

from __future__ import annotations

import os
import time

import pytest

pytest.importorskip("playwright.sync_api", reason="the benchmark drives Chromium through playwright")

from bench import browser  # after the skip: the module imports playwright

TICKS = os.sysconf("SC_CLK_TCK")


def test_cpu_time_is_read_after_a_command_name_with_spaces_and_parentheses() -> None:
    # Fields 14-17 (utime, stime, cutime, cstime) are 250, 50, 7, 3 ticks.
    fields = ["S", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "250", "50", "7", "3", "20"]
    stat = "4242 (Web Content (x) 2) " + " ".join(fields)
    assert browser.cpu_seconds_from_stat(stat, 100) == pytest.approx(3.0)
    assert browser.cpu_seconds_from_stat(stat, 100, children=True) == pytest.approx(3.1)
    assert browser.parent_of_stat(stat) == 1


def test_this_process_cpu_time_matches_what_python_measures() -> None:
    end = time.process_time() + 0.3
    while time.process_time() < end:  # burn some CPU so both clocks move
        pass
    ours = browser.process_cpu_s(os.getpid())
    assert ours == pytest.approx(time.process_time(), abs=3 / TICKS + 0.05)
    assert browser.process_cpu_s(2**22 + 12345) == 0.0  # no such process: nothing used


def test_descendants_follow_the_whole_tree_and_leave_the_root_out() -> None:
    parents = {10: 1, 11: 10, 12: 11, 13: 10, 20: 1, 21: 20}
    assert browser.descendants(parents, 10) == {11, 12, 13}
    assert browser.descendants(parents, 21) == set()
    assert os.getpid() in browser.descendants({os.getpid(): os.getppid(), os.getppid(): 1}, os.getppid())


def test_rows_are_judged_on_the_median_or_on_each_sample() -> None:
    fresh = browser.Row("fresh", [2.0, 2.5, 9.0], target=3.0)
    parallel = browser.Row("together", [2.0, 2.5, 9.0], target=3.0, each=True)
    payload = browser.Row("bytes", [120_000.0, 80_000.0], unit="B")
    assert (fresh.median, fresh.worst, fresh.verdict) == (2.5, 9.0, "PASS")
    assert parallel.verdict == "FAIL"
    assert payload.verdict == "-" and browser.Row("none", []).verdict == "-"
    lines = browser.table([fresh, parallel, payload]).splitlines()
    assert lines[2] == "| fresh | 3 | 2.50 s | 9.00 s | < 3 s | PASS |  |"
    assert lines[3] == "| together | 3 | 2.50 s | 9.00 s | < 3 s (each) | FAIL |  |"
    assert lines[4] == "| bytes | 2 | 100 kB | 120 kB | - | - |  |"


def test_the_load_average_names_the_cores() -> None:
    assert browser.load_average().endswith(f"(on {os.cpu_count()} cores)")


def test_each_variant_of_the_parts_benchmark_switches_off_a_section_the_page_has() -> None:
    from bench import browser_parts
    from views import controls, page

    modules = {"page": page, "controls": controls}
    switched = [lines for lines in browser_parts.VARIANTS.values() if lines]
    assert len(switched) == 4
    for lines in switched:
        for line in lines.splitlines():
            module, name = line.split("=")[0].strip().split(".")
            assert callable(getattr(modules[module], name)), line  # a renamed section fails here
        script = browser_parts.variant_script(lines)
        compile(script, "variant.py", "exec")
        # The switch comes before the app's script runs, and the app is run as __main__.
        assert script.index(lines) < script.index("exec(")
        assert "'__name__': '__main__'" in script and str(browser_parts.ROOT / "app.py") in script
