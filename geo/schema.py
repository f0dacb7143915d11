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


def empty_incidents() -> pd.DataFrame:
    """Return an incident table with no rows and the canonical columns and dtypes.

    Returns
    -------
    DataFrame
        Columns and dtypes of ``INCIDENT_DTYPES``.
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in INCIDENT_DTYPES.items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with exactly the canonical columns, in order and dtype.

    Parameters
    ----------
    frame
        An incident table with at least the canonical columns; extra columns are dropped.

    Returns
    -------
    DataFrame
        ``INCIDENT_DTYPES`` columns on a fresh 0..n-1 index.

    Raises
    ------
    ValueError
        When a canonical column is missing; the message names it.
    """
    missing = [name for name in INCIDENT_DTYPES if name not in frame.columns]
    if missing:
        raise ValueError(f"incident table lacks the canonical columns {missing}")
    return frame.loc[:, list(INCIDENT_DTYPES)].astype(INCIDENT_DTYPES).reset_index(drop=True)
