"""Who acts where and when: a lead, time windows and nearby service points per hotspot.

Lead (``lead_for``): youth work leads on youth violence, gang activity, vandalism and
residents' concerns; police on drug dealing, weapons and robbery; assault, disturbance and
other are neutral and do not vote. The side with at least two thirds (``lead_share``) of
the hotspot's non-neutral incidents leads; otherwise, or when every incident is neutral,
the lead is joint.

When: the hotspot's peak windows (``peak_times`` of the summary). Where: its osa-alue
names (two at most) with their peruspiiri in brackets. Nearby: when service points are
given (youth centres, schools, libraries ...: ``read_service_points``), the nearest ones
within walking distance (``max_distance_m``, 1.5 km by default), measured from the edge
of the hotspot polygon (0 m when inside) and rounded to 10 m.

Texts are built from one catalogue per language (``TEXTS``); a test checks that every
language has every key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs
from geo.errors import InputFormatError, ParameterError
from hotspots.peaks import PeakWindow

Lead = Literal["youth_work", "police", "joint"]
LANGUAGES: Final = ("fi", "sv", "en")
YOUTH_WORK_CATEGORIES: Final = frozenset({"youth_violence", "gang_activity", "vandalism", "resident_concern"})
POLICE_CATEGORIES: Final = frozenset({"drug_dealing", "weapons", "robbery"})
#: Share of the non-neutral incidents one side needs to lead alone.
LEAD_SHARE: Final = 2 / 3
#: Service point kinds kept by ``read_service_points`` by default (OSM ``amenity`` values).
SERVICE_KINDS: Final = (
    "youth_centre",
    "community_centre",
    "school",
    "college",
    "library",
    "social_facility",
    "kindergarten",
)

#: Sentence parts per language. ``{where}``, ``{when}``, ``{items}``, ``{distance_m}`` are filled in.
TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "lead.youth_work": "Youth work leads: outreach {where}{when}.",
        "lead.police": "Police lead: patrols {where}{when}.",
        "lead.joint": "Youth work and police jointly: outreach and patrols {where}{when}.",
        "where": "in {names}",
        "where.unknown": "at the hotspot",
        "when": "; {windows}",
        "and": "and",
        "nearest": " Nearest: {items}.",
        "nearest.none": " No service point within {distance_m} m.",
        "item": "{name} ({kind}, {distance_m} m)",
        "kind.youth_centre": "youth centre",
        "kind.community_centre": "community centre",
        "kind.school": "school",
        "kind.college": "college",
        "kind.library": "library",
        "kind.social_facility": "social services",
        "kind.kindergarten": "kindergarten",
        "kind.other": "service point",
    },
    "fi": {
        "lead.youth_work": "Nuorisotyö vetää: jalkautuva työ {where}{when}.",
        "lead.police": "Poliisi vetää: partiointi {where}{when}.",
        "lead.joint": "Nuorisotyö ja poliisi yhdessä: jalkautuva työ ja partiointi {where}{when}.",
        "where": "alueella {names}",
        "where.unknown": "hotspot-alueella",
        "when": "; {windows}",
        "and": "ja",
        "nearest": " Lähimmät: {items}.",
        "nearest.none": " Ei palvelupisteitä {distance_m} metrin säteellä.",
        "item": "{name} ({kind}, {distance_m} m)",
        "kind.youth_centre": "nuorisotalo",
        "kind.community_centre": "yhteisötila",
        "kind.school": "koulu",
        "kind.college": "oppilaitos",
        "kind.library": "kirjasto",
        "kind.social_facility": "sosiaalipalvelu",
        "kind.kindergarten": "päiväkoti",
        "kind.other": "palvelupiste",
    },
    "sv": {
        "lead.youth_work": "Ungdomsarbetet leder: uppsökande arbete {where}{when}.",
        "lead.police": "Polisen leder: patrullering {where}{when}.",
        "lead.joint": (
            "Ungdomsarbetet och polisen tillsammans: uppsökande arbete och patrullering {where}{when}."
        ),
        "where": "i {names}",
        "where.unknown": "på platsen",
        "when": "; {windows}",
        "and": "och",
        "nearest": " Närmast: {items}.",
        "nearest.none": " Inga serviceställen inom {distance_m} m.",
        "item": "{name} ({kind}, {distance_m} m)",
        "kind.youth_centre": "ungdomsgård",
        "kind.community_centre": "samlingslokal",
        "kind.school": "skola",
        "kind.college": "läroanstalt",
        "kind.library": "bibliotek",
        "kind.social_facility": "socialservice",
        "kind.kindergarten": "daghem",
        "kind.other": "serviceställe",
    },
}
#: Hotspot columns ``recommend`` reads.
RECOMMEND_COLUMNS: Final = (
    "categories",
    "peak_times",
    "osaalue_fi",
    "osaalue_sv",
    "peruspiiri_fi",
    "peruspiiri_sv",
)
_MAX_NAMES: Final = 2


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
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFormatError(f"cannot read service points from {file}: {exc}") from exc
    columns = set(raw.columns)
    kind_column = "kind" if "kind" in columns else "amenity" if "amenity" in columns else None
    if "name" not in columns or kind_column is None:
        raise InputFormatError(
            f"{file} needs the columns 'name' and 'kind' (or OSM 'amenity'); it has {sorted(columns)}"
        )
    if {"lon", "lat"} <= columns:
        xcol, ycol, src = "lon", "lat", crs.WGS84
    else:
        xcol, ycol = next(((a, b) for a, b in (("x_m", "y_m"), ("x", "y")) if {a, b} <= columns), ("", ""))
        if not xcol:
            raise InputFormatError(
                f"{file} needs lon/lat or x/y columns for the coordinates; it has {sorted(columns)}"
            )
        try:
            src = crs.normalise_crs(source_crs) if source_crs else ""
        except ValueError as exc:
            raise ParameterError(
                f"source_crs must be an EPSG code such as 'EPSG:3879', got {source_crs!r}"
            ) from exc
    frame = raw.assign(name=raw["name"].str.strip(), kind=raw[kind_column].str.strip())
    frame = frame[frame["name"] != ""]
    if kinds is not None:
        frame = frame[frame["kind"].isin(list(kinds))]
    x = pd.to_numeric(frame[xcol], errors="coerce").to_numpy(dtype=np.float64)
    y = pd.to_numeric(frame[ycol], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        row = int(frame.index[np.flatnonzero(bad)[0]])
        raise InputFormatError(
            f"{file} row {row + 1} (line {row + 2}) has no numeric {xcol}/{ycol}: "
            f"{raw.loc[row, xcol]!r}, {raw.loc[row, ycol]!r}; fix or delete the row"
        )
    if not src:
        guessed = crs.guess_crs(x, y) if x.size else crs.METRIC
        if guessed is None:
            raise InputFormatError(
                f"cannot tell the CRS of {xcol}/{ycol} in {file}; pass source_crs (e.g. 'EPSG:3879')"
            )
        src = guessed
    x_m, y_m = crs.to_metric(x, y, src=src)
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


def _join(items: Sequence[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {TEXTS[lang]['and']} {items[-1]}"


def _names(value: object) -> list[str]:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    return [part.strip() for part in str(value).split(",") if part.strip()][:_MAX_NAMES]


def _place(osaalue: object, peruspiiri: object, lang: str) -> str:
    small, large = _names(osaalue), _names(peruspiiri)
    extra = [name for name in large if name not in small]
    if not small and not extra:
        return TEXTS[lang]["where.unknown"]
    names = ", ".join(small or extra)
    if small and extra:
        names += f" ({', '.join(extra)})"
    return TEXTS[lang]["where"].format(names=names)


def _sentence(
    lead: Lead,
    row: Mapping[str, Any],
    services: list[tuple[str, str | None, str, int]] | None,
    lang: str,
    max_distance_m: float,
) -> str:
    text = TEXTS[lang]
    suffix = "fi" if lang == "en" else lang  # English uses the Finnish place names
    where = _place(row[f"osaalue_{suffix}"], row[f"peruspiiri_{suffix}"], lang)
    peaks = row["peak_times"] if isinstance(row["peak_times"], list) else []
    windows = [PeakWindow.from_dict(w).label(lang) for w in peaks]
    when = text["when"].format(windows=_join(windows, lang)) if windows else ""
    sentence = text[f"lead.{lead}"].format(where=where, when=when)
    if services is None:
        return sentence
    if not services:
        return sentence + text["nearest.none"].format(distance_m=round(max_distance_m))
    items = [
        text["item"].format(
            name=(name_sv or name) if lang == "sv" else name,
            kind=text.get(f"kind.{kind}", text["kind.other"]),
            distance_m=distance_m,
        )
        for name, name_sv, kind, distance_m in services
    ]
    return sentence + text["nearest"].format(items=", ".join(items))


def recommend(
    hotspots: gpd.GeoDataFrame,
    *,
    service_points: pd.DataFrame | None = None,
    max_services: int = 3,
    max_distance_m: float = 1500.0,
    lead_share: float = LEAD_SHARE,
) -> gpd.GeoDataFrame:
    """Add who leads, the nearest service points and a recommendation in fi, sv and en.

    Parameters
    ----------
    hotspots
        Table from ``hotspots.summary.summarise_hotspots`` (ranked or not), EPSG:3067.
    service_points
        ``name``, ``kind``, ``x_m``, ``y_m`` (and optionally ``name_sv``), e.g. from
        ``read_service_points``; None leaves ``nearest_services`` empty and the texts
        without a "Nearest" part.
    max_services
        Service points listed per hotspot, >= 0.
    max_distance_m
        Walking distance in metres beyond which a service point is not listed, > 0.
    lead_share
        See ``lead_for``.

    Returns
    -------
    GeoDataFrame
        A copy with ``lead``, ``nearest_services`` (list of ``(name, kind, distance_m)``),
        ``recommendation_fi``, ``recommendation_sv``, ``recommendation_en``.
    """
    if int(max_services) != max_services or max_services < 0:
        raise ParameterError(f"max_services must be a whole number >= 0, got {max_services}")
    if not np.isfinite(max_distance_m) or max_distance_m <= 0:
        raise ParameterError(f"max_distance_m must be > 0 metres, got {max_distance_m}")
    missing = [c for c in RECOMMEND_COLUMNS if c not in hotspots.columns]
    if missing:
        raise ParameterError(
            f"hotspots lacks the columns {missing}; pass the table from hotspots.summary.summarise_hotspots"
        )
    out = hotspots.copy()
    leads: list[Lead] = [lead_for(mix or {}, lead_share=lead_share) for mix in out["categories"]]
    found: list[list[tuple[str, str | None, str, int]]] | None = None
    if service_points is not None:
        needed = [c for c in ("name", "kind", "x_m", "y_m") if c not in service_points.columns]
        if needed:
            raise ParameterError(
                f"service_points lacks the columns {needed}; read them with read_service_points"
            )
        if out.crs is not None and crs.normalise_crs(out.crs.to_string()) != crs.METRIC:
            raise ParameterError(f"hotspots must be in {crs.METRIC} metres, got {out.crs.to_string()}")
        nearest = nearest_services(
            np.asarray(out.geometry.values),
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
        found = [
            [(names[i], names_sv[i], kinds[i], int(round(d / 10.0) * 10)) for i, d in picks]
            for picks in nearest
        ]
    out["lead"] = pd.array(leads, dtype="string")
    out["nearest_services"] = pd.Series(
        [[(name, kind, d) for name, _, kind, d in picks] for picks in found]
        if found is not None
        else [[] for _ in leads],
        index=out.index,
        dtype=object,
    )
    rows = out[list(RECOMMEND_COLUMNS)].to_dict("records")
    for lang in LANGUAGES:
        out[f"recommendation_{lang}"] = pd.array(
            [
                _sentence(lead, row, found[i] if found is not None else None, lang, max_distance_m)
                for i, (lead, row) in enumerate(zip(leads, rows, strict=True))
            ],
            dtype="string",
        )
    return out
