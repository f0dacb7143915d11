"""Leaflet and every file the map needs, served by the app itself: no request leaves for a CDN.

The files come from PyPI packages installed with the app (``xstatic-leaflet``,
``xstatic-leaflet-markercluster``) and are never copied into the repository. At start-up
:func:`install_static_assets` copies them into the git-ignored ``static/vendor/`` folder,
which Streamlit serves at ``/app/static/`` when ``[server] enableStaticServing = true``.
:func:`localise_map` then points every JavaScript/CSS link of a folium map at those copies
and drops what the map does not need (jQuery, Bootstrap, Font Awesome, awesome-markers):
folium keeps its links as ``default_js`` / ``default_css`` lists on each element, and
``streamlit_folium.st_folium`` collects the same lists by walking the map, so the localised
instance lists are what the browser loads. :func:`standalone_html` inlines the files into
one self-contained page for exports and browser tests. :func:`install_tiles` puts basemap
tiles fetched for offline use (``hotspots tiles fetch``) beside them, so the map's street
layer is served by the app too.
"""

from __future__ import annotations

import base64
import filecmp
import importlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import branca.colormap
import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin

from geo import files
from geo.errors import DataUnavailableError
from geo.tiles import TileCache

#: URL under which Streamlit serves the app's ``static/`` folder.
DEFAULT_URL_PREFIX: Final = "/app/static"
#: Folder inside the static folder that holds the copied packages.
VENDOR_DIR: Final = "vendor"
#: Folder inside the static folder that holds basemap tiles fetched for offline use.
TILES_DIR: Final = "tiles"


class MapAssetsError(DataUnavailableError):
    """A file the map needs is not installed, or a map element would load one from the internet."""


@dataclass(frozen=True)
class VendorPackage:
    """One PyPI package of static files and the files of it the map uses."""

    module: str
    pip_name: str
    folder: str
    files: tuple[str, ...]


PACKAGES: Final[tuple[VendorPackage, ...]] = (
    VendorPackage(
        "xstatic.pkg.leaflet",
        "xstatic-leaflet",
        "leaflet",
        (
            "leaflet.js",
            "leaflet.css",
            "images/layers.png",
            "images/layers-2x.png",
            "images/marker-icon.png",
            "images/marker-icon-2x.png",
            "images/marker-shadow.png",
        ),
    ),
    VendorPackage(
        "xstatic.pkg.leaflet_markercluster",
        "xstatic-leaflet-markercluster",
        "leaflet.markercluster",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
)

#: folium's link names (``default_js``/``default_css`` entries) -> ``AssetUrls`` field.
LOCAL_LINKS: Final[dict[str, str]] = {
    "leaflet": "leaflet_js",
    "leaflet_css": "leaflet_css",
    "markerclusterjs": "markercluster_js",
    "markerclustercss": "markercluster_css",
    "markerclusterdefaultcss": "markercluster_default_css",
}
#: folium's link names for assets our maps never use: no folium.Icon awesome markers, and no
#: script of the map calls jQuery (folium links it by default: 90 kB that every fresh
#: session's map frame parsed and ran for nothing, ``bench/browser.py``).
DROPPED_LINKS: Final = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)


@dataclass(frozen=True)
class AssetUrls:
    """URL paths of the map's local files, and the file behind each URL.

    Parameters
    ----------
    leaflet_js, leaflet_css, markercluster_js, markercluster_css, markercluster_default_css
        URL paths (``/app/static/vendor/...``) the browser loads.
    files
        ``(url, path)`` for every file served, images included.
    static_dir, url_prefix
        The folder served and its URL path, when the files were copied there
        (:func:`install_static_assets`); None when they are read from the packages.
    """

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str
    files: tuple[tuple[str, Path], ...]
    static_dir: Path | None = None
    url_prefix: str | None = None

    def path_for(self, url: str) -> Path:
        """Return the local file served at ``url``; MapAssetsError when no such file is known."""
        for known, path in self.files:
            if known == url:
                return path
        raise MapAssetsError(
            f"the map links to {url!r}, which is not one of the app's own files; "
            "only the files listed in views.assets.PACKAGES are served"
        )


def _package_dir(package: VendorPackage) -> tuple[Path, str]:
    """Folder holding the package's files, and the upstream version it packages."""
    try:
        module = importlib.import_module(package.module)
    except ImportError as exc:
        raise MapAssetsError(
            f"the map needs the package {package.pip_name}, which is not installed; "
            f"run `.venv/bin/pip install {package.pip_name}` (it is one of the app's dependencies)"
        ) from exc
    base = Path(module.BASE_DIR)
    version = str(module.VERSION)
    missing = [name for name in package.files if not (base / name).is_file()]
    if missing:
        raise MapAssetsError(
            f"the installed {package.pip_name} {version} lacks {missing} in {base}; "
            f"reinstall it with `.venv/bin/pip install --force-reinstall {package.pip_name}`"
        )
    return base, version


def _vendor_relpath(package: VendorPackage, version: str, name: str) -> str:
    return f"{VENDOR_DIR}/{package.folder}-{version}/{name}"


def _asset_urls(
    files: dict[str, Path], *, static_dir: Path | None = None, url_prefix: str | None = None
) -> AssetUrls:
    def url_of(folder: str, name: str) -> str:
        for url in files:
            if url.endswith(f"/{name}") and f"/{folder}-" in url:
                return url
        raise MapAssetsError(f"no {name} of {folder} among the installed map files")

    return AssetUrls(
        leaflet_js=url_of("leaflet", "leaflet.js"),
        leaflet_css=url_of("leaflet", "leaflet.css"),
        markercluster_js=url_of("leaflet.markercluster", "leaflet.markercluster.js"),
        markercluster_css=url_of("leaflet.markercluster", "MarkerCluster.css"),
        markercluster_default_css=url_of("leaflet.markercluster", "MarkerCluster.Default.css"),
        files=tuple(files.items()),
        static_dir=static_dir,
        url_prefix=url_prefix,
    )


def _check_prefix(url_prefix: str) -> str:
    prefix = url_prefix.rstrip("/")
    if not prefix.startswith("/") or prefix.startswith("//"):
        raise MapAssetsError(
            f"url_prefix must be a path on the app's own server such as '/app/static', got {url_prefix!r}"
        )
    return prefix


def package_asset_urls(*, url_prefix: str = DEFAULT_URL_PREFIX) -> AssetUrls:
    """Return the URLs :func:`install_static_assets` serves, backed by the installed package files.

    Nothing is copied: use it to build maps and self-contained pages without a static folder.

    Parameters
    ----------
    url_prefix
        URL path at which the static folder is served.

    Returns
    -------
    AssetUrls
        URLs under ``url_prefix/vendor/``; ``files`` point into the installed packages.
    """
    prefix = _check_prefix(url_prefix)
    files: dict[str, Path] = {}
    for package in PACKAGES:
        base, version = _package_dir(package)
        for name in package.files:
            files[f"{prefix}/{_vendor_relpath(package, version, name)}"] = base / name
    return _asset_urls(files)


def _copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy ``src`` to ``dst`` atomically unless ``dst`` already has the same bytes."""
    if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
        return False
    # Written beside the target and renamed, so a browser never gets half a file.
    files.write_bytes_atomically(dst, src.read_bytes())
    return True


def install_static_assets(static_dir: Path, *, url_prefix: str = DEFAULT_URL_PREFIX) -> AssetUrls:
    """Copy the map's files from the installed packages into ``static_dir/vendor/``.

    Idempotent: a file is written only when it is missing or its bytes differ, so calling
    this on every app start costs a few file comparisons.

    Parameters
    ----------
    static_dir
        The folder Streamlit serves (``static/`` beside ``app.py``, git-ignored).
    url_prefix
        URL path at which ``static_dir`` is served.

    Returns
    -------
    AssetUrls
        URLs under ``url_prefix/vendor/``; ``files`` point at the copies.

    Raises
    ------
    MapAssetsError
        A package is not installed or lacks a file.
    """
    prefix = _check_prefix(url_prefix)
    root = Path(static_dir)
    files: dict[str, Path] = {}
    for package in PACKAGES:
        base, version = _package_dir(package)
        for name in package.files:
            rel = _vendor_relpath(package, version, name)
            target = root / rel
            _copy_if_changed(base / name, target)
            files[f"{prefix}/{rel}"] = target
    return _asset_urls(files, static_dir=root, url_prefix=prefix)


def _link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` at ``dst`` (no second copy on disk), else copy it, atomically either way."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def install_tiles(urls: AssetUrls, cache: TileCache) -> str:
    """Serve fetched basemap tiles from the app: mirror them under ``static_dir/tiles/<key>/``.

    Tiles are hard-linked where the file system allows (else copied) and only when missing
    or of another size, so calling this at start-up costs a directory walk.

    Parameters
    ----------
    urls
        From :func:`install_static_assets` (it names the static folder).
    cache
        The fetched tiles (``geo.tiles.cached_tiles``).

    Returns
    -------
    str
        The XYZ URL template the browser asks, e.g. ``/app/static/tiles/<key>/{z}/{x}/{y}.png``.

    Raises
    ------
    MapAssetsError
        ``urls`` names no static folder (the files were not installed).
    """
    if urls.static_dir is None or urls.url_prefix is None:
        raise MapAssetsError("tiles are served from the static folder: call install_static_assets first")
    target = urls.static_dir / TILES_DIR / cache.folder.name
    for src in cache.folder.rglob("*.png"):
        dst = target / src.relative_to(cache.folder)
        if not (dst.is_file() and dst.stat().st_size == src.stat().st_size):
            _link_or_copy(src, dst)
    return f"{urls.url_prefix}/{TILES_DIR}/{cache.folder.name}/{{z}}/{{x}}/{{y}}.png"


def is_remote(url: str) -> bool:
    """Return True when loading ``url`` would leave the app's own server (any scheme but data:)."""
    text = url.strip().lower()
    if text.startswith("//"):
        return True
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text)
    return scheme is not None and scheme.group(1) != "data"


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _localise_links(element: Element, links: list[tuple[str, str]], urls: AssetUrls) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in LOCAL_LINKS:
            out.append((name, getattr(urls, LOCAL_LINKS[name])))
        elif name in DROPPED_LINKS:
            continue
        elif is_remote(url):
            raise MapAssetsError(
                f"{type(element).__name__} loads {name!r} from {url}, which offline users cannot reach; "
                "use an element whose files views.assets serves, or add its package to views.assets.PACKAGES"
            )
        else:
            out.append((name, url))
    return out


def localise_map(m: folium.Map, urls: AssetUrls) -> folium.Map:
    """Point every script and stylesheet of ``m`` at the app's own files, in place.

    Each element's ``default_js``/``default_css`` becomes an instance list (folium's class
    lists stay untouched): Leaflet and MarkerCluster links get the local URLs; jQuery,
    Bootstrap, Font Awesome and awesome-markers are dropped. Links already placed in the
    figure's header by an earlier render are removed so the next render adds local ones.

    Parameters
    ----------
    m
        The map; changed in place.
    urls
        From :func:`install_static_assets` or :func:`package_asset_urls`.

    Returns
    -------
    folium.Map
        ``m`` itself.

    Raises
    ------
    MapAssetsError
        An element needs a file from the internet that the app does not serve (for
        example ``folium.Icon``, whose awesome-markers are dropped, or a branca colormap,
        for which streamlit-folium adds d3 from a CDN).
    """
    for element in _walk(m):
        if isinstance(element, folium.Icon):
            raise MapAssetsError(
                "folium.Icon needs awesome-markers and Font Awesome from a CDN; "
                "draw with CircleMarker or DivIcon instead"
            )
        if isinstance(element, branca.colormap.ColorMap):
            raise MapAssetsError(
                "a branca colormap makes streamlit-folium load d3 from a CDN; "
                "draw the legend as HTML instead (views.mapview does)"
            )
        if isinstance(element, JSCSSMixin):
            element.default_js = _localise_links(element, list(element.default_js), urls)
            element.default_css = _localise_links(element, list(element.default_css), urls)
    figure = m.get_root()
    if isinstance(figure, Figure):
        header = figure.header._children
        for name, child in list(header.items()):
            if isinstance(child, (JavascriptLink, CssLink)) and is_remote(child.url):
                if name not in LOCAL_LINKS and name not in DROPPED_LINKS:
                    raise MapAssetsError(
                        f"the map's page links to {child.url} ({name!r}), which offline users cannot reach"
                    )
                del header[name]
    return m


_SCRIPT_SRC = re.compile(r'<script src="([^"]*)"></script>')
_CSS_HREF = re.compile(r'<link rel="stylesheet" href="([^"]*)"/>')
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml"}


def _inline_js(path: Path) -> str:
    code = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
    # "</script" inside the code would end the element early.
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _inline_css(url: str, path: Path, urls: AssetUrls) -> str:
    base = url.rsplit("/", 1)[0]

    def data_uri(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith("#") or ref.startswith("data:"):
            return match.group(0)
        if is_remote(ref):
            raise MapAssetsError(f"{url} refers to {ref}, which offline users cannot reach")
        image = urls.path_for(f"{base}/{ref}")
        mime = _MIME.get(image.suffix.lower(), "application/octet-stream")
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{encoded}")'

    css = _CSS_URL.sub(data_uri, path.read_text(encoding="utf-8"))
    return css.replace("</style", "<\\/style")


def standalone_html(m: folium.Map, *, urls: AssetUrls | None = None) -> str:
    """One self-contained HTML page of the map, with Leaflet and the rest inlined.

    The page loads nothing but map tiles (when the map has a tile layer), so it opens
    from a file on a machine without internet, and can be attached to a briefing.

    Parameters
    ----------
    m
        The map; localised in place first (see :func:`localise_map`).
    urls
        Where the files come from; default :func:`package_asset_urls`.

    Returns
    -------
    str
        The page.

    Raises
    ------
    MapAssetsError
        The page would link to a file that is not one of the app's own.
    """
    urls = urls if urls is not None else package_asset_urls()
    localise_map(m, urls)
    page = m.get_root().render()

    def script(match: re.Match[str]) -> str:
        return f"<script>{_inline_js(urls.path_for(match.group(1)))}</script>"

    def style(match: re.Match[str]) -> str:
        url = match.group(1)
        return f"<style>{_inline_css(url, urls.path_for(url), urls)}</style>"

    # A function as replacement, so backslashes in the inlined code stay as they are.
    page = _SCRIPT_SRC.sub(script, page)
    return _CSS_HREF.sub(style, page)
