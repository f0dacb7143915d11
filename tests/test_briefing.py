"""Briefing exports: the ``hotspots brief`` command, the PDF, the map picture and the downloads.

Every test runs on synthetic demo incidents over the real districts (``geo.demo``), analysed
by the same ``hotspots.analysis.analyse`` the app and the CLI use. Expected values come from
that analysis (the recommendations, the ranks, the district table), never typed in.
"""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from briefing import downloads, filters_text, mapimage, pdf, period_text, privacy
from cli import brief as command
from cli import build_parser
from geo import crs, demo
from geo.errors import ParameterError
from hotspots import analysis, figures
from hotspots.methods import ClusteringParams
from hotspots.selection import Selection
from i18n import LANGUAGES, catalogue, placeholders
from store import redact_url

SINCE, UNTIL = "2026-05-01", "2026-11-01"
GENERATED = pd.Timestamp("2026-11-02 09:30", tz="Europe/Helsinki")
BRIEFING_DIR = Path(__file__).resolve().parents[1] / "briefing"


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return demo.generate_demo(n=5000, seed=2026)


@pytest.fixture(scope="module")
def result(incidents: pd.DataFrame) -> analysis.Analysis:
    return analysis.analyse(incidents, selection=Selection(since=SINCE, until=UNTIL))


@pytest.fixture(scope="module")
def district_table(result: analysis.Analysis) -> pd.DataFrame:
    return downloads.district_figures(result, level="peruspiiri")


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


# --------------------------------------------------------------------------- command


def _brief_args(argv: list[str]) -> argparse.Namespace:
    """``hotspots brief ARGV`` parsed by the real command line."""
    return build_parser().parse_args(["brief", *argv])


def test_brief_command_writes_pdf_with_period_hotspots_and_recommendations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = demo.write_demo(tmp_path / "demo.csv", n=5000, seed=7)
    out = tmp_path / "out" / "briefing.pdf"
    args = _brief_args([str(source), "--since", SINCE, "--until", UNTIL, "--out", str(out), "--lang", "en"])
    assert command.run(args) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "aggregated" in printed

    # The same incidents analysed independently: their top ten must be in the PDF.
    from geo import incidents as incident_io

    frame = incident_io.import_incidents(source, file_name=source.name).incidents
    # The command's default: eps and min_samples chosen by backtest on the period.
    auto = ClusteringParams(auto_eps=True, auto_min_samples=True)
    expected = analysis.analyse(frame, selection=Selection(since=SINCE, until=UNTIL), clustering=auto)
    assert expected.parameters is not None and expected.parameters.chosen
    assert f"parameters: {expected.parameters.reason}" in printed
    assert len(expected.hotspots) >= 5
    pages = _pdf_pages(out.read_bytes())
    assert len(pages) == 2
    first, second = _squash(pages[0]), _squash(pages[1])
    assert _squash("Period: 2026-05-01–2026-10-31") in first
    assert _squash("compared with 2025-11-01–2026-04-30") in first
    assert _squash(f"Top {min(10, len(expected.hotspots))} hotspots") in first
    for _, row in expected.hotspots.head(10).iterrows():
        assert _squash(row["recommendation_en"]) in first, row["id"]
    # Ranks appear in order: the first hotspot's recommendation comes before the second's.
    recs = [first.index(_squash(r)) for r in expected.hotspots["recommendation_en"].head(3)]
    assert recs == sorted(recs)
    assert "Synthetic demo data" in pages[0]
    for text in (
        "Incidents by district",
        "Data sources",
        "Districts © City of Helsinki, CC BY 4.0",
        "Generated",
    ):
        assert _squash(text) in second, text


def test_brief_command_writes_png(tmp_path: Path) -> None:
    source = demo.write_demo(tmp_path / "demo.csv", n=1500, seed=3)
    out = tmp_path / "map.png"
    args = _brief_args([str(source), "--out", str(out), "--lang", "sv", "--size", "slides", "--density"])
    assert command.run(args) == 0
    with Image.open(out) as image:
        assert image.size == (1920, 1080)
        assert image.text["Classification"].startswith(privacy.AGGREGATED)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--out", "briefing.txt"], r"--out was 'briefing.txt'.*\['\.pdf', '\.png'\]"),
        (["--out", "b.pdf", "--min-count", "0"], r"min_count must be a whole number >= 1 .*got 0"),
    ],
)
def test_brief_command_rejects_bad_options_by_name(argv: list[str], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        command.run(_brief_args(argv))


def test_store_url_loses_its_credentials() -> None:
    assert redact_url("postgresql://analyst:s3cret@db.example:5432/hotspots", shareable=True) == (
        "postgresql://db.example:5432/hotspots"
    )
    assert redact_url("demo.csv", shareable=True) == "demo.csv"


# --------------------------------------------------------------------------- pdf


def test_pdf_in_finnish_states_period_filters_sources_and_is_selectable_text(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    content = pdf.brief_pdf_bytes(result, lang="fi", generated_at=GENERATED, district_table=district_table)
    pages = _pdf_pages(content)
    assert len(pages) == 2
    text = _squash(" ".join(pages))
    assert _squash("Jakso: 1.5.2026–31.10.2026") in text
    assert _squash("Rajaukset: ei rajauksia") in text
    assert _squash("Laadittu 2.11.2026 klo 09.30") in text
    assert _squash("Aluejako © Helsingin kaupunki, CC BY 4.0") in text
    assert _squash(result.hotspots["recommendation_fi"].iloc[0]) in text
    # Page 2's table lists every basic district by its Finnish name.
    for name in district_table["name_fi"]:
        assert _squash(name) in _squash(pages[1]), name
    meta = PdfReader(io.BytesIO(content)).metadata
    assert meta is not None and privacy.AGGREGATED in str(meta.subject)
    assert "1.5.2026–31.10.2026" in str(meta.title)
    # Real text in embedded fonts, not a picture of a page.
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts |= {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= {f.split("+")[-1] for f in fonts}
    assert sum(len(text.split()) for text in pages) > 400


def test_pdf_district_rows_carry_counts_and_changes(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    rows, has_rates = pdf._district_rows(district_table, lang="en", restricted=False, min_count=5)
    assert has_rates
    top = district_table.iloc[0]
    cells = [cell.getPlainText() for cell in rows[1]]
    assert cells[0] == top["name_fi"]
    assert cells[1] == str(int(top["n"]))
    assert cells[2] == str(int(top["n_prev"]))
    assert cells[3] == (f"{int(top['change']):+,d}" if top["change"] else "0")
    assert cells[5] == f"{top['rate_per_1000']:.1f}"


# --------------------------------------------------------------------------- map picture


def test_png_is_byte_identical_twice_and_has_fixed_metadata(result: analysis.Analysis) -> None:
    first = mapimage.map_png_bytes(result, lang="en", size="slides", density=True)
    second = mapimage.map_png_bytes(result, lang="en", size="slides", density=True)
    assert first == second
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (1920, 1080)
        chunks = dict(image.text)
    assert chunks["Software"] == "helsinki-hotspots briefing"
    assert chunks["Disclaimer"] == "Synthetic demo data"
    assert "2026-05-01–2026-10-31" in chunks["Title"]
    assert "City of Helsinki" in chunks["Source"]
    assert not any("time" in key.lower() or "date" in key.lower() for key in chunks)


def test_a4_picture_is_300_dpi_a4(result: analysis.Analysis) -> None:
    content = mapimage.map_png_bytes(result, lang="fi", size="a4")
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (3508, 2480)
        assert round(image.info["dpi"][0]) == 300


def test_png_shows_every_hotspot_numbered_by_rank(result: analysis.Analysis) -> None:
    picture = mapimage.map_figure(result, lang="en", size="slides")
    content = mapimage.figure_png_bytes(picture.figure, dpi=150, metadata=picture.metadata)
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("RGB"))
    map_axes = picture.figure.axes[0]
    labels = {a.get_text(): a for a in map_axes.texts if a.get_bbox_patch() is not None}
    assert set(labels) == {str(int(r)) for r in result.hotspots["rank"] if r <= 20}  # the top 20 are numbered
    assert len(labels) == min(20, len(result.hotspots)) >= 5
    height = pixels.shape[0]
    for rank, artist in labels.items():
        x, y = artist.get_window_extent().get_points().mean(axis=0)
        row, col = round(height - y), round(x)
        patch = pixels[row - 8 : row + 9, col - 8 : col + 9].reshape(-1, 3).astype(int)
        # The number's disc is the hotspot edge colour (#99000d); its digit is white.
        dark_red = (abs(patch - np.array([0x99, 0x00, 0x0D])).sum(axis=1) < 40).sum()
        white = (patch.min(axis=1) > 235).sum()
        assert dark_red > 40 and white > 5, rank
    # Every label sits on (or is tied by a leader line to) its hotspot's outline.
    outlines = privacy.shareable_outlines(result.hotspots.geometry.values, eps_m=result.clustering.eps_m)
    for outline, rank in zip(outlines, result.hotspots["rank"], strict=True):
        if str(int(rank)) not in labels:
            continue
        x, y = labels[str(int(rank))].get_position()
        left, right = map_axes.get_xlim()
        assert shapely.distance(outline, shapely.Point(x, y)) < 0.08 * (right - left)


def test_tile_fetch_reads_url_template_and_caches_on_disk(tmp_path: Path) -> None:
    # A local tile server stand-in: file:// URLs go through the same urllib fetch as https.
    server = tmp_path / "server"
    (server / "3" / "4").mkdir(parents=True)
    Image.new("RGB", (256, 256), (40, 200, 40)).save(server / "3" / "4" / "2.png")
    (server / "3" / "4" / "3.png").write_bytes(b"<html>rate limited</html>")
    template = server.as_uri() + "/{z}/{x}/{y}.png"
    cache = tmp_path / "cache"
    tile = mapimage._fetch_tile(template, 3, 4, 2, cache)
    assert tile is not None and tile.shape == (256, 256, 4) and tuple(tile[0, 0]) == (40, 200, 40, 255)
    (server / "3" / "4" / "2.png").unlink()
    again = mapimage._fetch_tile(template, 3, 4, 2, cache)  # now only the cache has it
    assert again is not None and np.array_equal(again, tile)
    assert mapimage._fetch_tile(template, 3, 4, 5, cache) is None  # missing
    assert mapimage._fetch_tile(template, 3, 4, 3, cache) is None  # not an image: not cached either
    assert len(list(cache.rglob("*.png"))) == 1


def test_map_draws_tiles_under_the_districts_and_credits_them(
    result: analysis.Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int, int]] = []

    def green(url: str, zoom: int, x: int, y: int, cache_dir: Path) -> np.ndarray:
        asked.append((zoom, x, y))
        tile = np.zeros((256, 256, 4), dtype=np.uint8)
        tile[..., 1], tile[..., 3] = 200, 255
        return tile

    monkeypatch.setattr(mapimage, "_fetch_tile", green)
    picture = mapimage.map_figure(
        result,
        lang="en",
        size=mapimage.MapSize(640, 360, 60),
        tiles_url="https://tiles.example/{z}/{x}/{y}.png",
    )
    assert picture.tiles_drawn
    assert "Basemap: © OpenStreetMap contributors" in picture.metadata["Source"]
    zooms = {z for z, _, _ in asked}
    assert len(zooms) == 1 and 9 <= zooms.pop() <= 14  # city-scale zoom for a 640 px map
    xs, ys = {x for _, x, _ in asked}, {y for _, _, y in asked}
    assert len(asked) == len(xs) * len(ys)  # a full rectangle of tiles
    content = mapimage.figure_png_bytes(picture.figure, dpi=60)
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("RGB")).astype(int)
    map_part = pixels[60:340, 10:400].reshape(-1, 3)
    greenish = (map_part[:, 1] > map_part[:, 0] + 40) & (map_part[:, 1] > map_part[:, 2] + 40)
    assert greenish.mean() > 0.3


def test_map_without_reachable_tiles_is_drawn_from_districts(
    result: analysis.Analysis, tmp_path: Path
) -> None:
    picture = mapimage.map_figure(
        result,
        lang="en",
        size=mapimage.MapSize(480, 270, 50),
        tiles_url=(tmp_path / "nowhere").as_uri() + "/{z}/{x}/{y}.png",
        tiles_cache_dir=tmp_path / "cache",
    )
    assert not picture.tiles_drawn
    assert "Basemap" not in picture.metadata["Source"]
    assert len(mapimage.figure_png_bytes(picture.figure, dpi=50)) > 1000


# --------------------------------------------------------------------------- downloads


def test_hotspot_geojson_is_aggregated_and_marked(result: analysis.Analysis) -> None:
    document = json.loads(downloads.hotspots_geojson_bytes(result, lang="en"))
    assert document["type"] == "FeatureCollection"
    assert document["classification"] == privacy.AGGREGATED
    assert document["synthetic"] is True and document["min_count"] == 5
    features = document["features"]
    assert [f["properties"]["rank"] for f in features] == list(result.hotspots["rank"])
    assert {f["properties"]["kind"] for f in features} == {"hotspot"}
    for feature, (_, row) in zip(features, result.hotspots.iterrows(), strict=True):
        props = feature["properties"]
        assert props["n"] == (str(int(row["n"])) if row["n"] >= 5 else "<5")
        assert props["n_prev"] == (str(int(row["n_prev"])) if row["n_prev"] >= 5 else "<5")
        assert props["recommendation_en"] == row["recommendation_en"]
        # The outline covers the summary polygon (so every member) and is made of grid cells.
        ring = np.asarray(feature["geometry"]["coordinates"][0])
        x, y = crs.to_metric(ring[:, 0], ring[:, 1], src=crs.WGS84)
        outline = shapely.Polygon(np.column_stack([x, y]))
        assert outline.buffer(0.01).contains(row.geometry)
        assert result.found is not None
        cell = privacy.outline_cell_m(result.clustering.eps_m, result.found.grid.cell_m)
        assert cell == 150.0  # the engine's study cells
        assert np.allclose(x / cell, np.round(x / cell), atol=1e-4)
        assert np.allclose(y / cell, np.round(y / cell), atol=1e-4)


def test_hotspot_csv_and_gpkg_match_the_geojson(result: analysis.Analysis, tmp_path: Path) -> None:
    frame = pd.read_csv(io.BytesIO(downloads.hotspots_csv_bytes(result)), encoding="utf-8-sig", dtype=str)
    assert list(frame["id"]) == list(result.hotspots["id"])
    assert frame["geometry_wkt"].str.startswith("POLYGON").all()
    assert "classification" not in frame.columns
    path = tmp_path / "h.gpkg"
    path.write_bytes(downloads.hotspots_gpkg_bytes(result, lang="sv"))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["hotspots"]
    info = pyogrio.read_info(path, layer="hotspots")
    assert info["layer_metadata"]["classification"] == privacy.AGGREGATED
    layer = pyogrio.read_dataframe(path, layer="hotspots")
    assert list(layer["n"]) == list(frame["n"])
    assert layer.crs.to_epsg() == 4326


def test_district_csv_suppresses_small_counts_and_what_reveals_them(district_table: pd.DataFrame) -> None:
    frame = pd.read_csv(
        io.BytesIO(downloads.districts_csv_bytes(district_table)), dtype=str, keep_default_na=False
    )
    assert list(frame["code"]) == list(district_table["code"])
    small_now = district_table["n"] < 5
    small_prev = district_table["n_prev"] < 5
    assert (small_now | small_prev).any(), "the demo selection should have some small districts"
    for i, row in district_table.iterrows():
        out = frame.iloc[i]
        assert out["n"] == ("<5" if row["n"] < 5 else str(row["n"]))
        assert out["n_prev"] == ("<5" if row["n_prev"] < 5 else str(row["n_prev"]))
        if row["n"] < 5 or row["n_prev"] < 5:
            assert out["change"] == "" and out["change_pct"] == ""
        else:
            assert int(out["change"]) == row["change"]
        if row["n"] < 5:
            assert out["rate_per_1000"] == ""
    # A threshold of 1 hides nothing.
    exact = pd.read_csv(io.BytesIO(downloads.districts_csv_bytes(district_table, min_count=1)))
    assert list(exact["n"]) == list(district_table["n"])


def test_csv_and_xlsx_neutralise_formula_cells(district_table: pd.DataFrame) -> None:
    hostile = district_table.copy()
    hostile.loc[0, "name_fi"] = '=HYPERLINK("http://evil.example","x")'
    hostile.loc[1, "name_sv"] = "@SUM(A1:A9)"
    hostile.loc[2, "name_fi"] = "+1+2"
    hostile.loc[3, "name_fi"] = "-3"
    before = hostile.copy()
    frame = pd.read_csv(io.BytesIO(downloads.districts_csv_bytes(hostile)), dtype=str)
    assert frame.loc[0, "name_fi"] == "'" + hostile.loc[0, "name_fi"]
    assert frame.loc[1, "name_sv"] == "'@SUM(A1:A9)"
    assert frame.loc[2, "name_fi"] == "'+1+2" and frame.loc[3, "name_fi"] == "'-3"
    book = load_workbook(io.BytesIO(downloads.districts_xlsx_bytes(hostile, lang="en")))
    sheet = book["Districts"]
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    name_fi_col = [c.value for c in sheet[1]].index("District (fi)") + 1
    first = cells[(2, name_fi_col)]
    assert first.value == "'" + hostile.loc[0, "name_fi"] and first.data_type == "s"
    assert all(c.data_type != "f" for c in cells.values())
    pd.testing.assert_frame_equal(hostile, before)  # the caller's frame is untouched


def test_xlsx_has_translated_headers_about_sheet_and_restricted_properties(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    content = downloads.districts_xlsx_bytes(
        district_table, lang="fi", restricted=True, analysis=result, generated_at=GENERATED
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Alueet", "Tietoja"]
    headers = [c.value for c in book["Alueet"][1]]
    assert headers[:4] == ["Tunnus", "Alue (fi)", "Alue (sv)", "Tapahtumia"]
    assert headers[-1] == "Luokitus"
    assert book.properties.title.startswith("KÄYTTÖ RAJOITETTU")
    assert book.properties.keywords.startswith("RESTRICTED")
    assert book["Alueet"].oddHeader.center.text == "KÄYTTÖ RAJOITETTU"
    about = " ".join(str(c.value) for row in book["Tietoja"].iter_rows() for c in row if c.value)
    assert "1.5.2026–31.10.2026" in about and "RESTRICTED" in about
    # Restricted: exact counts, numbers as numbers.
    values = [row[3] for row in book["Alueet"].iter_rows(min_row=2, values_only=True)]
    assert values == list(district_table["n"])


def test_exports_do_not_change_the_analysis(result: analysis.Analysis) -> None:
    hotspots, current = result.hotspots.copy(), result.current.copy()
    downloads.hotspots_geojson_bytes(result)
    downloads.hotspots_csv_bytes(result, restricted=True)
    downloads.incidents_csv_bytes(result, restricted=True)
    pd.testing.assert_frame_equal(result.hotspots, hotspots)
    pd.testing.assert_frame_equal(result.current, current)


def test_incident_rows_need_the_deliberate_restricted_choice(result: analysis.Analysis) -> None:
    with pytest.raises(privacy.PrivacyError, match="restricted=True"):
        downloads.incidents_csv_bytes(result)
    rows = pd.read_csv(
        io.BytesIO(downloads.incidents_csv_bytes(result, restricted=True)), encoding="utf-8-sig"
    )
    assert len(rows) == len(result.current)
    assert set(rows["classification"]) == {"RESTRICTED"}
    members = rows["hotspot"].notna().sum()
    assert members == int((result.labels >= 0).sum())


def test_district_figures_match_the_figures_module(
    result: analysis.Analysis, district_table: pd.DataFrame
) -> None:
    from geo import districts, population

    expected = figures.district_table(
        result.current,
        result.previous,
        districts=districts.load_districts("peruspiiri"),
        level="peruspiiri",
        residents=population.residents_by_district("peruspiiri"),
    )
    pd.testing.assert_frame_equal(district_table, expected)
    assert district_table["n"].sum() == len(result.current)


# --------------------------------------------------------------------------- texts


def test_period_and_filter_texts_in_three_languages() -> None:
    selection = Selection(
        since=SINCE, until=UNTIL, categories=("drug_dealing",), hours=(18, 19, 20, 21), weekdays=(4, 5)
    )
    assert period_text(selection, "fi") == "1.5.2026–31.10.2026"
    assert period_text(selection, "en") == "2026-05-01–2026-10-31"
    assert (
        filters_text(selection, "fi")
        == "Rajaukset: luokat: Huumekauppa; kellonajat 18-22; viikonpäivät: pe-la"
    )
    assert filters_text(selection, "sv").startswith("Urval: kategorier: Narkotikahandel")
    named = Selection(osaalue=("101", "102"))
    assert filters_text(named, "en", district_names={"101": "Vironniemi", "102": "Ullanlinna"}) == (
        "Filters: districts: Vironniemi, Ullanlinna"
    )
    assert period_text(Selection(), "en") == "all dates"


def test_every_brief_key_used_exists_in_every_language_with_the_same_placeholders() -> None:
    used: set[str] = set()
    for path in [*BRIEFING_DIR.glob("*.py"), BRIEFING_DIR.parent / "cli" / "brief.py"]:
        used |= set(re.findall(r"""["'](brief\.[a-z_]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) >= 25
    for lang in LANGUAGES:
        assert used - set(catalogue(lang)) == set(), lang
    brief_keys = {key for key in catalogue("en") if key.startswith("brief.")}
    for key in brief_keys:
        assert len({placeholders(catalogue(lang)[key]) for lang in LANGUAGES}) == 1, key
    assert brief_keys - used == set(), "unused brief.* keys"
