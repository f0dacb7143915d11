"""The ranking beside the map and the hotspot choice (views.ranking_table): the pure rules."""

from __future__ import annotations

from hotspots.clustering import ClusteringParams
from views.ranking_table import newest_pick, weaker


def test_the_newest_pick_of_table_and_map_wins() -> None:
    # A map click on H3 overrides an earlier table pick, and says so (the table resets).
    assert newest_pick("H1", table_pick="H1", last_table_pick="H1", map_pick="H3", last_map_pick=None) == (
        "H3",
        True,
    )
    # The same map click seen again on a later rerun changes nothing.
    assert newest_pick("H3", table_pick=None, last_table_pick=None, map_pick="H3", last_map_pick="H3") == (
        "H3",
        False,
    )
    # A new table pick after that wins; unticking the row clears the choice.
    assert newest_pick("H3", table_pick="H2", last_table_pick=None, map_pick="H3", last_map_pick="H3") == (
        "H2",
        False,
    )
    assert newest_pick("H2", table_pick=None, last_table_pick="H2", map_pick="H3", last_map_pick="H3") == (
        None,
        False,
    )


def test_weaker_parameters_grow_the_radius_and_halve_the_minimum() -> None:
    assert weaker(ClusteringParams(eps_m=100.0, min_samples=19)) == (150, 9)
    assert weaker(ClusteringParams(eps_m=400.0, min_samples=5)) == (500, 3)
