"""The register: a user's CSV or GeoJSON, errors naming file/row/column, and the official copy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import crs, opendata, settings
from geo.errors import DataUnavailableError, InputFormatError
from geo.gazetteer import ADDRESS_COLUMNS, PLACE_COLUMNS, load_register, read_register
from tests import osm_register


@pytest.fixture(scope="module")
def tables(shared_data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return osm_register.register_tables(shared_data_dir)


def test_the_osm_sample_reads_as_a_register_in_metres(
    tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    addresses, places = tables
    register = read_register(
        *osm_register.write_register(addresses, places, tmp_path)[:1], places=tmp_path / "places.csv"
    )
    assert tuple(register.addresses.columns) == ADDRESS_COLUMNS
    assert tuple(register.places.columns) == PLACE_COLUMNS
    assert len(register.addresses) == len(addresses) and len(register.places) == len(places)
    x_m, y_m = crs.to_metric(addresses["lon"], addresses["lat"], src=crs.WGS84)
    np.testing.assert_allclose(register.addresses["x_m"], x_m, atol=0.01)
    np.testing.assert_allclose(register.addresses["y_m"], y_m, atol=0.01)
    kaivokatu = register.addresses.query("street_fi == 'Kaivokatu' and number == '1'")
    assert kaivokatu["street_sv"].tolist() == ["Brunnsgatan"]
    assert register.addresses["number"].map(type).eq(str).all()  # "5a", "5-7" stay text


def test_geojson_register_reads_like_the_csv(
    tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    addresses = tables[0].head(20)
    features = [
        {
            "type": "Feature",
            "properties": {k: row[k] for k in ("street_fi", "street_sv", "number", "postcode")},
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        }
        for _, row in addresses.iterrows()
    ]
    path = tmp_path / "addresses.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    from_geojson = read_register(path).addresses
    addresses.to_csv(tmp_path / "a.csv", index=False)
    from_csv = read_register(tmp_path / "a.csv").addresses
    pd.testing.assert_frame_equal(from_geojson[["street_fi", "number"]], from_csv[["street_fi", "number"]])
    np.testing.assert_allclose(from_geojson[["x_m", "y_m"]], from_csv[["x_m", "y_m"]], atol=0.01)
    assert read_register(path).places.empty


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f.drop(columns="number"), r"lacks the columns \['number'\]"),
        (lambda f: f.assign(lat=f["lat"].where(f.index != 3, "north")), r"row 5, column 'lat': 'north'"),
        (lambda f: f.assign(lon=f["lon"].where(f.index != 0, "2494")), r"row 2, column 'lon': '2494'"),
        (
            lambda f: f.assign(street_fi=f["street_fi"].where(f.index != 1, ""), street_sv=""),
            r"row 3, columns",
        ),
        (lambda f: f.assign(number=f["number"].where(f.index != 2, "")), r"row 4, columns \['number'\]"),
    ],
)
def test_a_bad_register_file_names_file_row_and_column(
    tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path, edit: object, message: str
) -> None:
    path = tmp_path / "addresses.csv"
    edit(tables[0].head(10).astype(str)).to_csv(path, index=False)  # type: ignore[operator]
    with pytest.raises(InputFormatError, match=message) as caught:
        read_register(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_unknown_suffix_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="does not exist"):
        read_register(tmp_path / "nope.csv")
    (tmp_path / "a.xlsx").write_bytes(b"")
    with pytest.raises(InputFormatError, match=r"suffix '.xlsx'; expected .csv or .geojson"):
        read_register(tmp_path / "a.xlsx")


def test_a_place_without_a_name_is_refused(tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    places = tables[1].head(5).assign(name_fi=["", "a", "b", "c", "d"], name_sv="")
    paths = osm_register.write_register(tables[0].head(5), places, tmp_path)
    with pytest.raises(
        InputFormatError, match=r"place register file .* row 2, columns \['name_fi', 'name_sv'\]"
    ):
        read_register(paths[0], places=paths[1])


def test_load_register_prefers_the_setting_then_the_official_copy(
    tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = osm_register.write_register(*tables, tmp_path / "mine")
    monkeypatch.setenv(settings.ENV_REGISTER, str(paths[0]))
    assert len(load_register().addresses) == len(tables[0])
    assert len(load_register(paths[0], places=paths[1]).places) == len(tables[1])
    monkeypatch.delenv(settings.ENV_REGISTER)
    monkeypatch.setenv(settings.ENV_DATA_DIR, str(tmp_path / "official"))
    monkeypatch.setenv(settings.ENV_CACHE_DIR, str(tmp_path / "cache"))
    with pytest.raises(DataUnavailableError, match="Address register"):
        load_register(download=False)
    for key, table in zip(("register_addresses", "register_places"), tables, strict=True):
        target = tmp_path / "official" / opendata.dataset(key).relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        table.head(30).to_csv(target, index=False)
    official = load_register(download=False)
    assert len(official.addresses) == 30 and len(official.places) == 30
