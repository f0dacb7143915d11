"""Messy, real-world-shaped incident exports for the import tests, with their known answers.

Positions are real addressed buildings of central Helsinki (the OpenStreetMap sample in
shared/data), projected to ETRS-GK25 with ``geo.crs.transform`` as a police export would
give them. Times are drawn at random and written the Finnish way (``28.4.2026 klo 14.30``);
the generator keeps the true instant of every row so the tests compare against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from geo import crs

HELSINKI = ZoneInfo("Europe/Helsinki")
ADDRESSES = Path("helsinki_osm_centre_sample") / "osm_centre_addresses.csv"

#: Swedish labels and the canonical category each must map to.
SWEDISH_CATEGORIES: dict[str, str] = {
    "Narkotikabrott": "drug_dealing",
    "misshandel": "assault",
    "RÅN": "robbery",
    "Skadegörelse": "vandalism",
    "ordningsstörningar": "disturbance",
    "Ungdomsvåld": "youth_violence",
    "gäng": "gang_activity",
    "Vapen": "weapons",
    "invånarrespons": "resident_concern",
}
SWEDISH_SOURCES: dict[str, str] = {
    "Polisen": "police",
    "ungdomstjänster": "youth_services",
    "Barnskydd": "child_protection",
    "skola": "school",
    "organisation": "ngo",
    "invånare": "resident",
}
#: Points in Espoo (Tapiola) and in the open sea south of Helsinki's territorial waters.
ESPOO_LONLAT = (24.8050, 60.1750)
OPEN_SEA_LONLAT = (24.9500, 59.8500)


def load_addresses(data_dir: Path, *, n: int, seed: int) -> pd.DataFrame:
    """``n`` distinct real addresses (street, housenumber, lon, lat) drawn with ``seed``."""
    table = pd.read_csv(data_dir / ADDRESSES, dtype={"housenumber": str, "postcode": str})
    table = table.dropna(subset=["street", "housenumber", "lon", "lat"]).drop_duplicates(["lon", "lat"])
    pick = np.random.default_rng(seed).choice(len(table), size=n, replace=False)
    out = table.iloc[np.sort(pick)].reset_index(drop=True)
    out["address"] = out["street"] + " " + out["housenumber"] + ", Helsinki"
    return out.loc[:, ["address", "lon", "lat"]]


def finnish_time(moment: datetime) -> str:
    """'28.4.2026 klo 14.30' for an aware instant, in Helsinki wall-clock time."""
    local = moment.astimezone(HELSINKI)
    return f"{local.day}.{local.month}.{local.year} klo {local.hour:02d}.{local.minute:02d}"


def decimal_comma(value: float, decimals: int = 2) -> str:
    """'25496123,45': the decimal comma of Finnish/Swedish spreadsheets."""
    return f"{value:.{decimals}f}".replace(".", ",")


@dataclass
class MessyExport:
    """A generated export: its rows as written, and what the importer must make of them."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    truth_instant: dict[int, datetime] = field(default_factory=dict)
    truth_lonlat: dict[int, tuple[float, float]] = field(default_factory=dict)
    truth_category: dict[int, str] = field(default_factory=dict)
    truth_source: dict[int, str] = field(default_factory=dict)
    #: Spreadsheet row -> set of (field, reason prefix) the importer must report.
    expected_rejects: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    duplicate_rows: set[int] = field(default_factory=set)
    unknown_labels: set[str] = field(default_factory=set)

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    @property
    def accepted_rows(self) -> set[int]:
        return set(range(2, len(self.rows) + 2)) - set(self.expected_rejects) - self.duplicate_rows

    def add(self, values: list[str]) -> int:
        """Append a row as written; return its spreadsheet row number (the header is row 1)."""
        self.rows.append(values)
        return len(self.rows) + 1

    def write_csv(self, path: Path, *, delimiter: str = ";", encoding: str = "utf-8-sig") -> Path:
        """Write as a spreadsheet program would: BOM, semicolons, CRLF line ends."""
        lines = [delimiter.join(self.header)] + [delimiter.join(row) for row in self.rows]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        return path


def build_messy_export(addresses: pd.DataFrame, *, seed: int) -> MessyExport:
    """A Swedish-language police export in GK25 with a known set of broken rows.

    Columns ``Ärende;Tidpunkt;Kategori;Källa;Allvarlighet;Beskrivning;Adress;E;N``.
    Every address gives one good row; then broken rows are inserted at known places.
    """
    out = MessyExport(
        header=["Ärende", "Tidpunkt", "Kategori", "Källa", "Allvarlighet", "Beskrivning", "Adress", "E", "N"]
    )
    good = _add_good_rows(out, addresses, seed=seed)
    _add_broken_rows(out, good)
    return out


def _add_good_rows(out: MessyExport, addresses: pd.DataFrame, *, seed: int) -> list[int]:
    """One good row per address, with its truth; return their spreadsheet rows."""
    rng = np.random.default_rng(seed)
    e, n = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.GK25)
    labels = list(SWEDISH_CATEGORIES)
    sources = list(SWEDISH_SOURCES)
    start = datetime(2026, 1, 1, tzinfo=HELSINKI)
    good: list[int] = []
    for i in range(len(addresses)):
        minutes = int(rng.integers(0, 180 * 24 * 60))
        moment = start + timedelta(minutes=minutes)
        moment = moment.astimezone(HELSINKI)
        label = labels[i % len(labels)]
        source = sources[i % len(sources)]
        # Exact wall-clock arithmetic: rebuild the local time so DST is resolved by zoneinfo.
        local = datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute, tzinfo=HELSINKI)
        row = out.add(
            [
                f"POL-{1000 + i}",
                finnish_time(local),
                label,
                source,
                str(1 + i % 5),
                f'Händelse {i}; vittne & "kamera"' if i % 7 == 0 else f"Händelse {i}",
                str(addresses["address"].iloc[i]),
                decimal_comma(e[i]),
                decimal_comma(n[i]),
            ]
        )
        # Semicolons inside a cell must be quoted as a spreadsheet program does.
        out.rows[-1] = [f'"{v.replace(chr(34), chr(34) * 2)}"' if ";" in v else v for v in out.rows[-1]]
        out.truth_instant[row] = local
        out.truth_lonlat[row] = (float(addresses["lon"].iloc[i]), float(addresses["lat"].iloc[i]))
        out.truth_category[row] = SWEDISH_CATEGORIES[label]
        out.truth_source[row] = SWEDISH_SOURCES[source]
        good.append(row)
    return good


def _add_broken_rows(out: MessyExport, good: list[int]) -> None:
    """Rows with known problems, each a copy of the first good row with some cells changed."""
    template = list(out.rows[0])
    add = out.add

    def broken(**changes: str) -> list[str]:
        values = list(template)
        for name, value in changes.items():
            values[out.header.index(name)] = value
        return values

    def reject(row: int, *reasons: tuple[str, str]) -> None:
        out.expected_rejects[row] = set(reasons)

    reject(add(broken(Ärende="POL-9001", E="")), ("x", "missing coordinate"))
    reject(add(broken(Ärende="POL-9002", N="abc")), ("y", "unparseable coordinate"))
    for k, (lon, lat) in enumerate((ESPOO_LONLAT, OPEN_SEA_LONLAT)):
        ex, ny = crs.transform([lon], [lat], src=crs.WGS84, dst=crs.GK25)
        row = add(broken(Ärende=f"POL-910{k}", E=decimal_comma(ex[0]), N=decimal_comma(ny[0])))
        reject(row, ("location", f"outside Helsinki (lon {lon:.5f}, lat {lat:.5f})"))
    reject(
        add(broken(Ärende="POL-9003", Tidpunkt="31.2.2026 klo 12.00")), ("occurred_at", "unparseable date")
    )
    reject(add(broken(Ärende="POL-9004", Tidpunkt="")), ("occurred_at", "missing date"))
    reject(add(broken(Ärende="POL-9005", Allvarlighet="7")), ("severity", "severity must be"))
    reject(add(broken(Ärende="POL-9006", E="", N="")), ("address", "address without coordinates"))
    # Two problems in one row: two reject lines, one rejected row.
    reject(
        add(broken(Ärende="POL-9007", E="abc", Tidpunkt="13.13.2026")),
        ("x", "unparseable coordinate"),
        ("occurred_at", "unparseable date"),
    )
    # Same id as the first good row, different content: the later row is rejected.
    first = good[0]
    conflict = broken(Tidpunkt=finnish_time(out.truth_instant[first] + timedelta(hours=1)))
    reject(add(conflict), ("id", f"duplicate id with different content than row {first}"))
    # Exact copy of the third good row: a duplicate, neither accepted twice nor rejected.
    out.duplicate_rows.add(add(list(out.rows[good[2] - 2])))
    # Unknown Swedish label: accepted as 'other', counted.
    row = add(broken(Ärende="POL-9008", Kategori="parkeringsfel"))
    out.truth_instant[row] = out.truth_instant[good[0]]
    out.truth_lonlat[row] = out.truth_lonlat[good[0]]
    out.truth_category[row] = "other"
    out.truth_source[row] = out.truth_source[good[0]]
    out.unknown_labels.add("parkeringsfel")


def clean_frame(addresses: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """A clean export without ids (so ids are content hashes): aware times, lon/lat, labels."""
    rng = np.random.default_rng(seed)
    n = len(addresses)
    start = pd.Timestamp("2026-02-01", tz="Europe/Helsinki")
    minutes = np.sort(rng.integers(0, 120 * 24 * 60, size=n))
    return pd.DataFrame(
        {
            "occurred_at": start + pd.to_timedelta(minutes, unit="min"),
            "luokka": [list(SWEDISH_CATEGORIES)[i % len(SWEDISH_CATEGORIES)] for i in range(n)],
            "lähde": [list(SWEDISH_SOURCES)[i % len(SWEDISH_SOURCES)] for i in range(n)],
            "vakavuus": [str(1 + i % 5) for i in range(n)],
            "kuvaus": [f"Tapahtuma {i} <b>&</b>" for i in range(n)],
            "lon": addresses["lon"].to_numpy(dtype=float),
            "lat": addresses["lat"].to_numpy(dtype=float),
        }
    )


def tm35_frame(addresses: pd.DataFrame) -> pd.DataFrame:
    """A Finnish export with ETRS-TM35FIN 'x'/'y' columns written with decimal commas."""
    x, y = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.METRIC)
    return pd.DataFrame(
        {
            "Tapahtuma-aika": [f"{1 + i % 28}.5.2026 klo {i % 24}.{i % 60:02d}" for i in range(len(x))],
            "Luokka": ["järjestyshäiriö"] * len(x),
            "x": [decimal_comma(v) for v in x],
            "y": [decimal_comma(v) for v in y],
        }
    )


def write_large_csv(path: Path, addresses: pd.DataFrame, *, n: int, seed: int) -> Path:
    """``n`` rows in the messy export's shape (GK25 with decimal commas, Finnish times), built vectorised.

    Positions are the real addresses jittered by up to 150 m, so they stay in the centre.
    """
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(addresses), size=n)
    e, nn = crs.transform(addresses["lon"], addresses["lat"], src=crs.WGS84, dst=crs.GK25)
    e = e[pick] + rng.uniform(-150, 150, size=n)
    nn = nn[pick] + rng.uniform(-150, 150, size=n)
    start = pd.Timestamp("2025-11-01 00:00")
    local = start + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, size=n), unit="min")
    when = (
        local.day.astype(str)
        + "."
        + local.month.astype(str)
        + "."
        + local.year.astype(str)
        + " klo "
        + pd.Index(local.hour).astype(str).str.zfill(2)
        + "."
        + pd.Index(local.minute).astype(str).str.zfill(2)
    )
    labels = np.array(list(SWEDISH_CATEGORIES))[rng.integers(0, len(SWEDISH_CATEGORIES), size=n)]
    sources = np.array(list(SWEDISH_SOURCES))[rng.integers(0, len(SWEDISH_SOURCES), size=n)]
    frame = pd.DataFrame(
        {
            "Ärende": [f"POL-{i}" for i in range(n)],
            "Tidpunkt": when,
            "Kategori": labels,
            "Källa": sources,
            "Allvarlighet": rng.integers(1, 6, size=n).astype(str),
            "Beskrivning": "Händelse",
            "E": _comma_cents(e),
            "N": _comma_cents(nn),
        }
    )
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def _comma_cents(values: np.ndarray) -> pd.Series:
    """Positive metre values as '25496123,45' text, vectorised (no per-row formatting)."""
    cents = pd.Series(np.round(values * 100).astype(np.int64)).astype(str)
    return cents.str[:-2] + "," + cents.str[-2:]
