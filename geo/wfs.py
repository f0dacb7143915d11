"""The publishers' WFS services: GetFeature request URLs, one GET, and the GeoJSON answer.

Every failure becomes a ``DownloadError`` that says what came back instead of a layer: an
HTTP error with the OGC exception text or the HTML page's title, a timeout naming
``HOTSPOTS_HTTP_TIMEOUT_S``, cut-off JSON, an exception report, an empty collection.
What the answer must hold beyond a FeatureCollection is ``geo.download``'s business.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Final

from geo import settings
from geo.errors import DownloadError

#: Sent with every request so publishers can tell who is asking.
USER_AGENT: Final = "helsinki-hotspots/0.1 (Helsinki safety hotspot map; open data download)"


def request_url(base_url: str, type_name: str, *, srs_name: str, **extra: str) -> str:
    """Return the URL of a WFS 2.0 GetFeature request for GeoJSON.

    Parameters
    ----------
    base_url
        The service endpoint, with or without a query string of its own.
    type_name
        Layer, e.g. ``avoindata:Piirijako_osaalue``.
    srs_name
        Output CRS, e.g. ``EPSG:4326``.
    **extra
        Further query parameters (vendor options such as ``CQL_FILTER``).

    Returns
    -------
    str
        The request URL.
    """
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeName": type_name,
        "outputFormat": "application/json",
        "srsName": srs_name,
        **extra,
    }
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}{urllib.parse.urlencode(params)}"


def _excerpt(body: bytes, limit: int = 200) -> str:
    """Return a short, single-line preview of an answer for an error message."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] + ("..." if len(text) > limit else "")


def _describe_error_body(body: bytes) -> str:
    """Say what an error answer says: OGC exception text, HTML title, or a preview."""
    text = body.decode("utf-8", errors="replace")
    found = re.findall(r"<(?:\w+:)?(?:ExceptionText|ServiceException)[^>]*>(.*?)</", text, flags=re.S)
    if found:
        return "; ".join(re.sub(r"\s+", " ", part).strip() for part in found)[:400]
    title = re.search(r"<title[^>]*>(.*?)</title>", text, flags=re.S | re.I)
    if title:
        name = re.sub(r"\s+", " ", title.group(1)).strip()
        return f"HTML page titled {name!r}"
    return _excerpt(body) or "(empty body)"


def http_get(url: str, *, timeout_s: float) -> bytes:
    """GET ``url`` and return the body; every failure becomes a DownloadError.

    Parameters
    ----------
    url
        The address to read.
    timeout_s
        Seconds to wait for the connection and for each read.

    Returns
    -------
    bytes
        The body of a 2xx answer.

    Raises
    ------
    DownloadError
        On HTTP errors, timeouts, unreachable hosts and broken connections.
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    timed_out = DownloadError(
        f"the request to {url} timed out after {timeout_s:g} s; the service may be slow or down. "
        f"Try again later or raise {settings.ENV_HTTP_TIMEOUT_S}."
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body: bytes = response.read()
    except urllib.error.HTTPError as exc:
        try:
            detail = _describe_error_body(exc.read(65536))
        except (OSError, http.client.HTTPException):
            detail = "(no readable body)"
        raise DownloadError(f"{url} answered HTTP {exc.code} {exc.reason}: {detail}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise timed_out from None
        raise DownloadError(f"could not reach {url}: {exc.reason}") from None
    except TimeoutError:
        raise timed_out from None
    except (OSError, http.client.HTTPException) as exc:
        raise DownloadError(f"the connection to {url} broke off: {exc!r}") from None
    return body


def parse_feature_collection(body: bytes, *, what: str, allow_empty: bool = False) -> dict[str, Any]:
    """Parse a WFS GeoJSON answer, or raise a DownloadError saying what came instead.

    Parameters
    ----------
    body
        The raw answer.
    what
        Names the layer and URL in error messages.
    allow_empty
        Accept a collection without features (a page after the last one).

    Returns
    -------
    dict
        The FeatureCollection, with at least one feature unless ``allow_empty``.
    """
    text = body.lstrip()
    if not text:
        raise DownloadError(f"{what} came back empty (0 bytes of GeoJSON)")
    if text.startswith(b"<"):
        head = text[:2000].decode("utf-8", errors="replace")
        if "ExceptionReport" in head or "ServiceException" in head:
            raise DownloadError(f"{what} answered with a WFS exception: {_describe_error_body(text)}")
        raise DownloadError(f"{what} answered with XML/HTML instead of GeoJSON: {_describe_error_body(text)}")
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(
            f"{what} is not valid JSON ({exc}; {len(body)} bytes received, the answer may be cut off)"
        ) from None
    if isinstance(data, dict) and "exceptions" in data:
        detail = _excerpt(json.dumps(data["exceptions"]).encode("utf-8"), 400)
        raise DownloadError(f"{what} answered with a WFS exception: {detail}")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise DownloadError(f"{what} is JSON but not a GeoJSON FeatureCollection (type {kind!r})")
    features = data.get("features")
    if not isinstance(features, list):
        raise DownloadError(f"{what} is a FeatureCollection without a 'features' list")
    if not features and not allow_empty:
        raise DownloadError(f"{what} is an empty FeatureCollection (0 features); the layer name may be wrong")
    return data


def get_all_features(
    base_url: str, type_name: str, *, srs_name: str, page_size: int, timeout_s: float
) -> list[dict[str, Any]]:
    """Read every feature of a layer, page by page (WFS 2.0 ``count`` and ``startIndex``).

    Parameters
    ----------
    base_url
        The service endpoint.
    type_name
        Layer, e.g. ``avoindata:Helsinki_osoiteluettelo``.
    srs_name
        Output CRS, e.g. ``EPSG:3879``.
    page_size
        Features per request (GeoServer caps pages; the official address layer has ~100k).
    timeout_s
        Seconds to wait for the connection and for each read.

    Returns
    -------
    list of dict
        The features of all pages, in the server's order.

    Raises
    ------
    DownloadError
        When any page fails, or the layer has no features at all.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be >= 1, got {page_size}")
    features: list[dict[str, Any]] = []
    while True:
        url = request_url(
            base_url, type_name, srs_name=srs_name, count=str(page_size), startIndex=str(len(features))
        )
        what = f"the layer {type_name} from {url}"
        page = parse_feature_collection(
            http_get(url, timeout_s=timeout_s), what=what, allow_empty=bool(features)
        )
        features += page["features"]
        matched = page.get("numberMatched")
        done = isinstance(matched, int) and len(features) >= matched
        if done or len(page["features"]) < page_size:
            return features
