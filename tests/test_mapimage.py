"""The map picture: sizes, options checked by name, title bar and markings, reproducible PNG bytes."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from briefing import cartography, mapimage
from briefing.mapimage import MapOptions
from geo import districts
from geo.errors import ParameterError
from hotspots import analysis
from hotspots.selection import Selection, districts_by_name
from tests.briefing_demo import demo_result


@pytest.fixture(scope="module")
def result() -> analysis.Analysis:
    return demo_result()


def test_png_is_byte_identical_twice_and_has_fixed_metadata(result: analysis.Analysis) -> None:
    first = mapimage.map_png_bytes(result, MapOptions(lang="en", size="slides", density=True))
    second = mapimage.map_png_bytes(result, MapOptions(lang="en", size="slides", density=True))
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
    content = mapimage.map_png_bytes(result, MapOptions(lang="fi", size="a4"))
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (3508, 2480)
        assert round(image.info["dpi"][0]) == 300


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"lang": "de"}, r"lang was 'de' but is expected to be one of \['fi', 'sv', 'en'\]"),
        ({"min_count": 0}, r"min_count must be a whole number >= 1 .*got 0"),
        ({"size": "a3"}, r"size was 'a3' but is expected to be one of \['slides', 'a4'\]"),
        ({"density_cell_m": 0.0}, r"density_cell_m must be > 0 metres, got 0.0"),
        ({"numbered": -1}, r"numbered must be a whole number >= 0 .*got -1"),
        ({"numbered": True}, r"numbered must be a whole number >= 0 .*got True"),
    ],
)
def test_options_are_checked_by_name_when_made(options: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        MapOptions(**options)  # type: ignore[arg-type]


def test_options_keep_a_numpy_threshold_as_a_plain_int() -> None:
    options = MapOptions(min_count=np.int64(7))  # type: ignore[arg-type]
    assert type(options.min_count) is int and options.min_count == 7
    assert options.map_size == mapimage.SIZES["slides"]


def test_title_bar_states_title_period_comparison_and_synthetic_marking(result: analysis.Analysis) -> None:
    picture = mapimage.map_figure(result, MapOptions(lang="en", size=mapimage.MapSize(960, 540, 75)))
    texts = [text.get_text() for text in picture.figure.texts]
    assert texts[0] == "Safety hotspots – Helsinki, 2026-05-01–2026-10-31"
    assert texts[1] == "Period: 2026-05-01–2026-10-31 (compared with 2025-11-01–2026-04-30)"
    assert texts[2] == "SYNTHETIC DEMO DATA"
    assert len(picture.figure.axes) == 2  # the map and the side panel


def test_map_alone_still_says_restricted_on_the_map(result: analysis.Analysis) -> None:
    options = MapOptions(lang="fi", size=mapimage.MapSize(480, 270, 50), restricted=True, panel=False)
    picture = mapimage.map_figure(result, options)
    (map_axes,) = picture.figure.axes
    assert not picture.figure.texts
    assert "KÄYTTÖ RAJOITETTU" in [text.get_text() for text in map_axes.texts]
    assert picture.metadata["Classification"] == "RESTRICTED (KÄYTTÖ RAJOITETTU)"


def test_title_names_the_chosen_districts_and_names_stay_text(result: analysis.Analysis) -> None:
    kallio = districts_by_name(["Kallio"], districts.hierarchy())
    chosen = replace(
        result,
        selection=Selection(since="2026-05-01", until="2026-11-01", **kallio),
        # Real (not demo) incidents: the panel then names the file they came from.
        current=result.current.drop(columns="synthetic"),
        previous=result.previous.drop(columns="synthetic"),
    )
    origin = "kulut $5 ja $6 <b>.csv"
    options = MapOptions(lang="fi", size=mapimage.MapSize(960, 540, 75), origin=origin)
    picture = mapimage.map_figure(chosen, options)
    title = "Turvallisuuden hotspotit – Kallio, 1.5.2026–31.10.2026"
    assert picture.figure.texts[0].get_text() == title
    assert picture.metadata["Title"] == title
    # "$5 ja $6" is a file name, not TeX: drawn as written (mathtext would drop the dollars).
    panel = picture.figure.axes[1]
    source = next(text for text in panel.texts if origin in text.get_text().replace("\n", " "))
    assert not source.get_parse_math()
    assert mapimage.map_png_bytes(chosen, options).startswith(b"\x89PNG")


@pytest.mark.parametrize("size", ["slides", "a4"])
def test_the_map_takes_the_shape_of_its_frame_and_leaves_no_empty_bands(
    result: analysis.Analysis, size: str
) -> None:
    picture = mapimage.map_figure(result, MapOptions(lang="en", size=size))
    map_axes, panel = picture.figure.axes
    left, right = map_axes.get_xlim()
    bottom, top = map_axes.get_ylim()
    x0, y0, x1, y1 = cartography.map_content(result, restricted=False).bounds
    # The drawn frame is the study area and its margin, grown by at most 10 % to fit the axes:
    # not padded out to a fixed two-thirds of the picture (empty bands beside the city).
    assert (right - left) * (top - bottom) <= 1.1 * (x1 - x0) * (y1 - y0)
    assert left <= x0 and right >= x1 and bottom <= y0 and top >= y1
    # The panel beside it gets what the map leaves: wide enough for two-line entries.
    map_box, panel_box = map_axes.get_position(), panel.get_position()
    assert panel_box.x0 > map_box.x1 and panel_box.width >= 0.3


def test_a_long_title_never_runs_under_the_markings(result: analysis.Analysis) -> None:
    layer = districts.load_districts("peruspiiri")
    many = replace(
        result, selection=Selection(since="2026-05-01", until="2026-11-01", peruspiiri=tuple(layer["code"]))
    )
    for chosen in (result, many):
        picture = mapimage.map_figure(chosen, MapOptions(lang="sv", size="a4", restricted=True))
        canvas = FigureCanvasAgg(picture.figure)
        canvas.draw()
        title, _, markings = picture.figure.texts
        assert markings.get_text() == "BEGRÄNSAD TILLGÅNG\nSYNTETISKA EXEMPELDATA"
        box = markings.get_bbox_patch()
        assert box is not None
        right_of_title = title.get_window_extent(canvas.get_renderer()).x1
        assert right_of_title < box.get_window_extent(canvas.get_renderer()).x0
        assert title.get_fontsize() >= 9
