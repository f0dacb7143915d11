"""Addresses and place names to coordinates (and back), against a :class:`~geo.gazetteer.Register`.

:class:`Geocoder` builds its lookup structures once: street keys in Finnish and Swedish
(with a typo index), each street's house numbers with their points and, per side of the
street, the sorted numbers for interpolation; place names by key and by inflection-blind
stem. :meth:`Geocoder.geocode` reads texts as people write them (``geo.addresstext``) and
says for every answer how it was found: ``exact``, ``interpolated`` (a number missing
on the street, placed between its neighbours), ``street`` (the street's centre),
``place``, ``intersection``, or ``none`` (NaN coordinates: a miss is never a guess).
:meth:`Geocoder.reverse` names points by their nearest address or place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo import addresstext, crs
from geo.addresstext import HouseNumber
from geo.gazetteer import Register

#: Match qualities, best first.
QUALITIES: Final = ("exact", "interpolated", "street", "place", "intersection", "none")
#: Columns :meth:`Geocoder.geocode` returns.
GEOCODE_COLUMNS: Final = ("x_m", "y_m", "lon", "lat", "geocode_quality", "geocode_match")
#: Two streets whose nearest address points are farther apart than this do not meet.
MAX_INTERSECTION_GAP_M: Final = 150.0
#: Points of one place name spread wider than this make the name ambiguous (a chain's shops).
MAX_PLACE_SPREAD_M: Final = 100.0
#: At the end of a street side, a known number this close stands in for a missing one.
MAX_END_STEP: Final = 4
#: Shortest key (letters) a typo or a cut-off prefix is tolerated in.
_MIN_FUZZY_LEN: Final = 5


class Match(NamedTuple):
    """One geocoding answer in EPSG:3067 metres."""

    x_m: float
    y_m: float
    quality: str
    text: str


_MISS: Final = Match(float("nan"), float("nan"), "none", "")


@dataclass(frozen=True)
class _Street:
    """One street's names, numbers and points."""

    name_fi: str
    name_sv: str
    numbers: dict[str, tuple[float, float, str]]  # HouseNumber.key -> point, number as written
    by_main: dict[int, tuple[float, float, str]]
    ranges: dict[int, tuple[int, int]]  # first number -> (first, last) of registered ranges "5-9"
    sides: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]  # parity -> numbers, x, y (sorted)
    xy: np.ndarray
    centre: tuple[float, float]

    @property
    def name(self) -> str:
        return self.name_fi or self.name_sv


def _mean_point(xs: Iterable[float], ys: Iterable[float]) -> tuple[float, float]:
    return float(np.mean(list(xs))), float(np.mean(list(ys)))


def _build_street(name_fi: str, name_sv: str, rows: pd.DataFrame) -> _Street:
    """Index one street's addresses (repeated numbers share their mean point)."""
    parsed = [addresstext.parse_number(n) for n in rows["number"]]
    numbers: dict[str, list[tuple[float, float, str]]] = {}
    mains: dict[int, list[tuple[float, float, str]]] = {}
    ranges: dict[int, tuple[int, int]] = {}
    for hn, written, x, y in zip(parsed, rows["number"], rows["x_m"], rows["y_m"], strict=True):
        if hn is None:
            continue
        numbers.setdefault(hn.key, []).append((x, y, written))
        mains.setdefault(hn.number, []).append((x, y, written))
        if hn.end is not None and hn.end > hn.number:
            ranges[hn.number] = (hn.number, hn.end)

    def merge(points: list[tuple[float, float, str]]) -> tuple[float, float, str]:
        x, y = _mean_point((p[0] for p in points), (p[1] for p in points))
        return x, y, points[0][2]

    by_main = {n: merge(p) for n, p in mains.items()}
    sides = {}
    for parity in (0, 1):
        keys = sorted(n for n in by_main if n % 2 == parity)
        sides[parity] = (
            np.array(keys, dtype="int64"),
            np.array([by_main[n][0] for n in keys]),
            np.array([by_main[n][1] for n in keys]),
        )
    xy = rows[["x_m", "y_m"]].to_numpy(dtype="float64")
    mean = xy.mean(axis=0)
    centre = xy[int(np.argmin(((xy - mean) ** 2).sum(axis=1)))]  # a point on the street itself
    return _Street(
        name_fi,
        name_sv,
        {k: merge(p) for k, p in numbers.items()},
        by_main,
        ranges,
        sides,
        xy,
        (float(centre[0]), float(centre[1])),
    )


class Geocoder:
    """Geocode and reverse-geocode against one register; build once, use many times.

    Parameters
    ----------
    register
        The addresses and places to look things up in (``geo.gazetteer``).
    """

    def __init__(self, register: Register) -> None:
        self.register = register
        addresses = register.addresses
        street_name = addresses["street_fi"].where(addresses["street_fi"] != "", addresses["street_sv"])
        self._streets: list[_Street] = []
        self._street_keys: dict[str, int] = {}
        for _, rows in addresses.groupby(street_name.map(addresstext.key), sort=True):
            fi = next((n for n in rows["street_fi"] if n), "")
            sv = next((n for n in rows["street_sv"] if n), "")
            index = len(self._streets)
            self._streets.append(_build_street(fi, sv, rows))
            for name in (fi, sv):
                if name:
                    self._street_keys.setdefault(addresstext.key(name), index)
        self._street_typos = _typo_index(self._street_keys)
        self._places = register.places.reset_index(drop=True)
        self._place_keys: dict[str, list[int]] = {}
        for column in ("name_fi", "name_sv"):
            for i, name in enumerate(self._places[column]):
                if name:
                    self._place_keys.setdefault(addresstext.name_key(name), []).append(i)
        self._place_typos = _typo_index(self._place_keys)
        self._address_tree = cKDTree(addresses[["x_m", "y_m"]].to_numpy(dtype="float64"))
        self._place_xy = self._places[["x_m", "y_m"]].to_numpy(dtype="float64").reshape(-1, 2)
        self._place_names = [
            fi or sv for fi, sv in zip(self._places["name_fi"], self._places["name_sv"], strict=True)
        ]
        self._place_tree = cKDTree(self._place_xy) if len(self._place_xy) else None
        self._cache: dict[str, Match] = {}

    # -- public ---------------------------------------------------------------------------

    def geocode(self, texts: Iterable[str] | pd.Series) -> pd.DataFrame:
        """Return coordinates, quality and the matched register text for each address or place.

        Parameters
        ----------
        texts
            Addresses or place names as people write them; a Series keeps its index.
            Missing values are misses.

        Returns
        -------
        DataFrame
            ``x_m, y_m`` (EPSG:3067), ``lon, lat`` (EPSG:4326), ``geocode_quality`` (one of
            ``QUALITIES``) and ``geocode_match`` (the register text matched, '' for a miss).
        """
        series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
        unique = pd.unique(series.to_numpy(dtype=object))
        found = {text: self.match(text) for text in unique}
        matches = [found[text] for text in series.to_numpy(dtype=object)]
        x_m = np.array([m.x_m for m in matches], dtype="float64")
        y_m = np.array([m.y_m for m in matches], dtype="float64")
        lon, lat = crs.to_wgs84(x_m, y_m)
        return pd.DataFrame(
            {
                "x_m": x_m,
                "y_m": y_m,
                "lon": lon,
                "lat": lat,
                "geocode_quality": [m.quality for m in matches],
                "geocode_match": [m.text for m in matches],
            },
            index=series.index,
        )

    def match(self, text: object) -> Match:
        """Return the answer for one text (cached per text).

        Parameters
        ----------
        text
            An address or place name; anything that is not a non-empty string is a miss.

        Returns
        -------
        Match
            Coordinates in EPSG:3067, quality and matched register text.
        """
        if not isinstance(text, str) or not text.strip():
            return _MISS
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._resolve(text)
        return cached

    def reverse(self, x_m: Iterable[float], y_m: Iterable[float], *, lang: str = "fi") -> pd.DataFrame:
        """Name each point by its nearest address or place.

        Parameters
        ----------
        x_m, y_m
            Points in EPSG:3067 metres.
        lang
            ``"fi"`` or ``"sv"``: which name to give (the other when the register lacks it).

        Returns
        -------
        DataFrame
            ``name`` (``"Kaivokatu 1"``, ``"Tallinnanaukio"``), ``kind`` (``address`` or
            ``place``) and ``distance_m`` to it, one row per point.
        """
        if lang not in ("fi", "sv"):
            raise ValueError(f"lang was {lang!r} but is expected to be one of ['fi', 'sv']")
        xy = np.column_stack([np.asarray(list(x_m), dtype="float64"), np.asarray(list(y_m), dtype="float64")])
        a_dist, a_idx = self._address_tree.query(xy)
        if self._place_tree is not None:
            p_dist, p_idx = self._place_tree.query(xy)
        else:
            p_dist, p_idx = np.full(len(xy), np.inf), np.zeros(len(xy), dtype="int64")
        first, second = ("street_fi", "street_sv") if lang == "fi" else ("street_sv", "street_fi")
        names, kinds = [], []
        for ad, ai, pd_, pi in zip(a_dist, a_idx, p_dist, p_idx, strict=True):
            if pd_ < ad:
                row = self._places.iloc[int(pi)]
                names.append(row[f"name_{lang}"] or row["name_fi"] or row["name_sv"])
                kinds.append("place")
            else:
                row = self.register.addresses.iloc[int(ai)]
                names.append(f"{row[first] or row[second]} {row['number']}")
                kinds.append("address")
        return pd.DataFrame({"name": names, "kind": kinds, "distance_m": np.minimum(a_dist, p_dist)})

    # -- resolving one text -------------------------------------------------------------------

    def _resolve(self, text: str) -> Match:
        whole = addresstext.fold(text)
        folded, _postcode = addresstext.strip_city_and_postcode(whole)
        if whole != folded:
            # A place whose name ends in the city's ("Roster Helsinki") is that place, not
            # a near-miss of another name once the city is taken off.
            named = self._place(whole, fuzzy=False)
            if named is not None:
                return named
        corner = addresstext.intersection_parts(folded)
        if corner is not None:
            crossing = self._intersection(*corner)
            if crossing.quality != "none":
                return crossing
        parts = [
            p.strip(" .") for p in folded.replace(";", ",").replace("(", ",").replace(")", ",").split(",")
        ]
        parts = [p for p in parts if p]
        for part in parts:
            found = self._address(part)
            if found is not None:
                return found
        for part in [folded, *reversed(parts)]:
            found = self._place(part) or self._street_only(part)
            if found is not None:
                return found
        return _MISS

    def _find_street(self, street_text: str) -> int | None:
        """Return the street a text names: exact key, abbreviation/base form, prefix, or one typo."""
        candidates = addresstext.street_keys(street_text)
        for candidate in candidates:
            if candidate in self._street_keys:
                return self._street_keys[candidate]
        base = candidates[0] if candidates else ""
        if len(base) >= _MIN_FUZZY_LEN + 3:  # a name cut short: "Mannerheimin", "Pohjoisesplan"
            starts = {i for k, i in self._street_keys.items() if k.startswith(base)}
            if len(starts) == 1:
                return starts.pop()
            if starts:
                return None  # cut short where several streets begin alike: not a guess
        found = _fuzzy(candidates, self._street_typos)
        return self._street_keys[found] if found is not None else None

    def _address(self, part: str) -> Match | None:
        street_text, number_text = addresstext.split_street_and_number(part)
        if number_text is None or not street_text:
            return None
        number = addresstext.parse_number(number_text)
        index = self._find_street(street_text)
        if number is None or index is None:
            return None
        return _locate_number(self._streets[index], number)

    def _street_only(self, part: str) -> Match | None:
        street_text, number_text = addresstext.split_street_and_number(part)
        if number_text is not None or not street_text:
            return None
        index = self._find_street(street_text)
        if index is None:
            return None
        street = self._streets[index]
        return Match(*street.centre, "street", street.name)

    def _place(self, part: str, *, fuzzy: bool = True) -> Match | None:
        wanted = addresstext.inflected_keys(part)
        rows = next((self._place_keys[k] for k in wanted if k in self._place_keys), None)
        if rows is None:
            if not fuzzy:
                return None
            found = _fuzzy(wanted, self._place_typos)
            if found is None:
                return None
            rows = self._place_keys[found]
        xy = self._place_xy[rows]
        if np.ptp(xy, axis=0).max() > MAX_PLACE_SPREAD_M:
            return None  # one name, places far apart: which one is meant cannot be told
        return Match(float(xy[:, 0].mean()), float(xy[:, 1].mean()), "place", self._place_names[rows[0]])

    def _intersection(self, first: str, second: str) -> Match:
        a, b = self._find_street(first), self._find_street(second)
        if a is None or b is None or a == b:
            return _MISS
        street_a, street_b = self._streets[a], self._streets[b]
        gaps, nearest = cKDTree(street_a.xy).query(street_b.xy)
        j = int(np.argmin(gaps))
        if gaps[j] > MAX_INTERSECTION_GAP_M:
            return _MISS
        x, y = (street_a.xy[int(nearest[j])] + street_b.xy[j]) / 2
        return Match(float(x), float(y), "intersection", f"{street_a.name} / {street_b.name}")


def _typo_index(keys: Iterable[str]) -> dict[str, set[str]]:
    """Map each deletion variant of each key (up to two letters) to the keys it comes from."""
    index: dict[str, set[str]] = {}
    for name in keys:
        if len(name.replace(" ", "")) >= _MIN_FUZZY_LEN:
            for variant in addresstext.deletions(name, depth=_typo_depth(name)):
                index.setdefault(variant, set()).add(name)
    return index


def _typo_depth(name: str) -> int:
    """Return how many typos a key of this length may carry (1 up to 8 letters, else 2)."""
    return 1 if len(name) < 9 else 2


def _fuzzy(candidates: list[str], typos: dict[str, set[str]]) -> str | None:
    """Return the one key closest to a candidate within the typo limit; None when there is none or a tie."""
    best: dict[str, int] = {}
    for candidate in candidates:
        if len(candidate) < _MIN_FUZZY_LEN:
            continue
        depth = _typo_depth(candidate)
        near = set().union(*(typos.get(v, set()) for v in addresstext.deletions(candidate, depth=depth)))
        for name in near:
            distance = addresstext.edit_distance(candidate, name, limit=min(depth, _typo_depth(name)))
            if distance <= min(depth, _typo_depth(name)):
                best[name] = min(best.get(name, distance), distance)
    if not best:
        return None
    lowest = min(best.values())
    winners = [name for name, distance in best.items() if distance == lowest]
    return winners[0] if len(winners) == 1 else None


def _locate_number(street: _Street, number: HouseNumber) -> Match:
    """Return a number's point: as registered, else between its neighbours, else the street centre."""
    for candidate in (number.key, HouseNumber(number.number, number.end).key):
        if candidate in street.numbers:
            x, y, written = street.numbers[candidate]
            return Match(x, y, "exact", f"{street.name} {written}")
    wanted = number.number
    covering = [
        n for n, (start, end) in street.ranges.items() if start <= wanted <= end and start % 2 == wanted % 2
    ]
    if wanted in street.by_main or covering:
        x, y, written = street.by_main[wanted if wanted in street.by_main else covering[0]]
        return Match(x, y, "exact", f"{street.name} {written}")
    found = _interpolate(street, wanted) or _interpolate(street, wanted, parity=1 - wanted % 2)
    return found if found is not None else Match(*street.centre, "street", street.name)


def _interpolate(street: _Street, wanted: int, *, parity: int | None = None) -> Match | None:
    """Place ``wanted`` between the nearest lower and higher numbers on one side of the street.

    The side is the number's own unless ``parity`` names the other. At either end of a side,
    a number at most ``MAX_END_STEP`` past the last known one is extrapolated along the
    line of the last two (one house further on); nothing further out is placed.
    """
    numbers, xs, ys = street.sides[wanted % 2 if parity is None else parity]
    i = int(np.searchsorted(numbers, wanted))
    if 0 < i < len(numbers):
        low, high = int(numbers[i - 1]), int(numbers[i])
        t = (wanted - low) / (high - low)
        x, y = xs[i - 1] + t * (xs[i] - xs[i - 1]), ys[i - 1] + t * (ys[i] - ys[i - 1])
        return Match(float(x), float(y), "interpolated", f"{street.name} {low}-{high}")
    end = i - 1 if i == len(numbers) else i
    if not len(numbers) or abs(int(numbers[end]) - wanted) > MAX_END_STEP:
        return None
    x, y = float(xs[end]), float(ys[end])
    inner = end + 1 if i == 0 else end - 1
    if 0 <= inner < len(numbers):
        t = (wanted - int(numbers[end])) / (int(numbers[end]) - int(numbers[inner]))
        x, y = x + t * (x - float(xs[inner])), y + t * (y - float(ys[inner]))
    return Match(x, y, "interpolated", f"{street.name} {int(numbers[end])}")
