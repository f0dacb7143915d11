"""Atomic writes: the old file or the new one, never half, and no leftovers."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.files import write_atomically, write_bytes_atomically


def test_a_failing_writer_leaves_the_previous_file_and_no_temporary_folder(tmp_path: Path) -> None:
    target = tmp_path / "out" / "hotspots.geojson"
    write_bytes_atomically(target, b"old")

    def half_then_fail(tmp: Path) -> None:
        assert tmp.name == target.name and tmp.parent.parent == target.parent and not tmp.exists()
        tmp.write_bytes(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["hotspots.geojson"]


def test_the_new_content_replaces_the_old_and_the_folder_is_made(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "briefing.pdf"
    assert write_bytes_atomically(target, b"%PDF-1") == target
    assert write_atomically(target, lambda tmp: tmp.write_bytes(b"%PDF-2")) == target
    assert target.read_bytes() == b"%PDF-2"
    assert sorted(p.name for p in target.parent.iterdir()) == ["briefing.pdf"]
