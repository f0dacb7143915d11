"""``hotspots import``: a partner's file into the store, with its rejects written beside it.

The import is recorded in the store's audit trail (``import``) under the operator's name
(``cli.arguments.operator_scope``), in the batch's own transaction.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

import store
from cli.arguments import (
    DB_HELP,
    add_part_arguments,
    add_register_arguments,
    operator_scope,
    parse_mapping,
    register_from_args,
)
from geo import incidents, rejects
from geo.errors import HotspotsError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``import`` command to the ``hotspots`` sub-parsers."""
    p = sub.add_parser("import", help="import an incident file into the store")
    p.add_argument("file")
    p.add_argument("--crs", help="EPSG code of x/y columns: 3879, 3067 or 4326")
    p.add_argument("--map", action="append", metavar="COLUMN=FIELD", help="map a column to a canonical field")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--rejects", help="where to write rejected rows (default FILE.rejects.csv)")
    add_register_arguments(p, purpose="to geocode rows that give an address but no coordinates")
    add_part_arguments(p)
    p.set_defaults(func=run)


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: the store's key for "this file was imported before"."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(args: argparse.Namespace) -> int:
    """Import ``FILE`` into the store and print the report."""
    path = Path(args.file)
    if not path.is_file():
        raise HotspotsError(
            f"input file {path} does not exist; give the path of a CSV, XLSX, GeoJSON, GPKG or Parquet file"
        )
    register = register_from_args(args, official=False)
    result = incidents.import_incidents(
        path,
        crs=args.crs,
        mapping=parse_mapping(args.map or []),
        file_name=path.name,
        sheet=args.sheet,
        layer=args.layer,
        register=register,
    )
    report = result.report
    rejects_path = Path(args.rejects) if args.rejects else path.with_name(path.stem + ".rejects.csv")
    if len(result.rejects):
        # Written before the store commits: an unwritable place stops the import with
        # nothing added, never with the incidents stored and their rejects lost.
        rejects.write_rejects(result.rejects, rejects_path)
    with store.open_store(args.db) as db:
        batch = db.add_batch(
            result.incidents,
            file_name=path.name,
            content_hash=content_hash(path),
            rows_read=report.rows_read,
            rejected=report.rejected,
            scope=operator_scope(),
        )
    if len(batch.conflicts):
        rejects.write_rejects(pd.concat([result.rejects, batch.conflicts], ignore_index=True), rejects_path)
    print(f"file:       {path}")
    print(f"read:       {report.rows_read} rows")
    if batch.already_imported:
        print("note:       this file was imported before (same content hash); nothing added")
    print(f"accepted:   {len(result.incidents)} rows ({batch.added} added to the store)")
    print(f"duplicates: {report.duplicates_in_file} in the file, {batch.duplicates} already in the store")
    print(f"rejected:   {report.rejected} rows, {len(batch.conflicts)} conflicting ids against the store")
    for quality, rows in report.position_qualities:
        print(f"position:   {rows} {quality}")
    for line in report.notes():
        print(f"note:       {line}")
    if len(result.rejects) or len(batch.conflicts):
        print(f"rejects:    {rejects_path}")
    return 0
