"""The official register download against a real HTTP server on 127.0.0.1 that pages like GeoServer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest

from geo import addresstext, crs, registerlayers, settings
from geo.errors import DataUnavailableError, DownloadError
from geo.gazetteer import load_register
from tests import osm_register

ADDRESS_LAYER = "avoindata:Helsinki_osoiteluettelo"
PLACE_LAYER = "avoindata:Helsinki_nimisto"


@dataclass
class PagingWFS:
    """Serves features per layer in pages; ``broken_page`` cuts one page's JSON short."""

    base_url: str = ""
    layers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    broken_page: int | None = None


def handler_for(state: PagingWFS) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            state.requests.append(query)
            features = state.layers.get(query.get("typeName", ""), [])
            start, count = int(query.get("startIndex", 0)), int(query.get("count", len(features)))
            page = features[start : start + count]
            body = json.dumps(
                {"type": "FeatureCollection", "features": page, "numberMatched": len(features)}
            ).encode()
            if state.broken_page is not None and start // count == state.broken_page:
                body = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


@pytest.fixture
def server() -> Iterator[PagingWFS]:
    state = PagingWFS()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/ws/geoserver/avoindata/wfs"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _gk25_point(lon: float, lat: float) -> dict[str, Any]:
    x, y = crs.transform([lon], [lat], src=crs.WGS84, dst=crs.GK25)
    return {"type": "Point", "coordinates": [float(x[0]), float(y[0])]}


def official_layers(shared_data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The OSM sample written with the official layers' field names, in ETRS-GK25."""
    addresses, places = osm_register.register_tables(shared_data_dir)
    address_features = []
    for _, row in addresses.iterrows():
        number = addresstext.parse_number(row["number"])
        assert number is not None
        props = {
            "katunimi": row["street_fi"],
            "gatan": row["street_sv"] or None,
            "osoitenumero": number.number,
            "osoitenumero2": number.end,
            "osoitekirjain": number.letter.upper() or None,
            "postinumero": row["postcode"] or None,
        }
        address_features.append(
            {"type": "Feature", "properties": props, "geometry": _gk25_point(row["lon"], row["lat"])}
        )
    place_features = [
        {
            "type": "Feature",
            "properties": {"nimi": row["name_fi"], "nimi_sv": row["name_sv"] or None, "tyyppi": row["kind"]},
            "geometry": _gk25_point(float(row["lon"]), float(row["lat"])),
        }
        for _, row in places.iterrows()
    ]
    return {ADDRESS_LAYER: address_features, PLACE_LAYER: place_features}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(tmp_path / "no_copies"))
    return tmp_path / "cache"


def test_fetch_pages_through_both_layers_and_caches_the_register(
    server: PagingWFS, cache: Path, shared_data_dir: Path
) -> None:
    server.layers = official_layers(shared_data_dir)
    paths = registerlayers.fetch_register(base_url=server.base_url, page_size=300)
    address_pages = [r for r in server.requests if r["typeName"] == ADDRESS_LAYER]
    n_addresses = len(server.layers[ADDRESS_LAYER])
    assert len(address_pages) == -(-n_addresses // 300)
    assert [int(r["startIndex"]) for r in address_pages] == list(range(0, n_addresses, 300))
    assert {r["srsName"] for r in server.requests} == {"EPSG:3879"}
    assert all(p.is_file() and p.parent.parent == cache for p in paths)
    register = load_register(download=False)
    expected, places = osm_register.register_tables(shared_data_dir)
    assert len(register.addresses) == len(expected) and len(register.places) == len(places)
    keys = register.addresses["number"].map(lambda n: addresstext.parse_number(n).key)  # type: ignore[union-attr]
    expected_keys = expected["number"].map(lambda n: addresstext.parse_number(n).key)  # type: ignore[union-attr]
    assert keys.tolist() == expected_keys.tolist()
    x_m, y_m = crs.to_metric(expected["lon"], expected["lat"], src=crs.WGS84)
    assert np.hypot(register.addresses["x_m"] - x_m, register.addresses["y_m"] - y_m).max() < 0.05
    assert (
        register.addresses.loc[register.addresses["street_fi"] == "Kaivokatu", "street_sv"]
        .eq("Brunnsgatan")
        .all()
    )


def test_a_broken_page_raises_and_caches_nothing(
    server: PagingWFS, cache: Path, shared_data_dir: Path
) -> None:
    server.layers = official_layers(shared_data_dir)
    server.broken_page = 1  # the second of the address pages
    with pytest.raises(DownloadError, match=r"is not valid JSON .* the answer may be cut off"):
        registerlayers.fetch_register(base_url=server.base_url, page_size=300)
    assert not cache.exists() or not any(cache.rglob("*.csv"))
    unavailable = r"Address register .* are not available.*`hotspots gazetteer fetch`"
    with pytest.raises(DataUnavailableError, match=unavailable):
        registerlayers.require_register(download=False)


def test_a_layer_without_the_expected_fields_says_which(server: PagingWFS, cache: Path) -> None:
    point = _gk25_point(24.94, 60.17)
    server.layers = {ADDRESS_LAYER: [{"type": "Feature", "properties": {"tunnus": "1"}, "geometry": point}]}
    with pytest.raises(DownloadError, match=r"no field for \{'street_fi'.*OFFICIAL_FIELDS"):
        registerlayers.fetch_register(base_url=server.base_url)
    assert not any(cache.rglob("*.csv")) if cache.exists() else True


def test_an_empty_layer_is_an_error(server: PagingWFS, cache: Path) -> None:
    with pytest.raises(DownloadError, match="empty FeatureCollection"):
        registerlayers.fetch_register(base_url=server.base_url)


def test_official_numbers_compose_ranges_and_letters() -> None:
    point = _gk25_point(24.94, 60.17)
    features = [
        {"type": "Feature", "properties": p, "geometry": point}
        for p in (
            {
                "katunimi": "Hämeentie",
                "gatan": "Tavastvägen",
                "osoitenumero": 5,
                "osoitenumero2": 7,
                "osoitekirjain": "B",
            },
            {"katunimi": "Sturenkatu", "gatan": "Sturegatan", "osoitenumero": 4.0, "osoitenumero2": None},
            {"katunimi": None, "gatan": None, "osoitenumero": 1},
        )
    ]
    table = registerlayers.address_table(features, what="test")
    assert table[["street_fi", "street_sv", "number"]].values.tolist() == [
        ["Hämeentie", "Tavastvägen", "5-7b"],
        ["Sturenkatu", "Sturegatan", "4"],
    ]
    assert pd.api.types.is_float_dtype(table["lon"]) and table["lon"].between(24.9, 25.0).all()
