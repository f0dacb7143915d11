"""The canonical incident schema: columns, categories, sources and their labels."""

from __future__ import annotations

from typing import Final

import pandas as pd

CATEGORIES: Final = (
    "drug_dealing",
    "youth_violence",
    "gang_activity",
    "assault",
    "robbery",
    "weapons",
    "vandalism",
    "disturbance",
    "resident_concern",
    "other",
)

SOURCES: Final = (
    "police",
    "youth_services",
    "child_protection",
    "school",
    "ngo",
    "resident",
    "other",
)

#: The canonical columns of an imported incident table, in this order. ``x_m``/``y_m`` are
#: EPSG:3067 metres; ``lon``/``lat`` WGS84 for the edges (map, exports); ``synthetic`` is
#: True for generated demo rows (the source of a demo row is marked demo this way, so
#: ``source`` keeps the canonical values that filters use).
INCIDENT_COLUMNS: Final = (
    "id",
    "occurred_at",
    "category",
    "category_raw",
    "source",
    "severity",
    "description",
    "x_m",
    "y_m",
    "lon",
    "lat",
    "synthetic",
)

#: District columns added by point-in-district tagging (see ``geo.districts.tag_points``).
DISTRICT_COLUMNS: Final = (
    "osaalue_code",
    "osaalue_fi",
    "osaalue_sv",
    "peruspiiri_code",
    "peruspiiri_fi",
    "peruspiiri_sv",
    "suurpiiri_code",
    "suurpiiri_fi",
    "suurpiiri_sv",
    "in_helsinki",
)

TIMEZONE: Final = "Europe/Helsinki"

#: pandas dtypes of the canonical columns (incident columns, then district columns).
INCIDENT_DTYPES: Final[dict[str, str]] = {
    "id": "string",
    "occurred_at": f"datetime64[ns, {TIMEZONE}]",
    "category": "string",
    "category_raw": "string",
    "source": "string",
    "severity": "Int64",
    "description": "string",
    "x_m": "float64",
    "y_m": "float64",
    "lon": "float64",
    "lat": "float64",
    "synthetic": "bool",
    "osaalue_code": "string",
    "osaalue_fi": "string",
    "osaalue_sv": "string",
    "peruspiiri_code": "string",
    "peruspiiri_fi": "string",
    "peruspiiri_sv": "string",
    "suurpiiri_code": "string",
    "suurpiiri_fi": "string",
    "suurpiiri_sv": "string",
    "in_helsinki": "bool",
}


#: Optional columns saying how each incident's position was found (``geo.geocoding``), kept
#: after the canonical ones: ``geocode_quality`` (``source`` for the source's own
#: coordinates, else the register match's quality) and ``geocode_match`` (the register text
#: matched, '' when none). Not part of an incident's content: the same incident placed again
#: is the same incident (the store's content hash leaves them out).
GEOCODE_DTYPES: Final[dict[str, str]] = {"geocode_quality": "string", "geocode_match": "string"}
#: Names of ``GEOCODE_DTYPES``, in order.
GEOCODE_COLUMNS: Final = tuple(GEOCODE_DTYPES)
#: Position quality of coordinates the source gave itself, and of every incident without one.
SOURCE_QUALITY: Final = "source"
#: dtypes of a table with positions' qualities: ``INCIDENT_DTYPES``, then ``GEOCODE_DTYPES``.
LOCATED_DTYPES: Final[dict[str, str]] = {**INCIDENT_DTYPES, **GEOCODE_DTYPES}


def empty_incidents(*, geocode: bool = False) -> pd.DataFrame:
    """Return an incident table with no rows and the canonical columns and dtypes.

    Parameters
    ----------
    geocode
        Add the ``GEOCODE_COLUMNS`` after the canonical ones.

    Returns
    -------
    DataFrame
        Columns and dtypes of ``INCIDENT_DTYPES`` (``LOCATED_DTYPES`` with ``geocode``).
    """
    dtypes = LOCATED_DTYPES if geocode else INCIDENT_DTYPES
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})


def conform(frame: pd.DataFrame, *, geocode: bool = False) -> pd.DataFrame:
    """Return a copy of ``frame`` with exactly the canonical columns, in order and dtype.

    Parameters
    ----------
    frame
        An incident table with at least the canonical columns; extra columns are dropped.
    geocode
        Keep the ``GEOCODE_COLUMNS`` after the canonical ones. Where ``frame`` lacks them,
        or a value is missing, the position is the source's own: ``geocode_quality`` is
        ``SOURCE_QUALITY`` and ``geocode_match`` ''. Their values are not checked here.

    Returns
    -------
    DataFrame
        ``INCIDENT_DTYPES`` (``LOCATED_DTYPES`` with ``geocode``) columns on a fresh 0..n-1 index.

    Raises
    ------
    ValueError
        When a canonical column is missing; the message names it.
    """
    missing = [name for name in INCIDENT_DTYPES if name not in frame.columns]
    if missing:
        raise ValueError(f"incident table lacks the canonical columns {missing}")
    out = frame.loc[:, list(INCIDENT_DTYPES)].astype(INCIDENT_DTYPES).reset_index(drop=True)
    if not geocode:
        return out
    for name, default in zip(GEOCODE_COLUMNS, (SOURCE_QUALITY, ""), strict=True):
        given = frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index, dtype=object)
        out[name] = given.astype(GEOCODE_DTYPES[name]).fillna(default).reset_index(drop=True)
    return out
