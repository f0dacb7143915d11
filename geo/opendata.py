"""Official open data sets the project uses, and where a local copy of each is found.

Order: the folder named by ``HOTSPOTS_DATA_DIR``, then the cache (``data/``), then the
official download (``geo.download.require``), written to the cache atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo import settings


@dataclass(frozen=True)
class Dataset:
    """One official open data file and where it comes from."""

    key: str
    relpath: str
    title: str
    publisher: str
    licence: str
    source_url: str
    layer: str
    #: The command that downloads it into the cache.
    fetch_command: str = "hotspots districts fetch"


_HEL_WFS = "City of Helsinki WFS"
DATASETS: Final[dict[str, Dataset]] = {
    d.key: d
    for d in (
        Dataset(
            "suurpiiri",
            "helsinki_districts/helsinki_suurpiiri.geojson",
            "Major districts (suurpiiri)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Piirijako_suurpiiri",
        ),
        Dataset(
            "peruspiiri",
            "helsinki_districts/helsinki_peruspiiri.geojson",
            "Basic districts (peruspiiri)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Piirijako_peruspiiri",
        ),
        Dataset(
            "osaalue",
            "helsinki_districts/helsinki_osaalue.geojson",
            "Sub-districts (osa-alue)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Piirijako_osaalue",
        ),
        Dataset(
            "kaupunginosa",
            "helsinki_districts/helsinki_kaupunginosa.geojson",
            "City districts (kaupunginosa)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Kaupunginosajako",
        ),
        Dataset(
            "population_grid",
            "helsinki_population/hsy_population_grid_2021_helsinki.gpkg",
            "Population on a 250 m grid, 2021 (Väestötietoruudukko)",
            "HSY Helsinki Region Environmental Services",
            "CC BY 4.0",
            "HSY WFS",
            "asuminen_ja_maankaytto:Vaestotietoruudukko_2021",
        ),
        Dataset(
            "paavo",
            "helsinki_postal_areas/paavo2023_population.geojson",
            "Population by postal code area, Paavo 2023",
            "Statistics Finland",
            "CC BY 4.0",
            "Statistics Finland WFS",
            "postialue:pno_tilasto_2023",
        ),
    )
}

DISTRICT_KEYS: Final = ("suurpiiri", "peruspiiri", "osaalue", "kaupunginosa")

#: The gazetteer's layers, cached in the register file format of ``geo.gazetteer`` (CSV,
#: lon/lat). Kept apart from ``DATASETS`` because no copy of them ships with the test data.
REGISTER_DATASETS: Final[dict[str, Dataset]] = {
    d.key: d
    for d in (
        Dataset(
            "register_addresses",
            "helsinki_register/addresses.csv",
            "Address register (osoiteluettelo)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Helsinki_osoiteluettelo",
            "hotspots gazetteer fetch",
        ),
        Dataset(
            "register_places",
            "helsinki_register/places.csv",
            "Place names (nimistö)",
            "City of Helsinki, City Survey Services",
            "CC BY 4.0",
            _HEL_WFS,
            "avoindata:Helsinki_nimisto",
            "hotspots gazetteer fetch",
        ),
    )
}


def dataset(key: str) -> Dataset:
    """Return the dataset description for ``key``.

    Parameters
    ----------
    key
        One of ``DATASETS`` or ``REGISTER_DATASETS``.

    Returns
    -------
    Dataset
        Its file, title, publisher, licence and source.

    Raises
    ------
    ValueError
        For an unknown key; the message lists the keys.
    """
    known = {**DATASETS, **REGISTER_DATASETS}
    try:
        return known[key]
    except KeyError:
        raise ValueError(f"dataset was {key!r} but is expected to be one of {sorted(known)}") from None


def locate(key: str) -> Path | None:
    """Return a local copy of dataset ``key`` (data dir first, then cache), or None.

    Parameters
    ----------
    key
        One of ``DATASETS``.

    Returns
    -------
    Path or None
        The file under ``HOTSPOTS_DATA_DIR`` if there, else under the cache folder, else None.
    """
    relpath = dataset(key).relpath
    data_dir = settings.data_dir()
    candidates = ([data_dir / relpath] if data_dir else []) + [settings.cache_dir() / relpath]
    for path in candidates:
        if path.is_file():
            return path
    return None


def unavailable_message(key: str, reason: str) -> str:
    """Return the one message a user sees when dataset ``key`` cannot be had.

    Parameters
    ----------
    key
        One of ``DATASETS``.
    reason
        Why the download failed (or that downloads were not allowed).

    Returns
    -------
    str
        Where the copy was looked for, why the download failed and what to do.
    """
    ds = dataset(key)
    where = settings.data_dir()
    looked = f"{settings.ENV_DATA_DIR}={where}, " if where else f"{settings.ENV_DATA_DIR} (unset), "
    return (
        f"{ds.title} are not available: no local copy (looked in {looked}"
        f"cache {settings.cache_dir()}) and the download from {ds.source_url} ({ds.layer}) "
        f"failed: {reason}. Connect to the internet and run `{ds.fetch_command}`, "
        f"or set {settings.ENV_DATA_DIR} to a folder that holds {ds.relpath}."
    )
