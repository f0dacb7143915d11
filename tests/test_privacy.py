"""Safe to share: aggregated exports hold no incident coordinate, description or id.

The central test builds every export (PNG, PDF, GeoJSON, GeoPackage, CSV, XLSX) from 5,000
synthetic incidents and searches each file's bytes and text for every incident: its
description (raw and as JSON, XML or CSV would escape it), its id, its lon/lat as a number
pair rounded to 5 and 6 decimals, its EPSG:3067 x/y rounded to the metre, and its
coordinates as binary doubles. None may appear. The restricted export, chosen deliberately,
does contain them and says RESTRICTED wherever a reader or a program looks.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from PIL import Image
from pypdf import PdfReader

from briefing import downloads, mapimage, pdf, privacy
from briefing.mapimage import MapOptions
from briefing.pdf import BriefOptions
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.summary import summarise_hotspots
from store import LOCAL_ANALYST
from tests.briefing_demo import GENERATED, demo_district_table, demo_incidents, demo_result

_NUMBER = re.compile(r"-?\d+\.\d+")


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo_incidents()


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


@pytest.fixture(scope="module")
def district_table() -> pd.DataFrame:
    return demo_district_table()


def _exports(result: analysis.Analysis, table: pd.DataFrame, *, restricted: bool) -> dict[str, bytes]:
    return {
        "map.png": mapimage.map_png_bytes(result, MapOptions(lang="fi", density=True, restricted=restricted)),
        "briefing.pdf": pdf.brief_pdf_bytes(
            result,
            BriefOptions(lang="fi", restricted=restricted, density=True),
            district_table=table,
            generated_at=GENERATED,
        ),
        "hotspots.geojson": downloads.hotspots_geojson_bytes(
            result, scope=LOCAL_ANALYST, lang="fi", restricted=restricted
        ),
        "hotspots.gpkg": downloads.hotspots_gpkg_bytes(
            result, scope=LOCAL_ANALYST, lang="fi", restricted=restricted
        ),
        "hotspots.csv": downloads.hotspots_csv_bytes(result, scope=LOCAL_ANALYST, restricted=restricted),
        "districts.csv": downloads.districts_csv_bytes(table, scope=LOCAL_ANALYST, restricted=restricted),
        "districts.xlsx": downloads.districts_xlsx_bytes(
            table,
            scope=LOCAL_ANALYST,
            lang="fi",
            restricted=restricted,
            analysis=result,
            generated_at=GENERATED,
        ),
    }


@pytest.fixture(scope="module")
def aggregated(result: analysis.Analysis, district_table: pd.DataFrame) -> dict[str, bytes]:
    return _exports(result, district_table, restricted=False)


@pytest.fixture(scope="module")
def restricted(result: analysis.Analysis, district_table: pd.DataFrame) -> dict[str, bytes]:
    return _exports(result, district_table, restricted=True)


def _text_of(name: str, content: bytes, tmp_path: Path) -> str:
    """Everything a reader or a program could get as text out of one file."""
    parts = [content.decode("latin-1")]
    suffix = Path(name).suffix
    if suffix in (".geojson", ".csv"):
        parts.append(content.decode("utf-8-sig"))
    elif suffix == ".png":
        with Image.open(io.BytesIO(content)) as image:
            parts += [f"{key}: {value}" for key, value in image.text.items()]
    elif suffix == ".pdf":
        reader = PdfReader(io.BytesIO(content))
        parts += [page.extract_text() for page in reader.pages]
        parts += [str(value) for value in (reader.metadata or {}).values()]
    elif suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts += [archive.read(member).decode("utf-8") for member in archive.namelist()]
    elif suffix == ".gpkg":
        parts.append(content.decode("utf-8", errors="ignore"))
        path = tmp_path / name
        path.write_bytes(content)
        for layer, _ in pyogrio.list_layers(path):
            frame = pyogrio.read_dataframe(path, layer=layer)
            parts.append(frame.to_csv(index=False))
            info = pyogrio.read_info(path, layer=layer)
            parts.append(json.dumps(info.get("layer_metadata") or {}, ensure_ascii=False))
    return "\n".join(parts)


def _variants(text: str) -> set[str]:
    """A description as it would stand in raw text, JSON, XML/HTML and CSV."""
    return {text, json.dumps(text, ensure_ascii=False)[1:-1], html.escape(text, quote=False),
            html.escape(text), text.replace('"', '""')}  # fmt: skip


def _pairs(text: str, decimals: int) -> set[tuple[float, float]]:
    """Consecutive number pairs in a text, rounded: how coordinates stand in GeoJSON, WKT, CSV."""
    numbers = [float(m) for m in _NUMBER.findall(text)]
    return {(round(a, decimals), round(b, decimals)) for a, b in itertools.pairwise(numbers)}


def _doubles(content: bytes, values: np.ndarray) -> int:
    """How many of ``values`` occur as 8-byte IEEE doubles (either byte order, any offset)."""
    found = 0
    for order in ("<f8", ">f8"):
        needles = np.unique(values.astype(order).view(np.uint64))
        for offset in range(8):
            usable = (len(content) - offset) // 8 * 8
            words = np.frombuffer(content[offset : offset + usable], dtype=np.uint64)
            found += int(np.isin(words, needles).sum())
    return found


def test_aggregated_exports_hold_no_incident_coordinate_description_or_id(
    incidents: pd.DataFrame, aggregated: dict[str, bytes], tmp_path: Path
) -> None:
    descriptions = sorted(set(incidents["description"].dropna()))
    assert len(descriptions) >= 20
    lonlat = incidents[["lon", "lat"]].to_numpy()
    xy = incidents[["x_m", "y_m"]].to_numpy()
    keys5 = {(round(a, 5), round(b, 5)) for a, b in lonlat}
    keys6 = {(round(a, 6), round(b, 6)) for a, b in lonlat}
    metres = {(float(round(a)), float(round(b))) for a, b in xy}
    for name, content in aggregated.items():
        text = _text_of(name, content, tmp_path)
        assert len(text) > 1000, name
        leaked = [d for d in descriptions if any(v in text for v in _variants(d))]
        assert leaked == [], name
        assert re.findall(r"demo-\d+-\d+", text) == [], name
        assert _pairs(text, 5) & keys5 == set(), name
        assert _pairs(text, 6) & keys6 == set(), name
        assert _pairs(text, 0) & metres == set(), name
        assert _doubles(content, np.concatenate([lonlat.ravel(), xy.ravel()])) == 0, name


def test_the_leak_search_finds_what_a_restricted_export_holds(
    result: analysis.Analysis, restricted: dict[str, bytes], tmp_path: Path
) -> None:
    # The same search on the restricted files does find incidents, so it can fail.
    current = result.current
    keys6 = {(round(a, 6), round(b, 6)) for a, b in current[["lon", "lat"]].to_numpy()}
    geojson = _text_of("hotspots.geojson", restricted["hotspots.geojson"], tmp_path)
    assert len(_pairs(geojson, 6) & keys6) > 0.99 * len(keys6)
    assert set(re.findall(r"demo-\d+-\d+", geojson)) == set(current["id"])
    assert any(v in geojson for d in current["description"].dropna().unique()[:5] for v in _variants(d))
    gpkg = restricted["hotspots.gpkg"]
    assert _doubles(gpkg, current[["lon", "lat"]].to_numpy().ravel()) >= len(current)


def test_restricted_exports_contain_points_and_are_marked_everywhere(
    result: analysis.Analysis, restricted: dict[str, bytes], tmp_path: Path
) -> None:
    document = json.loads(restricted["hotspots.geojson"])
    assert document["classification"] == "RESTRICTED" and document["marking"] == "KÄYTTÖ RAJOITETTU"
    points = [f for f in document["features"] if f["properties"]["kind"] == "incident"]
    assert len(points) == len(result.current)
    assert {f["geometry"]["type"] for f in points} == {"Point"}
    assert sum(f["properties"]["hotspot"] is not None for f in points) == int((result.labels >= 0).sum())

    reader = PdfReader(io.BytesIO(restricted["briefing.pdf"]))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert page.extract_text().count("KÄYTTÖ RAJOITETTU") >= 2  # top and bottom of every page
    meta = reader.metadata
    assert meta is not None
    assert str(meta.title).startswith("KÄYTTÖ RAJOITETTU")
    assert str(meta.subject).startswith("RESTRICTED") and "RESTRICTED" in str(meta["/Keywords"])

    with Image.open(io.BytesIO(restricted["map.png"])) as image:
        assert image.text["Classification"] == "RESTRICTED (KÄYTTÖ RAJOITETTU)"
        assert image.text["Warning"].startswith("RESTRICTED: ")

    path = tmp_path / "r.gpkg"
    path.write_bytes(restricted["hotspots.gpkg"])
    assert sorted(name for name, _ in pyogrio.list_layers(path)) == ["hotspots", "incidents"]
    layer = pyogrio.read_dataframe(path, layer="incidents")
    assert len(layer) == len(result.current) and set(layer["classification"]) == {"RESTRICTED"}
    assert layer["description"].notna().sum() == result.current["description"].notna().sum()
    for name in ("hotspots", "incidents"):
        assert pyogrio.read_info(path, layer=name)["layer_metadata"]["classification"] == "RESTRICTED"

    for name in ("hotspots.csv", "districts.csv"):
        frame = pd.read_csv(io.BytesIO(restricted[name]), encoding="utf-8-sig")
        assert set(frame["classification"]) == {"RESTRICTED"}, name
    with zipfile.ZipFile(io.BytesIO(restricted["districts.xlsx"])) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "RESTRICTED" in core and "KÄYTTÖ RAJOITETTU" in core


def test_aggregated_pdf_says_how_it_was_aggregated(aggregated: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(aggregated["briefing.pdf"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "KÄYTTÖ RAJOITETTU" not in text and "RESTRICTED" not in text
    assert "alle 5 tapahtuman määrät merkitty <5" in re.sub(r"\s+", " ", text)
    assert str(reader.metadata.subject).startswith("AGGREGATED")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- small counts


def test_key_figures_and_hotspot_counts_below_the_threshold_are_not_exact(result: analysis.Analysis) -> None:
    # A threshold above every count: nothing may be printed exactly.
    big = 2 * len(result.current)
    figures = pdf._key_figures(result, lang="en", restricted=False, min_count=big)
    cells = [
        paragraph.getPlainText()
        for row in figures._cellvalues[0]
        for inner in row._cellvalues
        for paragraph in inner
    ]
    assert f"<{big}" in cells
    assert f"{len(result.current):,}" not in cells and str(len(result.current)) not in cells
    top = pdf._top_hotspots(result, lang="en", restricted=False, min_count=big)
    table = next(f for f in top if hasattr(f, "_cellvalues"))
    counts = [row[2].getPlainText() for row in table._cellvalues[1:]]
    assert counts == [f"<{big}"] * len(counts)
    exported = downloads.hotspots_table(result, min_count=big)
    assert set(exported["n"]) == {f"<{big}"} and exported["score"].isna().all()
    assert all(re.fullmatch(rf"([a-z_]+ <{big}(, )?)+", mix) for mix in exported["categories"])
    # Restricted: exact.
    exact = downloads.hotspots_table(result, restricted=True, min_count=big)
    assert list(exact["n"]) == list(result.hotspots["n"])


def test_count_text_and_mix_text() -> None:
    assert privacy.count_text(4, min_count=5) == "<5"
    assert privacy.count_text(0, min_count=5) == "<5"
    assert privacy.count_text(5, min_count=5) == "5"
    assert privacy.count_text(4, min_count=5, restricted=True) == "4"
    assert privacy.count_text(pd.NA, min_count=5) == ""
    assert privacy.mix_text({"drug_dealing": 34, "weapons": 3}, min_count=5) == "drug_dealing 34, weapons <5"


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_min_count_must_be_a_whole_number_of_at_least_one(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"min_count must be a whole number >= 1"):
        privacy.check_min_count(bad)


def test_district_table_suppression_blanks_what_would_give_the_count_back(
    district_table: pd.DataFrame,
) -> None:
    before = district_table.copy()
    shown = privacy.shareable_district_table(district_table, min_count=10)
    pd.testing.assert_frame_equal(district_table, before)  # input untouched
    small_now = district_table["n"] < 10
    small_prev = district_table["n_prev"] < 10
    assert small_now.any() and (small_prev & ~small_now).any()
    assert (shown.loc[small_now, "n"] == "<10").all()
    assert shown.loc[small_now | small_prev, "change"].isna().all()
    assert shown.loc[small_now | small_prev, "change_pct"].isna().all()
    assert shown.loc[small_now, "rate_per_1000"].isna().all()
    # Residents are public statistics: never blanked.
    pd.testing.assert_series_equal(shown["residents"], district_table["residents"])
    keep = ~(small_now | small_prev)
    assert (shown.loc[keep, "change"].astype(int) == district_table.loc[keep, "change"]).all()


# --------------------------------------------------------------------------- outlines


def _circumcentres(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and radius of the circle through each three consecutive vertices of a ring."""
    a, b, c = ring[:-2], ring[1:-1], ring[2:]
    d = 2 * (a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1]) + c[:, 0] * (a[:, 1] - b[:, 1]))
    ok = np.abs(d) > 1e-9
    sa, sb, sc = (p[:, 0] ** 2 + p[:, 1] ** 2 for p in (a, b, c))
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (sa * (b[:, 1] - c[:, 1]) + sb * (c[:, 1] - a[:, 1]) + sc * (a[:, 1] - b[:, 1])) / d
        uy = (sa * (c[:, 0] - b[:, 0]) + sb * (a[:, 0] - c[:, 0]) + sc * (b[:, 0] - a[:, 0])) / d
    centres = np.column_stack([ux, uy])[ok]
    return centres, np.hypot(*(centres - a[ok]).T)


def _recovered(ring: np.ndarray, points: np.ndarray, radius_m: float) -> int:
    """Incidents an attacker gets back by fitting circles of the buffer radius to the outline."""
    centres, radii = _circumcentres(ring)
    arcs = centres[np.abs(radii - radius_m) < 0.01 * radius_m]
    if arcs.size == 0:
        return 0
    distance = np.hypot(arcs[:, None, 0] - points[None, :, 0], arcs[:, None, 1] - points[None, :, 1])
    return int((distance.min(axis=0) < 0.5).sum())


def test_summary_polygons_leak_incident_positions_and_shareable_outlines_do_not(
    result: analysis.Analysis,
) -> None:
    eps_m = result.clustering.eps_m
    members = result.current[["x_m", "y_m"]].to_numpy()
    # The engine's hotspots are unions of 150 m study cells: nothing to recover, shared as drawn.
    cells = np.asarray(result.hotspots.geometry.values, dtype=object)
    assert sum(_recovered(shapely.get_coordinates(p), members, eps_m / 2) for p in cells) == 0
    kept = privacy.shareable_outlines(cells, eps_m=eps_m)
    assert all(a.equals(b) for a, b in zip(kept, cells, strict=True))
    # A concave hull buffered by eps/2 (the summary without the engine's cells) does leak.
    labels = result.labels
    hulls = summarise_hotspots(result.current, labels, eps_m=eps_m)
    polygons = np.asarray(hulls.geometry.values, dtype=object)
    outlines = privacy.shareable_outlines(polygons, eps_m=eps_m)
    raw_hits = sum(_recovered(np.asarray(p.exterior.coords), members, eps_m / 2) for p in polygons)
    # The threat is real: the buffered hull's corners are arcs around actual incidents.
    assert raw_hits >= len(polygons)
    shared_hits = sum(_recovered(np.asarray(o.exterior.coords), members, eps_m / 2) for o in outlines)
    assert shared_hits == 0
    cell = eps_m / privacy.OUTLINE_CELLS_PER_EPS
    for polygon, outline, label in zip(polygons, outlines, hulls["label"], strict=True):
        assert outline.contains(polygon)
        assert privacy.min_width_ok(polygon, eps_m)  # the summary's eps/2 buffer: >= eps wide
        coords = shapely.get_coordinates(outline)
        assert np.allclose(coords / cell, np.round(coords / cell))
        # No member of the hotspot closer than eps/2 to the outline's edge (less the chord
        # error of the summary's 8-segments-per-quarter buffer: r * (1 - cos(pi / 32))).
        own = members[result.labels == label]
        floor = eps_m / 2 * np.cos(np.pi / 32)
        assert shapely.distance(outline.exterior, shapely.points(own)).min() >= floor - 1e-6


def test_narrow_polygons_are_widened_to_the_clustering_radius() -> None:
    strip = shapely.buffer(shapely.LineString([(385_000, 6_672_000), (386_000, 6_672_000)]), 20.0)
    assert not privacy.min_width_ok(strip, 150.0)
    assert privacy.min_width_ok(shapely.buffer(shapely.Point(385_000, 6_672_000), 75.0, quad_segs=8), 150.0)
    (outline,) = privacy.shareable_outlines([strip], eps_m=150.0)
    # Every point of the strip has an eps-wide disc around it inside the outline.
    assert outline.contains(shapely.buffer(strip, 74.0))
    with pytest.raises(ParameterError, match="eps_m must be > 0"):
        privacy.shareable_outlines([strip], eps_m=0.0)


def test_aggregated_picture_frame_and_density_do_not_move_with_a_lone_incident(
    result: analysis.Analysis,
) -> None:
    # Few incidents: an edge taken from incident positions would be the outermost one.
    current = result.current.iloc[:30].reset_index(drop=True)
    result = replace(result, current=current)
    lone = current.iloc[[0]].copy()
    far = current["x_m"].min() - 3000.0, current["y_m"].min() - 2000.0
    lone["x_m"], lone["y_m"] = far
    moved = replace(result, current=pd.concat([current, lone], ignore_index=True))
    frames = []
    for analysis_ in (result, moved):
        picture = mapimage.map_figure(analysis_, MapOptions(lang="en", size="slides", density=True))
        axes = picture.figure.axes[0]
        frames.append((axes.get_xlim(), axes.get_ylim()))
        # No density cell below 5 is drawn: the lone incident's cell stays blank.
        for mesh in axes.collections:
            data = getattr(mesh, "get_array", lambda: None)()
            if data is not None and np.ma.isMaskedArray(data) and data.count():
                assert data.compressed().min() >= 5
    assert frames[0] == frames[1]
