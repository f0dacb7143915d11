"""``hotspots brief --review``: the six-monthly review of a half-year as a PDF for the meeting.

``brief`` hands over to ``run`` when given ``--review``; the incidents, filters, clustering,
service points and sharing options are read as for the briefing (``cli.arguments``)::

    hotspots brief --review --since 2026-05-01 --until 2026-11-01 --out review.pdf --db URL
    hotspots brief demo.csv --review --since 2026-05-01 --until 2026-11-01 --measures m.csv --out r.pdf

The measures come from the store (``--db``: those in place in the period, as the operator
sees them) and from ``--measures FILE`` (CSV or GeoJSON, ``hotspots.measure_files``); a
file with a bad row is refused whole, its first problem named and every bad row written
beside it, as ``hotspots measures import`` does. The review is
``hotspots.review.review``, the PDF ``briefing.review_pdf.review_pdf_bytes``; a file made
from the store is recorded in its audit trail (``export``, kind ``review_pdf``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

import pandas as pd

import store
from briefing import is_synthetic, pdf
from briefing.privacy import check_min_count
from briefing.review_pdf import review_pdf_bytes
from cli import arguments
from geo import districts, files, schema, settings
from geo.errors import HotspotsError, ParameterError
from geo.rejects import write_rejects
from hotspots.comparison import STATUSES
from hotspots.measure_files import first_problem, read_measures
from hotspots.measures import RecordedMeasure
from hotspots.recommendation import read_service_points
from hotspots.review import Review, ReviewSettings, review
from store import redact_url

#: What the audit trail calls a review PDF.
EXPORT_KIND: Final = "review_pdf"


def _check(args: argparse.Namespace) -> Path:
    """Refuse what the review cannot do, one line each; return the PDF's path."""
    missing = [flag for flag, value in (("--since", args.since), ("--until", args.until)) if value is None]
    if missing:
        raise ParameterError(
            f"--review needs {' and '.join(missing)}: the half-year under review, "
            "e.g. --since 2026-05-01 --until 2026-11-01"
        )
    target = Path(args.out)
    if target.suffix.lower() != ".pdf":
        raise ParameterError(
            f"--out was {target.name!r} but the review is a PDF: give a file ending in .pdf, "
            "e.g. --out review.pdf"
        )
    if args.density:
        raise ParameterError("--density shades the briefing's map; the review draws none, leave it out")
    return target


def _stored(args: argparse.Namespace, since: pd.Timestamp, until: pd.Timestamp) -> list[RecordedMeasure]:
    """Return the store's measures in place in ``[since, until)``, as the operator sees them."""
    if not args.db:
        return []
    with store.open_store(args.db) as db:
        return db.measures(scope=arguments.operator_scope(), since=since, until=until)


def _from_file(path: Path, *, first_id: int) -> list[RecordedMeasure]:
    """Return a measure file's rows as measures numbered from ``first_id``; refuse a file with a bad row."""
    if not path.is_file():
        raise HotspotsError(f"--measures file {path} does not exist; give a CSV or GeoJSON file of measures")
    result = read_measures(
        path, hierarchy=districts.hierarchy(), osaalue_layer=districts.load_districts("osaalue")
    )
    if len(result.rejects):
        rejects_path = path.with_name(path.stem + ".rejects.csv")
        write_rejects(result.rejects, rejects_path)
        raise HotspotsError(
            f"{path.name}: {result.bad_rows} of {result.rows_read} rows are bad, so no review was written; "
            f"first: {first_problem(result)}. Fix them (all are in {rejects_path}) or leave --measures out"
        )
    now = pd.Timestamp.now(tz=schema.TIMEZONE)
    user = arguments.operator_scope().user
    return [
        RecordedMeasure(
            id=first_id + i,  # after the store's numbers, so that no two measures share one
            measure=row.measure,
            place_kind=row.place.place_kind,
            place_ref=row.place.place_ref,
            osaalue=row.place.osaalue,
            recorded_by=user,
            recorded_at=now,
        )
        for i, row in enumerate(result.measures)
    ]


def summary(result: Review, *, stored: int, in_file: int) -> str:
    """Return the one line ``run`` prints: hotspots by status, measures read and reviewed, forecast.

    Parameters
    ----------
    result
        The review written.
    stored, in_file
        Measures read from the store and from ``--measures``.

    Returns
    -------
    str
    """
    counts = result.status_counts()
    statuses = ", ".join(f"{s} {counts[s]}" for s in (*STATUSES, "vanished"))
    if result.forecast is None:
        ahead = f"no forecast ({result.forecast_problem})"
    else:
        ahead = f"forecast {len(result.forecast.analysis.hotspots)} hotspots for the next half-year"
    return (
        f"{len(result.analysis.hotspots)} hotspots ({statuses}); measures read {stored + in_file} "
        f"({stored} from the store, {in_file} from the file), {len(result.measures)} in the period; {ahead}"
    )


def run(args: argparse.Namespace) -> int:
    """Build the review of ``--since``-``--until`` and write its PDF to ``--out``.

    Parameters
    ----------
    args
        Parsed ``brief`` options with ``--review`` (``cli.brief.register``).

    Returns
    -------
    int
        0 on success; errors meant for people are raised as ``HotspotsError``.
    """
    target = _check(args)
    min_count = check_min_count(args.min_count)
    clustering = arguments.clustering_from_args(args)
    selection = arguments.selection_from_args(args)
    assert selection.since is not None and selection.until is not None  # _check made sure
    services = read_service_points(Path(args.services)) if args.services else None
    stored = _stored(args, selection.since, selection.until)
    from_file = (
        _from_file(Path(args.measures), first_id=max((m.id for m in stored), default=0) + 1)
        if args.measures
        else []
    )
    frame, origin = arguments.load_incidents(args)
    result = review(
        frame,
        since=selection.since,
        until=selection.until,
        measures=[*stored, *from_file],
        peruspiiri_layer=districts.load_districts("peruspiiri"),
        settings=ReviewSettings(
            selection=selection,
            clustering=clustering,
            study=arguments.study_from_args(args),
            service_points=services,
        ),
    )
    origin = redact_url(origin, shareable=True)
    options = pdf.BriefOptions(
        lang=args.lang,
        restricted=args.restricted,
        min_count=min_count,
        origin=origin,
        tiles_url=(settings.tiles_url() or None) if args.tiles else None,
    )
    files.write_bytes_atomically(target, review_pdf_bytes(result, options))
    arguments.audit_export(args, result.analysis, target, kind=EXPORT_KIND)

    synthetic = " (synthetic demo data)" if is_synthetic(result.analysis) else ""
    kind = "RESTRICTED" if args.restricted else f"aggregated, counts below {min_count} suppressed"
    print(f"{origin}{synthetic}: {summary(result, stored=len(stored), in_file=len(from_file))}")
    print(f"wrote {target} ({kind})")
    return 0
