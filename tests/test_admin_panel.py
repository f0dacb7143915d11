"""The admin's panel (views.admin_panel): the store's users and audit trail as the admin reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

import store
from i18n import t
from store.scope import Scope
from views import admin_panel

ADMIN = Scope("ada.admin@hel.example", "admin", None)
YOUTH = Scope("nea.nuorisotyo@hel.example", "youth_worker", ("101", "102", "103", "104", "111", "112", "113"))


@pytest.fixture
def db(tmp_path: Path) -> store.IncidentStore:
    opened = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    opened.put_user(ADMIN, by=ADMIN)
    opened.put_user(YOUTH, by=ADMIN)
    opened.record("sign_in", scope=YOUTH, detail={"role_from": "users table"})
    opened.record(
        "export", scope=YOUTH, detail={"file_name": "hotspots-kallio.pdf", "classification": "AGGREGATED"}
    )
    return opened


def test_users_table_names_roles_and_districts_in_the_language(db: store.IncidentStore) -> None:
    table = admin_panel.users_table(db.users(), "fi")
    users = table[t("admin.column.user", "fi")].tolist()
    assert users == ["ada.admin@hel.example", "nea.nuorisotyo@hel.example"]
    assert table[t("admin.column.role", "fi")].tolist() == ["ylläpitäjä", "nuorisotyöntekijä"]
    districts = table[t("admin.column.districts", "fi")].tolist()
    assert districts == ["koko kaupunki", "101,102,103,104,111,112,113"]
    assert table[t("admin.column.added_by", "fi")].tolist() == ["ada.admin@hel.example"] * 2


def test_audit_table_is_newest_first_and_keeps_the_particulars(db: store.IncidentStore) -> None:
    log = db.audit_log()
    table = admin_panel.audit_table(log, "en")
    actions = table[t("admin.column.action", "en")].tolist()
    assert actions[:2] == ["export", "sign_in"]  # newest first
    assert set(actions[2:]) == {"user_change"}  # the two users were added, audited by the store
    assert "hotspots-kallio.pdf" in table[t("admin.column.detail", "en")].iloc[0]
    assert len(admin_panel.audit_table(log, "en", limit=1)) == 1
    assert len(log) == 4  # the input is not cut
