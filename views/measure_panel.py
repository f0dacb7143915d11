"""Measures in the page: read once per change, on the card with their effect, recorded, removed.

They are recorded from the hotspot card or for the districts chosen in the sidebar.

The measures live in the store named by ``HOTSPOTS_DB_URL`` (the embedded SQLite file by
default), also while the page shows the demo data or an upload. They are read through the
user's scope (``IncidentStore.measures(scope=...)``) under ``st.cache_data``, so a rerun
does not query the store; saving or removing one clears that cache, for every session of
this server, and the cache expires after ``MEASURES_TTL_S`` so that measures recorded on
another server (a shared PostGIS store) or by the CLI show up too. Their ``version`` names
what was read, and the map's cache key holds it (``views.page``).

A user's mistakes come back as one translated line (``views.measure_draft``); the store
checks the scope again and its refusal is a line too, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import streamlit as st

import store
from briefing.privacy import DEFAULT_MIN_COUNT, count_text
from geo import crs
from geo.errors import HotspotsError
from geo.schema import CATEGORIES
from hotspots.measure_filters import coverage, overlapping, touching
from hotspots.measure_places import Place, districts_place, drawn_place, osaalue_touched
from hotspots.measures import (
    LEADS,
    MEASURE_KINDS,
    Effect,
    EffectParams,
    Measure,
    RecordedMeasure,
    default_control,
    measure_effect,
    periods,
)
from hotspots.selection import Selection
from i18n import (
    category_label,
    effect_text,
    format_area_km2,
    format_date,
    format_days,
    format_number,
    format_percent,
    t,
)
from i18n.problems import error_text
from store.scope import Scope, ScopeError
from views import datasource, draw_tool, visibility
from views.controls import MEASURE_CHOICE_PREFIX
from views.markdown import plain
from views.measure_draft import (
    NOTE_MAX_CHARS,
    PARTNER_MAX_CHARS,
    Draft,
    default_lead,
    draft_measure,
    hotspot_categories,
    may_remove,
    records_measures,
    refusal,
)
from views.measure_texts import kind_label, lead_label, measure_line, place_text
from views.ranking_table import MAP_KEY

#: Seconds a read of the measures is reused before the store is asked again.
MEASURES_TTL_S: Final = 60
#: Session key of the measures section's open state.
MEASURES_OPEN: Final = "measures_open"
#: Days a new measure runs by default.
DEFAULT_LENGTH_DAYS: Final = 90


@dataclass(frozen=True)
class StoredMeasures:
    """The measures a scope may see, as read from the store.

    Attributes
    ----------
    version
        Names what was read (store, ids and recording times): part of the map's cache key.
    items
        The measures, by start.
    problem
        Why the store could not be read; None when it could.
    """

    version: str
    items: tuple[RecordedMeasure, ...] = ()
    problem: str | None = None


@st.cache_data(show_spinner=False, ttl=MEASURES_TTL_S, max_entries=16)
def stored_measures(url: str, scope: Scope) -> StoredMeasures:
    """Return the measures in the store at ``url`` that ``scope`` may see (cached; see the module).

    Parameters
    ----------
    url
        The store's URL (``datasource.default_store_url()``).
    scope
        The user's scope, passed to the store's query.

    Returns
    -------
    StoredMeasures
        With ``problem`` set, and no measure, when the store cannot be read.
    """
    place = hashlib.sha1(url.encode()).hexdigest()[:8]
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            items = tuple(db.measures(scope=scope))
    except HotspotsError as exc:
        return StoredMeasures(version=f"measures-{place}-unreadable", problem=str(exc))
    content = repr([(r.id, r.recorded_at.isoformat()) for r in items]).encode()
    return StoredMeasures(version=f"measures-{place}-{hashlib.sha1(content).hexdigest()[:12]}", items=items)


def current(scope: Scope) -> StoredMeasures:
    """Return the measures of the configured store that ``scope`` may see."""
    return stored_measures(datasource.default_store_url(), scope)


def in_view(measures: StoredMeasures, selection: Selection) -> tuple[RecordedMeasure, ...]:
    """Return the measures that ran during the period of ``selection`` (the map's layer)."""
    return tuple(overlapping(measures.items, since=selection.since, until=selection.until))


def _changed() -> None:
    """Forget the measures read, for every session: one was saved or removed."""
    stored_measures.clear()


# ------------------------------------------------------------------------------ effect


@st.cache_data(show_spinner=False, max_entries=64)
def _effect(
    data_version: str, measure_key: str, scope: Scope, _measure: Measure, _data: datasource.Loaded
) -> Effect:
    """Return a measure's effect on the data set ``data_version`` (cached by both keys and the scope).

    The control is the rest of the peruspiiri within what ``scope`` sees
    (``visibility.scope_areas``): the data hold nothing outside it.
    """
    layer = visibility.scope_areas(
        datasource.district_layer("peruspiiri"), scope, datasource.district_layer("osaalue")
    )
    control = default_control(_measure, layer)
    return measure_effect(_data.incidents(), _measure, control_area=control.area, params=EffectParams())


def _measure_key(measures_version: str, recorded: RecordedMeasure) -> str:
    return f"{measures_version}-{recorded.id}-{recorded.recorded_at.isoformat()}"


def _count(value: int, lang: str, *, aggregated: bool) -> str:
    """Write a count as the user may see it: ``"<5"`` below the threshold for an aggregated scope."""
    if aggregated:
        text = count_text(value, min_count=DEFAULT_MIN_COUNT)
        if text.startswith("<"):
            return text
    return format_number(value, lang)


def effect_table(effect: Effect, lang: str, *, aggregated: bool) -> pd.DataFrame:
    """Return the effect's counts and rates per zone as text for the card's expander.

    Parameters
    ----------
    effect
        The measure's effect.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    aggregated
        The user sees only aggregates: counts below ``DEFAULT_MIN_COUNT`` are written
        ``"<5"`` and the rates and change made from them are left out.

    Returns
    -------
    DataFrame
        One row per zone (target, ring, control), columns named in ``lang``.
    """
    table = effect.table()
    rows = []
    for zone, row in table.iterrows():
        small = aggregated and min(int(row["before"]), int(row["after"])) < DEFAULT_MIN_COUNT
        change = (
            ""
            if small or pd.isna(row["change"])
            else format_percent(100 * (row["change"] - 1), lang, decimals=0, signed=True)
        )
        rows.append(
            {
                t("measure.column.zone", lang): t(f"measure.zone.{zone}", lang),
                t("measure.column.area_km2", lang): format_number(float(row["area_km2"]), lang, decimals=2),
                t("measure.column.before", lang): _count(int(row["before"]), lang, aggregated=aggregated),
                t("measure.column.after", lang): _count(int(row["after"]), lang, aggregated=aggregated),
                t("measure.column.before_per_30d", lang): ""
                if small
                else format_number(float(row["before_per_30d"]), lang, decimals=1),
                t("measure.column.after_per_30d", lang): ""
                if small
                else format_number(float(row["after_per_30d"]), lang, decimals=1),
                t("measure.column.change", lang): change,
            }
        )
    return pd.DataFrame(rows)


def _readable(recorded: RecordedMeasure, data: datasource.Loaded, lang: str) -> str | None:
    """Return why the effect cannot be read on ``data`` yet, or None when it can."""
    if data.days is None:
        return t("measure.not_ended", lang, end="", last="")
    first, last = data.days
    before, after = periods(recorded.measure, EffectParams())
    state = coverage(recorded.measure, first_day=first, last_day=last, params=EffectParams())
    if state == "not_ended":
        end = after.end - pd.Timedelta(microseconds=1)
        return t("measure.not_ended", lang, end=format_date(end, lang), last=format_date(last, lang))
    if state == "no_before":
        return t(
            "measure.no_before", lang, start=format_date(before.start, lang), first=format_date(first, lang)
        )
    return None


def _effects(
    here: Sequence[RecordedMeasure], measures_version: str, data: datasource.Loaded, scope: Scope, lang: str
) -> list[tuple[RecordedMeasure, Effect | None, str]]:
    """Return each measure with its effect (None when it cannot be read) and the sentence to show."""
    out: list[tuple[RecordedMeasure, Effect | None, str]] = []
    for recorded in here:
        reason = _readable(recorded, data, lang)
        if reason is not None:
            out.append((recorded, None, reason))
            continue
        try:
            key = _measure_key(measures_version, recorded)
            effect = _effect(data.version, key, scope, recorded.measure, data)
        except HotspotsError as exc:
            out.append((recorded, None, t("measure.effect_failed", lang, error=error_text(exc, lang))))
            continue
        out.append((recorded, effect, ""))
    return out


# ------------------------------------------------------------------------------ card


def hotspot_measures(chosen: gpd.GeoDataFrame, *, data: datasource.Loaded, scope: Scope, lang: str) -> None:
    """Draw the card's measures: those touching the hotspot with their effect, and the form.

    Parameters
    ----------
    chosen
        The chosen hotspot, one row with its polygon (any CRS) and ``id``, ``place``,
        ``categories``, ``top_category``, ``lead``.
    data
        The incidents the page shows: the effect is read on them.
    scope
        The user's scope: which measures she sees, whether she may record one, and whether
        small counts are written ``"<5"``.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    """
    row = chosen.iloc[0]
    area = chosen.to_crs(crs.METRIC).geometry.iloc[0]
    st.markdown(f"**{t('measure.here', lang)}**")
    listing = st.container()  # filled after the form, so a measure just saved is listed
    # The hotspot as it is now: its polygon, named by its id and place (else its district).
    where = next((v for v in (row.get("place"), row.get("district")) if isinstance(v, str) and v), "")
    name = f"{row['id']} {where}".strip()
    place = Place("hotspot", name, area, osaalue_touched(area, datasource.district_layer("osaalue")))
    saved = _record_form(
        place,
        categories=hotspot_categories(row.get("categories"), row.get("top_category")),
        lead=default_lead(row.get("lead")),
        scope=scope,
        lang=lang,
        key=f"measure_hotspot_{row['id']}",
        title=t("measure.record_here", lang),
    )
    measures = current(scope)
    with listing:
        if measures.problem is not None:
            st.caption(t("measure.store_unavailable", lang))
            return
        here = touching(measures.items, area)
        if not here:
            st.caption(t("measure.none_here", lang))
            return
        effects = _effects(here, measures.version, data, scope, lang)
        aggregated = scope.aggregated_only
        for recorded, effect, reason in effects:
            st.markdown(f"- {plain(measure_line(recorded, lang))}")
            st.caption(reason if effect is None else effect_sentence(effect, lang, aggregated=aggregated))
        with st.expander(t("measure.details", lang)):
            for recorded, effect, _ in effects:
                if effect is None:
                    continue
                st.markdown(f"**{plain(measure_line(recorded, lang))}**")
                st.caption(_periods_text(effect, lang) + " " + _control_text(recorded, lang))
                st.dataframe(effect_table(effect, lang, aggregated=aggregated), hide_index=True)
    if saved is not None:
        st.success(t("measure.saved", lang, id=saved))


def effect_sentence(effect: Effect, lang: str, *, aggregated: bool) -> str:
    """Return the effect in words; for an aggregated reader a small target count reads "<5"."""
    total = effect.target_before + effect.target_after
    target = count_text(total, min_count=DEFAULT_MIN_COUNT) if aggregated else None
    return effect_text(effect, lang, target_text=target)


def _periods_text(effect: Effect, lang: str) -> str:
    return t(
        "measure.periods",
        lang,
        before=format_days(effect.before.start, effect.before.end, lang),
        after=format_days(effect.after.start, effect.after.end, lang),
    )


def _control_text(recorded: RecordedMeasure, lang: str) -> str:
    control = default_control(recorded.measure, datasource.district_layer("peruspiiri"))
    params = EffectParams()
    return t("measure.control", lang, codes=", ".join(control.codes), buffer_m=round(params.buffer_m))


# ------------------------------------------------------------------------------ recording


def _record_form(
    place: Place,
    *,
    categories: tuple[str, ...],
    lead: str,
    scope: Scope,
    lang: str,
    key: str,
    title: str,
    folded: bool = True,
) -> int | None:
    """Draw the form that records a measure at ``place``; return the new measure's id once saved.

    A viewer gets the one line that she may not record instead of the form. ``folded``: in
    an expander of its own titled ``title``, else under it as a heading (inside an
    expander already, which cannot hold another).
    """
    if not records_measures(scope):
        st.caption(t("measure.refused.viewer", lang))
        return None
    if folded:
        with st.expander(title):
            return _form(place, categories=categories, lead=lead, scope=scope, lang=lang, key=key)
    st.markdown(f"##### {title}")  # a heading inside the expander
    return _form(place, categories=categories, lead=lead, scope=scope, lang=lang, key=key)


def _form(
    place: Place, *, categories: tuple[str, ...], lead: str, scope: Scope, lang: str, key: str
) -> int | None:
    """Draw the form's fields and save on submit; return the new id."""
    with st.form(key, clear_on_submit=False):
        kind = st.selectbox(
            t("measure.form.kind", lang),
            MEASURE_KINDS,
            format_func=lambda k: kind_label(k, lang),
            key=f"{MEASURE_CHOICE_PREFIX}{key}_kind",
        )
        chosen_lead = st.selectbox(
            t("measure.form.lead", lang),
            LEADS,
            index=LEADS.index(lead) if lead in LEADS else 0,
            format_func=lambda v: lead_label(v, lang),
            key=f"{MEASURE_CHOICE_PREFIX}{key}_lead",
        )
        partner = st.text_input(
            t("measure.form.partner", lang), max_chars=PARTNER_MAX_CHARS, key=f"{key}_partner"
        )
        today = date.today()
        start = st.date_input(t("measure.form.start", lang), value=today, key=f"{key}_start")
        last = st.date_input(
            t("measure.form.end", lang), value=today + timedelta(days=DEFAULT_LENGTH_DAYS), key=f"{key}_end"
        )
        targets = st.multiselect(
            t("measure.form.categories", lang),
            CATEGORIES,
            default=[c for c in categories if c in CATEGORIES],
            format_func=lambda c: category_label(c, lang),
            key=f"{MEASURE_CHOICE_PREFIX}{key}_categories",
        )
        note = st.text_area(t("measure.form.note", lang), max_chars=NOTE_MAX_CHARS, key=f"{key}_note")
        if not st.form_submit_button(t("measure.form.submit", lang)):
            return None
    draft = Draft(
        kind=str(kind),
        lead=str(chosen_lead),
        start=start if isinstance(start, date) else today,
        last_day=last if isinstance(last, date) else today,
        partner=partner or "",
        categories=tuple(targets),
        note=note or "",
    )
    return _save(draft, place, scope=scope, lang=lang)


def _save(draft: Draft, place: Place, *, scope: Scope, lang: str) -> int | None:
    """Save ``draft`` at ``place`` to the store; a refusal is drawn as one line and None returned."""
    refused = refusal(draft, scope, place.osaalue, lang)
    if refused is not None:
        st.error(refused.text(lang))
        return None
    url = datasource.default_store_url()
    try:
        measure = draft_measure(draft, place.area)
        with store.driver_errors(url), store.open_store(url) as db:
            new_id = db.add_measure(
                measure,
                place_kind=place.place_kind,
                place_ref=place.place_ref,
                osaalue=place.osaalue,
                scope=scope,
            )
    except ScopeError:
        st.error(t("measure.refused.scope", lang))
        return None
    except HotspotsError as exc:
        st.error(t("measure.refused.store", lang, error=error_text(exc, lang)))
        return None
    _changed()
    return new_id


# ------------------------------------------------------------------------------ under the map


def _district_names(selection: Selection, hierarchy: pd.DataFrame, lang: str) -> str:
    """Name the chosen districts, coarsest first, in ``lang`` (English uses the Finnish names)."""
    suffix = "sv" if lang == "sv" else "fi"
    names: list[str] = []
    for level in ("suurpiiri", "peruspiiri", "osaalue"):
        codes = getattr(selection, level)
        if not codes:
            continue
        table = hierarchy.drop_duplicates(f"{level}_code").set_index(f"{level}_code")
        names += [
            str(table.loc[code, f"{level}_{suffix}"]) if code in table.index else code for code in codes
        ]
    return ", ".join(names)


def measures_section(selection: Selection, hierarchy: pd.DataFrame, *, scope: Scope, lang: str) -> None:
    """Draw the period's measures (removable where allowed) and a form for the chosen districts.

    Parameters
    ----------
    selection
        The page's selection: its period and chosen districts.
    hierarchy
        ``geo.districts.hierarchy()``, for the districts' names.
    scope
        The user's scope.
    lang
        ``"fi"``, ``"sv"`` or ``"en"``.
    """
    if "measure_saved" in st.session_state:  # saved on the run before, whichever form saved it
        st.success(t("measure.saved", lang, id=st.session_state.pop("measure_saved")))
    drawn = draw_tool.drawn_feature(st.session_state.get(MAP_KEY))
    if drawn is not None and _drawing_key(drawn) == st.session_state.get("measure_drawn_saved"):
        drawn = None  # recorded already: the map outlines it as a measure now
    if drawn is not None and _drawing_key(drawn) != st.session_state.get("measure_drawn_shown"):
        # A new drawing opens the section once, with its form first; the user may fold it again.
        st.session_state["measure_drawn_shown"] = _drawing_key(drawn)
        st.session_state[MEASURES_OPEN] = True
    # Drawn only while open: its lists and forms are widgets that every new session's browser
    # would mount even folded (bench/browser.py), and most visits never open it.
    section = st.expander(t("measure.section", lang), key=MEASURES_OPEN, on_change="rerun")
    if not section.open:
        return
    with section:
        if drawn is not None:
            _drawn_form(drawn, selection, scope=scope, lang=lang)
        measures = current(scope)
        if measures.problem is not None:
            st.caption(t("measure.store_unavailable", lang))
            return
        shown = in_view(measures, selection)
        st.markdown(f"##### {t('measure.in_view', lang)}")
        if not shown:
            st.caption(t("measure.none_in_view", lang))
        for recorded in shown:
            text, button = st.columns([5, 1])
            text.markdown(plain(f"{measure_line(recorded, lang)} · {place_text(recorded, lang)}"))
            if may_remove(scope, recorded) and button.button(
                t("measure.remove", lang), key=f"measure_remove_{recorded.id}"
            ):
                _remove(recorded, scope=scope, lang=lang)
        codes = [*selection.suurpiiri, *selection.peruspiiri, *selection.osaalue]
        if not codes:
            st.caption(t("measure.choose_districts", lang))
            return
        place = districts_place(
            codes, hierarchy=hierarchy, osaalue_layer=datasource.district_layer("osaalue")
        )
        saved = _record_form(
            place,
            categories=selection.categories,
            lead=LEADS[0],
            scope=scope,
            lang=lang,
            key="measure_districts",
            title=t("measure.record_districts", lang, names=_district_names(selection, hierarchy, lang)),
            folded=False,
        )
        if saved is not None:
            st.session_state["measure_saved"] = saved
            st.rerun()  # the map above was drawn before the measure existed


def _drawing_key(feature: Mapping[str, Any]) -> str:
    """Name a drawn area by its corners, so that one saved is not offered again."""
    return hashlib.sha1(json.dumps(feature.get("geometry"), sort_keys=True).encode()).hexdigest()[:16]


def _drawn_form(feature: Mapping[str, Any], selection: Selection, *, scope: Scope, lang: str) -> None:
    """Offer to record a measure on the area drawn on the map, or say in one line why it cannot be one."""
    area, problem = draw_tool.drawn_area(feature)
    if area is None:
        st.warning(t(f"measure.drawn.{problem}", lang))
        return
    place = drawn_place(area, osaalue_layer=datasource.district_layer("osaalue"))
    title = t("measure.record_drawn", lang, km2=format_area_km2(area.area / 1e6, lang))
    saved = _record_form(
        place,
        categories=selection.categories,
        lead=LEADS[0],
        scope=scope,
        lang=lang,
        key="measure_drawn",
        title=title,
        folded=False,
    )
    if saved is not None:
        st.session_state["measure_drawn_saved"] = _drawing_key(feature)
        st.session_state["measure_saved"] = saved
        st.rerun()  # the map above was drawn before the measure existed


def _remove(recorded: RecordedMeasure, *, scope: Scope, lang: str) -> None:
    """Remove ``recorded`` from the store and redraw the page; a refusal is one line."""
    url = datasource.default_store_url()
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            db.remove_measure(recorded.id, scope=scope)
    except ScopeError:
        st.error(t("measure.refused.scope", lang))
        return
    except HotspotsError as exc:
        st.error(t("measure.refused.store", lang, error=error_text(exc, lang)))
        return
    _changed()
    st.rerun()
