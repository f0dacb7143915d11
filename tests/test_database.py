"""The steps both database backends share (store.database.DatabaseStore), on each backend.

The contract (test_store_base.py) checks what a store promises; these check two steps the
promises rest on: a file imported before is recognised by its content hash before any of
its rows is read, and district names stored once per combination (``district_tags``)
come back right across batches that add new combinations.
"""

from __future__ import annotations

import pandas as pd

from store import LOCAL_ANALYST
from tests import test_store_base
from tests.test_store_base import Opener, add, make_incidents, sorted_canonical

#: test_store_base's fixtures: real central-Helsinki addresses with their districts, and new
#: empty stores of each backend.
places = test_store_base.places
fresh = test_store_base.fresh


def test_a_file_imported_before_is_not_read_again(places: pd.DataFrame, fresh: Opener) -> None:
    frame = make_incidents(places, 50, seed=40, prefix="once")
    unreadable = frame.drop(columns=["source", "occurred_at"])  # would stop any batch that is read
    with fresh() as st:
        first = add(st, frame, "a.csv")
        again = add(st, unreadable, "a (renamed).csv", content_hash="sha256-of-a.csv", rows_read=7)
        log = st.batches()
        assert st.count() == 50
    assert again.already_imported and again.duplicate_of == first.batch_id
    assert (again.added, again.duplicates, again.n_conflicts) == (0, 0, 0)
    assert list(log["file_name"]) == ["a.csv", "a (renamed).csv"]
    assert list(log["rows_read"]) == [50, 7] and list(log["duplicate_of"].isna()) == [True, False]


def test_district_names_come_back_right_across_batches(places: pd.DataFrame, fresh: Opener) -> None:
    first = make_incidents(places, 200, seed=41, prefix="d1")
    second = make_incidents(places, 200, seed=42, prefix="d2")
    # the second file brings new combinations (a renamed osa-alue, a new Swedish name)
    # beside the ones the first stored
    second.loc[::3, "osaalue_fi"] = second.loc[::3, "osaalue_fi"] + " (uusi)"
    second.loc[1::5, "suurpiiri_sv"] = "Ny storområde"
    with fresh() as st:
        add(st, first, "d1.csv")
        add(st, second, "d2.csv")
        got = st.query(scope=LOCAL_ANALYST)
    pd.testing.assert_frame_equal(got, sorted_canonical(pd.concat([first, second])), check_exact=True)
