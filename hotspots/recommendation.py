"""Who acts where and when: a lead, time windows and nearby service points per hotspot.

Lead (``lead_for``): youth work leads on youth violence, gang activity, vandalism and
residents' concerns; police on drug dealing, weapons and robbery; assault, disturbance and
other are neutral and do not vote. The side with at least two thirds (``lead_share``) of
the hotspot's non-neutral incidents leads; otherwise, or when every incident is neutral,
the lead is joint.

When: the hotspot's peak windows (``peak_times`` of the summary). Where: its osa-alue
names (two at most) with their peruspiiri. Nearby: when service points are given (youth
centres, schools, libraries ...: ``read_service_points``), the nearest ones within walking
distance (``max_distance_m``, 1.5 km by default), measured from the edge of the hotspot
polygon (0 m when inside) and rounded to 10 m.

A ``Recommendation`` is data (codes, names, windows, distances); ``i18n.recommendation_text``
words it in Finnish, Swedish or English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo import crs
from geo.errors import InputFormatError, ParameterError
from hotspots.peaks import PeakWindow

Lead = Literal["youth_work", "police", "joint"]
YOUTH_WORK_CATEGORIES: Final = frozenset({"youth_violence", "gang_activity", "vandalism", "resident_concern"})
POLICE_CATEGORIES: Final = frozenset({"drug_dealing", "weapons", "robbery"})
#: Share of the non-neutral incidents one side needs to lead alone.
LEAD_SHARE: Final = 2 / 3
#: Service point kinds kept by ``read_service_points`` by default (OSM ``amenity`` values, and
#: ``station`` for a railway or metro station named in a service file: a landmark to meet at).
SERVICE_KINDS: Final = (
    "youth_centre",
    "community_centre",
    "school",
    "college",
    "library",
    "social_facility",
    "kindergarten",
    "station",
)
#: Hotspot columns ``recommend`` reads.
RECOMMEND_COLUMNS: Final = (
    "categories",
    "peak_times",
    "osaalue_fi",
    "osaalue_sv",
    "peruspiiri_fi",
    "peruspiiri_sv",
)
#: Columns ``recommend`` needs in the service points.
SERVICE_COLUMNS: Final = ("name", "kind", "x_m", "y_m")
_MAX_NAMES: Final = 2


@dataclass(frozen=True)
class NearbyService:
    """A service point near a hotspot.

    Attributes
    ----------
    name
        Its name as given (Finnish in Helsinki's data).
    name_sv
        Its Swedish name, None when the data have none.
    kind
        OSM ``amenity`` value such as ``"youth_centre"`` (``SERVICE_KINDS``) or any other.
    distance_m
        Distance from the edge of the hotspot, metres rounded to 10 (0 inside).
    """

    name: str
    name_sv: str | None
    kind: str
    distance_m: int


@dataclass(frozen=True)
class DistrictNames:
    """Where a hotspot is, in one language of the district register (Finnish or Swedish).

    Attributes
    ----------
    osaalue
        Names of the osa-alue holding most of its incidents, most first, two at most.
    peruspiiri
        Names of their peruspiiri, most first, two at most.
    """

    osaalue: tuple[str, ...]
    peruspiiri: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """Who acts where and when at one hotspot, as codes and names.

    Attributes
    ----------
    lead
        ``"youth_work"``, ``"police"`` or ``"joint"`` (``lead_for``).
    windows
        The hotspot's peak windows, strongest first.
    names_fi, names_sv
        Its districts in Finnish and in Swedish.
    services
        The nearest service points, nearest first; None when no service points were given.
    max_distance_m
        Walking distance searched for service points, metres.
    """

    lead: Lead
    windows: tuple[PeakWindow, ...]
    names_fi: DistrictNames
    names_sv: DistrictNames
    services: tuple[NearbyService, ...] | None
    max_distance_m: float


def lead_for(category_counts: Mapping[str, int], *, lead_share: float = LEAD_SHARE) -> Lead:
    """Who leads the response to a hotspot with these incident categories.

    Parameters
    ----------
    category_counts
        Canonical category -> incidents.
    lead_share
        Share of the non-neutral incidents (youth work + police categories) one side needs,
        in (0.5, 1].

    Returns
    -------
    str
        ``"youth_work"``, ``"police"`` or ``"joint"`` (mixed, or only neutral categories).
    """
    if not 0.5 < lead_share <= 1:
        raise ParameterError(f"lead_share must be in (0.5, 1], got {lead_share}")
    youth = sum(int(v) for k, v in category_counts.items() if k in YOUTH_WORK_CATEGORIES)
    police = sum(int(v) for k, v in category_counts.items() if k in POLICE_CATEGORIES)
    decided = youth + police
    if decided <= 0:
        return "joint"
    if youth >= lead_share * decided:
        return "youth_work"
    if police >= lead_share * decided:
        return "police"
    return "joint"


def _read_csv(file: Path) -> pd.DataFrame:
    """Every cell of a UTF-8 CSV file as text ('' for empty), or an InputFormatError naming the file."""
    try:
        return pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFormatError(
            f"cannot read service points from {file}: {exc}", code="service_points_unreadable"
        ) from exc


def _coordinate_columns(file: Path, columns: set[str], source_crs: str | None) -> tuple[str, str, str]:
    """Return the x and y columns and their CRS ('' when it is to be guessed)."""
    if {"lon", "lat"} <= columns:
        return "lon", "lat", crs.WGS84
    pairs = [(a, b) for a, b in (("x_m", "y_m"), ("x", "y")) if {a, b} <= columns]
    if not pairs:
        raise InputFormatError(
            f"{file} needs lon/lat or x/y columns for the coordinates; it has {sorted(columns)}",
            code="service_points_columns",
            columns=sorted(columns),
        )
    try:
        src = crs.normalise_crs(source_crs) if source_crs else ""
    except ValueError as exc:
        raise ParameterError(
            f"source_crs must be an EPSG code such as 'EPSG:3879', got {source_crs!r}"
        ) from exc
    return pairs[0][0], pairs[0][1], src


def _metric_coordinates(
    file: Path, raw: pd.DataFrame, frame: pd.DataFrame, columns: tuple[str, str, str]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project the kept rows' coordinates to EPSG:3067, guessing the CRS when it is not known."""
    xcol, ycol, src = columns
    x = pd.to_numeric(frame[xcol], errors="coerce").to_numpy(dtype=np.float64)
    y = pd.to_numeric(frame[ycol], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        row = int(frame.index[np.flatnonzero(bad)[0]])
        raise InputFormatError(
            f"{file} row {row + 1} (line {row + 2}) has no numeric {xcol}/{ycol}: "
            f"{raw.loc[row, xcol]!r}, {raw.loc[row, ycol]!r}; fix or delete the row",
            code="service_points_row",
            line=row + 2,
        )
    if not src:
        guessed = crs.guess_crs(x, y) if x.size else crs.METRIC
        if guessed is None:
            raise InputFormatError(
                f"cannot tell the CRS of {xcol}/{ycol} in {file}; pass source_crs (e.g. 'EPSG:3879')",
                code="service_points_crs",
            )
        src = guessed
    x_m, y_m = crs.to_metric(x, y, src=src)
    return np.asarray(x_m, dtype=np.float64), np.asarray(y_m, dtype=np.float64)


def read_service_points(
    path: str | Path,
    *,
    kinds: Sequence[str] | None = SERVICE_KINDS,
    source_crs: str | None = None,
) -> pd.DataFrame:
    """Read service points (youth centres, schools ...) from a CSV file.

    The file needs ``name``, a kind column (``kind``, else OSM's ``amenity``) and either
    ``lon``/``lat`` (WGS84) or ``x``/``y`` (or ``x_m``/``y_m``) in ``source_crs``. Rows
    without a name are skipped: a recommendation cannot point to a nameless place.

    Parameters
    ----------
    path
        CSV file (UTF-8).
    kinds
        Kinds to keep; None keeps every row.
    source_crs
        EPSG code of ``x``/``y``; guessed from the Helsinki-region ranges when None.

    Returns
    -------
    DataFrame
        ``name``, ``name_sv`` (may be missing), ``kind``, ``x_m``, ``y_m`` (EPSG:3067).

    Raises
    ------
    InputFormatError
        The file cannot be read, lacks columns, or a row has unusable coordinates.
    """
    file = Path(path)
    raw = _read_csv(file)
    columns = set(raw.columns)
    kind_column = "kind" if "kind" in columns else "amenity" if "amenity" in columns else None
    if "name" not in columns or kind_column is None:
        raise InputFormatError(
            f"{file} needs the columns 'name' and 'kind' (or OSM 'amenity'); it has {sorted(columns)}"
        )
    coordinates = _coordinate_columns(file, columns, source_crs)
    frame = raw.assign(name=raw["name"].str.strip(), kind=raw[kind_column].str.strip())
    frame = frame[frame["name"] != ""]
    if kinds is not None:
        frame = frame[frame["kind"].isin(list(kinds))]
    x_m, y_m = _metric_coordinates(file, raw, frame, coordinates)
    name_sv = frame["name_sv"].str.strip() if "name_sv" in frame.columns else pd.Series("", index=frame.index)
    return pd.DataFrame(
        {
            "name": pd.array(frame["name"].to_numpy(), dtype="string"),
            "name_sv": pd.array(name_sv.replace("", None).to_numpy(), dtype="string"),
            "kind": pd.array(frame["kind"].to_numpy(), dtype="string"),
            "x_m": x_m,
            "y_m": y_m,
        }
    )


def nearest_services(
    polygons: Sequence[Any] | np.ndarray,
    service_points: pd.DataFrame,
    *,
    max_services: int = 3,
    max_distance_m: float = 1500.0,
) -> list[list[tuple[int, float]]]:
    """Row numbers of the nearest service points per polygon, with distances in metres.

    Parameters
    ----------
    polygons
        Hotspot polygons in EPSG:3067.
    service_points
        Frame with ``x_m``/``y_m`` (EPSG:3067) and ``name``.
    max_services
        At most this many per polygon.
    max_distance_m
        Farther points are not listed.

    Returns
    -------
    list of list of (int, float)
        Per polygon, ``(row, distance_m)`` nearest first (ties by name), distance 0 inside;
        a name and kind already listed for the polygon (OSM node and area of one place)
        is skipped.
    """
    geoms = np.asarray(polygons, dtype=object)
    out: list[list[tuple[int, float]]] = [[] for _ in range(geoms.size)]
    x = service_points["x_m"].to_numpy(dtype=np.float64)
    y = service_points["y_m"].to_numpy(dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if geoms.size == 0 or finite.size == 0 or max_services == 0:
        return out
    points = shapely.points(x[finite], y[finite])
    poly_idx, point_idx = shapely.STRtree(points).query(geoms, predicate="dwithin", distance=max_distance_m)
    distance = shapely.distance(geoms[poly_idx], points[point_idx])
    names = service_points["name"].astype(str).to_numpy()[finite[point_idx]]
    kinds = (
        service_points["kind"].astype(str).to_numpy()[finite[point_idx]]
        if "kind" in service_points
        else names
    )
    seen: list[set[tuple[str, str]]] = [set() for _ in range(geoms.size)]
    for i in np.lexsort((names, distance, poly_idx)):
        picked, key = out[poly_idx[i]], (names[i], kinds[i])
        # OSM maps one place as a node and as an area: list a name and kind once.
        if len(picked) < max_services and key not in seen[poly_idx[i]]:
            picked.append((int(finite[point_idx[i]]), float(distance[i])))
            seen[poly_idx[i]].add(key)
    return out


def _names(value: object) -> tuple[str, ...]:
    """Return the first names of a comma-joined district column (``"Linjat, Kallio"``); none when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ()
    return tuple(part.strip() for part in str(value).split(",") if part.strip())[:_MAX_NAMES]


def _check_options(hotspots: pd.DataFrame, max_services: int, max_distance_m: float) -> None:
    if int(max_services) != max_services or max_services < 0:
        raise ParameterError(f"max_services must be a whole number >= 0, got {max_services}")
    if not np.isfinite(max_distance_m) or max_distance_m <= 0:
        raise ParameterError(f"max_distance_m must be > 0 metres, got {max_distance_m}")
    missing = [c for c in RECOMMEND_COLUMNS if c not in hotspots.columns]
    if missing:
        raise ParameterError(
            f"hotspots lacks the columns {missing}; pass the table from hotspots.summary.summarise_hotspots"
        )


def _nearby(
    hotspots: gpd.GeoDataFrame, service_points: pd.DataFrame, *, max_services: int, max_distance_m: float
) -> list[tuple[NearbyService, ...]]:
    """Return the nearest service points of each hotspot (``nearest_services``), named and rounded."""
    needed = [c for c in SERVICE_COLUMNS if c not in service_points.columns]
    if needed:
        raise ParameterError(f"service_points lacks the columns {needed}; read them with read_service_points")
    if hotspots.crs is not None and crs.normalise_crs(hotspots.crs.to_string()) != crs.METRIC:
        raise ParameterError(f"hotspots must be in {crs.METRIC} metres, got {hotspots.crs.to_string()}")
    nearest = nearest_services(
        np.asarray(hotspots.geometry.values),
        service_points,
        max_services=int(max_services),
        max_distance_m=max_distance_m,
    )
    names = service_points["name"].astype(str).to_numpy()
    names_sv: list[str | None] = (
        [None if pd.isna(v) or not str(v) else str(v) for v in service_points["name_sv"]]
        if "name_sv" in service_points.columns
        else [None] * len(service_points)
    )
    kinds = service_points["kind"].astype(str).to_numpy()
    # Walking-scale distances: to 10 m, no false precision.
    return [
        tuple(NearbyService(names[i], names_sv[i], kinds[i], int(round(d / 10.0) * 10)) for i, d in picks)
        for picks in nearest
    ]


def _recommendation(
    row: Mapping[str, Any],
    services: tuple[NearbyService, ...] | None,
    *,
    lead_share: float,
    max_distance_m: float,
) -> Recommendation:
    peaks = row["peak_times"] if isinstance(row["peak_times"], list) else []
    return Recommendation(
        lead=lead_for(row["categories"] or {}, lead_share=lead_share),
        windows=tuple(PeakWindow.from_dict(w) for w in peaks),
        names_fi=DistrictNames(_names(row["osaalue_fi"]), _names(row["peruspiiri_fi"])),
        names_sv=DistrictNames(_names(row["osaalue_sv"]), _names(row["peruspiiri_sv"])),
        services=services,
        max_distance_m=float(max_distance_m),
    )


def recommend(
    hotspots: gpd.GeoDataFrame,
    *,
    service_points: pd.DataFrame | None = None,
    max_services: int = 3,
    max_distance_m: float = 1500.0,
    lead_share: float = LEAD_SHARE,
) -> gpd.GeoDataFrame:
    """Add who leads, the nearest service points and the recommendation they make.

    Parameters
    ----------
    hotspots
        Table from ``hotspots.summary.summarise_hotspots`` (ranked or not), EPSG:3067.
    service_points
        ``name``, ``kind``, ``x_m``, ``y_m`` (and optionally ``name_sv``), e.g. from
        ``read_service_points``; None leaves ``nearest_services`` empty and the
        recommendations without services (``Recommendation.services`` None).
    max_services
        Service points listed per hotspot, >= 0.
    max_distance_m
        Walking distance in metres beyond which a service point is not listed, > 0.
    lead_share
        See ``lead_for``.

    Returns
    -------
    GeoDataFrame
        A copy with ``lead``, ``nearest_services`` (list of ``(name, kind, distance_m)``)
        and ``recommendation`` (a ``Recommendation``; ``i18n.recommendation_text`` words it).
    """
    _check_options(hotspots, max_services, max_distance_m)
    out = hotspots.copy()
    found: list[tuple[NearbyService, ...]] | list[None] = [None] * len(out)
    if service_points is not None:
        found = _nearby(out, service_points, max_services=max_services, max_distance_m=max_distance_m)
    rows = out[list(RECOMMEND_COLUMNS)].to_dict("records")
    recommendations = [
        _recommendation(row, services, lead_share=lead_share, max_distance_m=max_distance_m)
        for row, services in zip(rows, found, strict=True)
    ]
    out["lead"] = pd.array([r.lead for r in recommendations], dtype="string")
    out["nearest_services"] = pd.Series(
        [[(s.name, s.kind, s.distance_m) for s in r.services or ()] for r in recommendations],
        index=out.index,
        dtype=object,
    )
    out["recommendation"] = pd.Series(recommendations, index=out.index, dtype=object)
    return out
