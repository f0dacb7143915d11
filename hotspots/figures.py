"""Figures per district and for the whole selection: counts, rates per 1,000 residents, change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspots.selection import LEVEL_COLUMNS


@dataclass(frozen=True)
class KeyFigures:
    """Headline numbers of one selection against its comparison period."""

    incidents: int
    incidents_previous: int
    hotspots: int
    significant_hotspots: int

    @property
    def change(self) -> int:
        """Incidents now minus incidents in the comparison period."""
        return self.incidents - self.incidents_previous

    @property
    def change_pct(self) -> float | None:
        """Relative change in per cent; None when the comparison period had none."""
        if self.incidents_previous == 0:
            return None
        return 100.0 * self.change / self.incidents_previous


def key_figures(current: pd.DataFrame, previous: pd.DataFrame, hotspots: pd.DataFrame) -> KeyFigures:
    """Headline numbers from the filtered incidents of both periods and the hotspot table."""
    significant = int(hotspots["significant"].sum()) if "significant" in hotspots.columns else 0
    return KeyFigures(
        incidents=len(current),
        incidents_previous=len(previous),
        hotspots=len(hotspots),
        significant_hotspots=significant,
    )


def district_table(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    districts: pd.DataFrame,
    level: str,
    residents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Incidents per district now and before, with rates per 1,000 residents.

    Parameters
    ----------
    current, previous
        Filtered incident tables of the period and of its comparison period.
    districts
        District frame of ``level`` (``geo.districts.load_districts``): code, name_fi, name_sv.
    level
        ``"suurpiiri"``, ``"peruspiiri"`` or ``"osaalue"``.
    residents
        ``geo.population.residents_by_district(level)``: code, residents, young_residents;
        None leaves the rate columns empty (the app says population is unavailable).

    Returns
    -------
    DataFrame
        One row per district (all of them, zeros included): code, name_fi, name_sv, n,
        n_prev, change, change_pct, residents, rate_per_1000, young_residents,
        rate_per_1000_young; sorted by n descending, then code.
    """
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"level was {level!r} but is expected to be one of {list(LEVEL_COLUMNS)}")
    column = LEVEL_COLUMNS[level]
    table = pd.DataFrame(
        {
            "code": districts["code"].to_numpy(),
            "name_fi": districts["name_fi"].to_numpy(),
            "name_sv": districts["name_sv"].to_numpy(),
        }
    )
    now = current[column].value_counts()
    before = previous[column].value_counts()
    table["n"] = table["code"].map(now).fillna(0).astype("int64")
    table["n_prev"] = table["code"].map(before).fillna(0).astype("int64")
    table["change"] = table["n"] - table["n_prev"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * table["change"] / table["n_prev"].where(table["n_prev"] > 0)
    table["change_pct"] = pct.astype("float64")
    if residents is not None:
        pop = residents.set_index("code")
        table["residents"] = table["code"].map(pop["residents"]).astype("float64")
        table["young_residents"] = table["code"].map(pop["young_residents"]).astype("float64")
    else:
        table["residents"] = np.nan
        table["young_residents"] = np.nan
    # Rates are meaningless for (nearly) uninhabited districts such as harbours and sea.
    table["rate_per_1000"] = 1000.0 * table["n"] / table["residents"].where(table["residents"] >= 50)
    table["rate_per_1000_young"] = (
        1000.0 * table["n"] / table["young_residents"].where(table["young_residents"] >= 20)
    )
    return table.sort_values(["n", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)
