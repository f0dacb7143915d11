"""The official address register and place names: paged download, field mapping, atomic cache.

City of Helsinki WFS (``settings.wfs_url()``), layers ``avoindata:Helsinki_osoiteluettelo``
(addresses with Finnish and Swedish street names, house numbers, postcodes) and
``avoindata:Helsinki_nimisto`` (place names ``nimi`` / ``nimi_sv``), both in ETRS-GK25
(EPSG:3879). They are fetched page by page, checked, mapped to the register file columns of
``geo.gazetteer`` and written as CSV in lon/lat into the cache with ``geo.files``: a failed
download never leaves a partial file and never replaces a good one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo import crs, files, opendata, settings, wfs
from geo.errors import DataUnavailableError, DownloadError, ParameterError

ADDRESS_KEY: Final = "register_addresses"
PLACE_KEY: Final = "register_places"
#: Features per WFS request; GeoServer's default cap is often 10,000 or lower.
DEFAULT_PAGE_SIZE: Final = 5000

#: Official field -> register column. These field names come from the publisher's description
#: of the address list and place names; they could not be checked against DescribeFeatureType
#: offline, so this is the one place to correct them. The first name present wins.
OFFICIAL_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "street_fi": ("katunimi", "kadunnimi"),
    "street_sv": ("gatan", "gatunamn", "katunimi_sv"),
    "number": ("osoitenumero_teksti", "osoitenumero"),
    "number_end": ("osoitenumero2",),
    "letter": ("osoitekirjain", "kirjain"),
    "postcode": ("postinumero",),
    "name_fi": ("nimi", "nimi_fi"),
    "name_sv": ("nimi_sv", "nimi_se"),
    "kind": ("tyyppi", "kohdetyyppi", "luokka"),
}


def _field(props: pd.DataFrame, column: str) -> pd.Series:
    """Return the first official field of ``column`` as stripped text ('' where missing)."""
    for name in OFFICIAL_FIELDS[column]:
        if name in props:
            values = props[name].astype(object).where(props[name].notna(), "")
            return values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return pd.Series("", index=props.index, dtype=object)


def _lon_lat(features: list[dict[str, Any]], *, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Return lon/lat of each feature's point (a representative point for lines and areas)."""
    try:
        geoms = np.array([shape(f["geometry"]) for f in features], dtype=object)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise DownloadError(f"{what}: a geometry cannot be read ({exc})") from None
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    if len(xy) != len(features):
        raise DownloadError(f"{what}: {len(features) - len(xy)} features have an empty geometry")
    if crs.guess_crs(xy[:, 0], xy[:, 1]) != crs.GK25:
        if crs.guess_crs(xy[:, 1], xy[:, 0]) != crs.GK25:
            raise DownloadError(f"{what}: the coordinates are not in the Helsinki region in {crs.GK25}")
        xy = xy[:, ::-1]
    return crs.to_wgs84(xy[:, 0], xy[:, 1], src=crs.GK25)


def _properties(features: list[dict[str, Any]], needed: tuple[str, ...], *, what: str) -> pd.DataFrame:
    """Return the features' properties; error when a needed register column has no field."""
    props = pd.DataFrame([f.get("properties") or {} for f in features])
    missing = [c for c in needed if not any(name in props for name in OFFICIAL_FIELDS[c])]
    if missing:
        wanted = {c: OFFICIAL_FIELDS[c] for c in missing}
        raise DownloadError(
            f"{what}: no field for {wanted} among {sorted(props.columns)}; it is not the expected layer "
            "(or the publisher renamed a field: correct geo.registerlayers.OFFICIAL_FIELDS)"
        )
    return props


def address_table(features: list[dict[str, Any]], *, what: str) -> pd.DataFrame:
    """Map the official address features to the register file columns.

    Parameters
    ----------
    features
        GeoJSON features of ``avoindata:Helsinki_osoiteluettelo`` in EPSG:3879 (either axis order).
    what
        Names the layer and URL in error messages.

    Returns
    -------
    DataFrame
        ``street_fi, street_sv, number, postcode, lon, lat``; rows without a street or a
        number are dropped. A number is ``5``, ``5-7`` or ``5a`` as the register writes it.
    """
    props = _properties(features, ("street_fi", "number"), what=what)
    number = _field(props, "number")
    end, letter = _field(props, "number_end"), _field(props, "letter")
    composed = number + np.where(end != "", "-" + end, "") + letter.str.lower()
    has_text = "osoitenumero_teksti" in props  # already carries the range and letter
    lon, lat = _lon_lat(features, what=what)
    table = pd.DataFrame(
        {
            "street_fi": _field(props, "street_fi"),
            "street_sv": _field(props, "street_sv"),
            "number": number if has_text else composed,
            "postcode": _field(props, "postcode"),
            "lon": lon.round(7),
            "lat": lat.round(7),
        }
    )
    keep = (table["street_fi"] + table["street_sv"] != "") & (table["number"] != "")
    if not keep.any():
        raise DownloadError(f"{what}: no feature has both a street name and a house number")
    return table.loc[keep].reset_index(drop=True)


def place_table(features: list[dict[str, Any]], *, what: str) -> pd.DataFrame:
    """Map the official place-name features to the register file columns.

    Parameters
    ----------
    features
        GeoJSON features of ``avoindata:Helsinki_nimisto`` in EPSG:3879 (either axis order).
    what
        Names the layer and URL in error messages.

    Returns
    -------
    DataFrame
        ``name_fi, name_sv, kind, lon, lat``; rows without any name are dropped.
    """
    props = _properties(features, ("name_fi",), what=what)
    lon, lat = _lon_lat(features, what=what)
    table = pd.DataFrame(
        {
            "name_fi": _field(props, "name_fi"),
            "name_sv": _field(props, "name_sv"),
            "kind": _field(props, "kind"),
            "lon": lon.round(7),
            "lat": lat.round(7),
        }
    )
    keep = table["name_fi"] + table["name_sv"] != ""
    if not keep.any():
        raise DownloadError(f"{what}: no feature has a name")
    return table.loc[keep].reset_index(drop=True)


def _download(key: str, *, base_url: str, timeout_s: float, page_size: int) -> pd.DataFrame:
    """Fetch every page of ``key``'s layer and map it to register columns (nothing written)."""
    layer = opendata.dataset(key).layer
    features = wfs.get_all_features(
        base_url, layer, srs_name=crs.GK25, page_size=page_size, timeout_s=timeout_s
    )
    what = f"the layer {layer} from {base_url}"
    return address_table(features, what=what) if key == ADDRESS_KEY else place_table(features, what=what)


def fetch_register(
    *,
    base_url: str | None = None,
    timeout_s: float | None = None,
    force: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> tuple[Path, Path]:
    """Download the official addresses and place names into the cache.

    Both layers are downloaded and checked before either file is written, so a broken
    answer leaves the cache as it was.

    Parameters
    ----------
    base_url
        The WFS endpoint; ``settings.wfs_url()`` when None.
    timeout_s
        Seconds per connection and read; ``HOTSPOTS_HTTP_TIMEOUT_S`` when None.
    force
        Download even when both files are cached.
    page_size
        Features per request.

    Returns
    -------
    tuple of Path
        The cached addresses and places CSV files.

    Raises
    ------
    DownloadError
        When a page cannot be had or is not the expected layer, or the cache is not writable.
    """
    targets = tuple(settings.cache_dir() / opendata.dataset(k).relpath for k in (ADDRESS_KEY, PLACE_KEY))
    if all(t.is_file() for t in targets) and not force:
        return targets[0], targets[1]
    seconds = settings.http_timeout_s() if timeout_s is None else float(timeout_s)
    if not seconds > 0:
        raise ParameterError(f"timeout_s must be > 0 seconds, got {timeout_s}")
    base = base_url or settings.wfs_url()
    tables = [
        _download(k, base_url=base, timeout_s=seconds, page_size=page_size) for k in (ADDRESS_KEY, PLACE_KEY)
    ]
    for target, table in zip(targets, tables, strict=True):
        payload = table.to_csv(index=False).encode("utf-8")
        try:
            files.write_bytes_atomically(target, payload)
        except OSError as exc:
            raise DownloadError(
                f"cannot write the cache file {target}: {exc}; the previous file (if any) is kept. "
                f"Free some space or set {settings.ENV_CACHE_DIR} to a writable folder"
            ) from None
    return targets[0], targets[1]


def require_register(*, download: bool = True) -> tuple[Path, Path]:
    """Return local copies of the official addresses and places, downloading them if needed.

    Parameters
    ----------
    download
        Try the official download when a local copy is missing.

    Returns
    -------
    tuple of Path
        The addresses and places CSV files (data folder first, then cache).

    Raises
    ------
    DataUnavailableError
        When a copy is missing and the download is off or fails; the message says what to do.
    """
    found = [opendata.locate(k) for k in (ADDRESS_KEY, PLACE_KEY)]
    if found[0] is not None and found[1] is not None:
        return found[0], found[1]
    if not download:
        raise DataUnavailableError(opendata.unavailable_message(ADDRESS_KEY, "downloads were not allowed"))
    try:
        return fetch_register()
    except DownloadError as exc:
        raise DataUnavailableError(opendata.unavailable_message(ADDRESS_KEY, str(exc))) from exc
