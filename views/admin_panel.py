"""The admin's panel: who may use the app, and the audit trail, read-only.

Shown only to a scope that may administer (``store.scope.Scope.may_administer``); users
and roles are changed with ``hotspots users`` (audited by the store), never here. The
tables are read from the store when the admin opens the panel, not on every rerun.
``audit_table`` and ``users_table`` are pure.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import pandas as pd
import streamlit as st

import store
from geo.errors import HotspotsError
from i18n import t
from store.audit import ACTIONS
from store.scope import Scope
from views import datasource

#: Rows of the audit trail shown at most (the newest); ``hotspots audit`` lists them all.
MAX_AUDIT_ROWS: Final = 1000


def users_table(users: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the users (``IncidentStore.users()``) with translated headings and roles."""
    return pd.DataFrame(
        {
            t("admin.column.user", lang): users["user_id"].astype("string"),
            t("admin.column.role", lang): [t(f"role.{role}", lang) for role in users["role"]],
            t("admin.column.districts", lang): users["districts"]
            .astype("string")
            .fillna(t("auth.whole_city", lang)),
            t("admin.column.added_at", lang): users["added_at"],
            t("admin.column.added_by", lang): users["added_by"].astype("string"),
        }
    )


def audit_table(log: pd.DataFrame, lang: str, *, limit: int = MAX_AUDIT_ROWS) -> pd.DataFrame:
    """Return the newest ``limit`` rows of the audit trail, newest first, with translated headings.

    Parameters
    ----------
    log
        ``IncidentStore.audit_log()``: oldest first; not modified.
    lang
        Language of the headings.
    limit
        Rows kept at most.

    Returns
    -------
    DataFrame
        When, who, role, action and the particulars (the JSON text as stored).
    """
    newest = log.tail(limit).iloc[::-1]
    return pd.DataFrame(
        {
            t("admin.column.at", lang): newest["at"].to_numpy(),
            t("admin.column.user", lang): newest["user_id"].astype("string").to_numpy(),
            t("admin.column.role", lang): newest["role"].astype("string").to_numpy(),
            t("admin.column.action", lang): newest["action"].astype("string").to_numpy(),
            t("admin.column.detail", lang): newest["detail"].astype("string").to_numpy(),
        }
    )


def admin_panel(scope: Scope, lang: str) -> None:
    """Draw the admin's panel (users and the audit trail) for an admin; nothing for anyone else."""
    if not scope.may_administer:
        return
    st.divider()
    if not st.toggle(t("admin.show", lang), key="admin_show"):
        return
    st.subheader(t("admin.title", lang))
    st.caption(t("admin.read_only", lang))
    left, right = st.columns(2)
    since = left.date_input(
        t("admin.since", lang), value=date.today() - timedelta(days=30), key="admin_since"
    )
    action = right.selectbox(
        t("admin.column.action", lang), ["", *ACTIONS], format_func=lambda a: a or t("sidebar.all", lang)
    )
    url = datasource.default_store_url()
    try:
        with store.driver_errors(url), store.open_store(url) as db:
            users = db.users()
            log = db.audit_log(since=since, action=action or None)
    except HotspotsError as exc:
        st.error(t("msg.store_unavailable", lang, error=str(exc)))
        return
    st.markdown(f"**{t('admin.users', lang)}**")
    st.dataframe(users_table(users, lang), hide_index=True, width="stretch")
    st.markdown(f"**{t('admin.audit', lang, n=len(log))}**")
    st.dataframe(audit_table(log, lang), hide_index=True, width="stretch")
