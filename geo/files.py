"""Atomic file writes: a reader sees the previous file or the new one, never half of one.

Every file the project writes for others to read (downloaded open data, caches, exports,
briefings, demo data, the map's static assets) goes through ``write_atomically``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """Write ``target`` through ``write(tmp)``, then move ``tmp`` over it in one step.

    ``tmp`` has ``target``'s name inside a new private folder beside it (same file system,
    so the move is atomic; same suffix, so writers that pick a format by suffix work; and
    it does not exist yet). Whatever happens, the folder is removed again and ``target``
    is either untouched or complete. The target's folder is created.

    Parameters
    ----------
    target
        The file to write.
    write
        Writes the complete content to the path it is given (its result is ignored).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    OSError
        The folder or the file cannot be written; ``target`` is as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        tmp = workdir / target.name
        write(tmp)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def write_bytes_atomically(target: Path, content: bytes) -> Path:
    """Write ``content`` to ``target`` atomically (``write_atomically`` for content in memory).

    Parameters
    ----------
    target
        The file to write; its folder must exist.
    content
        The bytes to write.

    Returns
    -------
    Path
        ``target``.
    """
    return write_atomically(target, lambda tmp: tmp.write_bytes(content))
