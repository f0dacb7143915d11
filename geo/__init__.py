"""Where things are: CRS, Helsinki's official districts, open data, incident import, demo data.

The bottom layer: ``geo`` imports no other package of this project (and never Streamlit).

Places and reference data

- ``crs``: the three coordinate reference systems, transforms, guessing one from numbers
- ``districts``: the official osa-alue / peruspiiri / suurpiiri layers, tagging points
  with them, land and sea
- ``population``: residents and young residents per district (HSY grid, Paavo areas)
- ``opendata``: the official data sets and where a local copy of each is found
- ``download``: fetching, validating and caching those data sets
- ``wfs``: the publishers' WFS services (request URLs, GET, the GeoJSON answer)
- ``settings``: configuration in one place, overridable by environment variables

Incidents

- ``schema``: the canonical incident table, categories and sources
- ``incidents``: importing a partner's file into the canonical table (the pipeline)
- ``reading``: reading CSV, XLSX, GeoJSON, GeoPackage and Parquet files as they arrive
- ``encoding``: which character encoding a text file is in, told from its bytes
- ``columns``: which column is which (Finnish, Swedish, English names, mappings)
- ``cells``: what a cell says (text, numbers with either decimal mark, flags)
- ``timeparse``: times as people write them, to Europe/Helsinki
- ``categories``: Finnish, Swedish and English labels to canonical categories and sources
- ``coordinates``: a file's coordinates to EPSG:3067 metres (CRS settled, axes checked)
- ``identity``: incident ids (the source's, else a content hash), duplicates, conflicts
- ``rejects``: the rows an import refused, and their CSV

Addresses and place names

- ``gazetteer``: the register of addresses and place names (a user's file or the official copy)
- ``registerlayers``: the official address and place-name layers, downloaded and cached
- ``addresstext``: how people write addresses (numbers, abbreviations, inflection, typos)
- ``geocoder``: texts to coordinates with a match quality, and points to names

Demo data

- ``demo``: synthetic but realistic incidents over the real districts
- ``demo_profiles``: the places and category profiles the demo draws from

Shared pieces

- ``errors``: the exceptions a person can act on
- ``files``: atomic writes
- ``spreadsheet``: cells made safe to open in a spreadsheet

The public API for a notebook or a script (everything else is an internal module)::

    from geo import hierarchy, import_incidents, load_districts

    result = import_incidents("ilmoitukset.csv")   # canonical incidents, rejects, report
    kallio = load_districts("peruspiiri").query("name_fi == 'Kallio'")
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from geo.crs import GK25, METRIC, WGS84, to_metric, to_wgs84
    from geo.demo import generate_demo, write_demo
    from geo.districts import LEVELS, hierarchy, load_districts, tag_points
    from geo.errors import (
        ColumnMappingError,
        DataUnavailableError,
        DownloadError,
        HotspotsError,
        InputFormatError,
        ParameterError,
        StoreError,
    )
    from geo.gazetteer import Register, load_register, read_register
    from geo.geocoder import Geocoder
    from geo.incidents import ImportReport, ImportResult, import_incidents
    from geo.population import residents_by_district
    from geo.reading import read_table
    from geo.schema import CATEGORIES, INCIDENT_COLUMNS, SOURCES

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Geocoder": "geo.geocoder",
    "Register": "geo.gazetteer",
    "load_register": "geo.gazetteer",
    "read_register": "geo.gazetteer",
    "CATEGORIES": "geo.schema",
    "ColumnMappingError": "geo.errors",
    "DataUnavailableError": "geo.errors",
    "DownloadError": "geo.errors",
    "GK25": "geo.crs",
    "HotspotsError": "geo.errors",
    "INCIDENT_COLUMNS": "geo.schema",
    "ImportReport": "geo.incidents",
    "ImportResult": "geo.incidents",
    "InputFormatError": "geo.errors",
    "LEVELS": "geo.districts",
    "METRIC": "geo.crs",
    "ParameterError": "geo.errors",
    "SOURCES": "geo.schema",
    "StoreError": "geo.errors",
    "WGS84": "geo.crs",
    "generate_demo": "geo.demo",
    "hierarchy": "geo.districts",
    "import_incidents": "geo.incidents",
    "load_districts": "geo.districts",
    "read_table": "geo.reading",
    "residents_by_district": "geo.population",
    "tag_points": "geo.districts",
    "to_metric": "geo.crs",
    "to_wgs84": "geo.crs",
    "write_demo": "geo.demo",
}

__all__ = [
    "CATEGORIES",
    "GK25",
    "INCIDENT_COLUMNS",
    "LEVELS",
    "METRIC",
    "SOURCES",
    "WGS84",
    "ColumnMappingError",
    "DataUnavailableError",
    "DownloadError",
    "Geocoder",
    "HotspotsError",
    "ImportReport",
    "ImportResult",
    "InputFormatError",
    "ParameterError",
    "Register",
    "StoreError",
    "generate_demo",
    "hierarchy",
    "import_incidents",
    "load_districts",
    "load_register",
    "read_register",
    "read_table",
    "residents_by_district",
    "tag_points",
    "to_metric",
    "to_wgs84",
    "write_demo",
]


def __getattr__(name: str) -> Any:
    """Load a public name on first use: ``geo.errors`` alone must not pull in geopandas."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
