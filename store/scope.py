"""Who sees what: a signed-in user's role and districts, and the rules that follow from them.

A ``Scope`` travels with every read and every export: ``IncidentStore.query`` takes one
(no default, so no caller can forget it) and returns only the rows inside it, the export
functions of ``briefing.downloads`` refuse restricted content to a scope that may only see
aggregates, and every change the store makes is audited under the acting scope's user.

Roles (ARCHITECTURE.md, "Who sees what"):

- ``admin``: everything an analyst may, plus users and roles, deleting a batch,
  retention and reading the audit trail;
- ``analyst``: incident points and descriptions, restricted exports, imports;
- ``viewer``: aggregated views and downloads (the leadership group's briefing);
- ``youth_worker``: aggregated views and downloads of the districts assigned to them
  (at least one).

``osaalue`` holds osa-alue codes (``geo.districts``), the finest level: a district of any
level given by a user is resolved to its osa-alue by the callers above the store (the CLI
and the app, with ``hotspots.selection``'s one district rule); the store only keeps codes.
None means the whole city, rows outside Helsinki included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Literal, get_args

import pandas as pd

from geo.errors import HotspotsError, ParameterError
from store.filters import IncidentFilter

Role = Literal["admin", "analyst", "youth_worker", "viewer"]
#: Every role, most powerful first.
ROLES: Final[tuple[Role, ...]] = get_args(Role)
#: Roles that see only aggregates: no incident points, descriptions or exact small counts.
AGGREGATED_ROLES: Final[frozenset[str]] = frozenset({"youth_worker", "viewer"})
#: Roles that must be given districts.
DISTRICT_ROLES: Final[frozenset[str]] = frozenset({"youth_worker"})
#: Each role with its article, as messages name it.
ROLE_WORDS: Final[dict[str, str]] = {
    "admin": "an admin",
    "analyst": "an analyst",
    "youth_worker": "a youth worker",
    "viewer": "a viewer",
}
#: Longest user id kept (an e-mail address may have 254 characters).
MAX_USER_LENGTH: Final = 254


class ScopeError(HotspotsError):
    """An action outside what the user's role or districts allow (one line: who, what, what to do)."""


def normalise_user(user: object) -> str:
    """Return a user id as the store keeps it: stripped and lower-cased.

    Parameters
    ----------
    user
        An e-mail address or an OpenID Connect subject (``sub``), or an operator's name.

    Returns
    -------
    str
        The id, lower-cased, without surrounding white space.

    Raises
    ------
    ParameterError
        Not text, empty, longer than ``MAX_USER_LENGTH``, or holding white space, a comma or
        a control character.
    """
    if not isinstance(user, str):
        raise ParameterError(f"a user id must be text (an e-mail address or a sign-in subject), got {user!r}")
    text = user.strip().lower()
    if not text:
        raise ParameterError("a user id must not be empty; give the e-mail address or sign-in subject")
    if len(text) > MAX_USER_LENGTH:
        raise ParameterError(f"a user id has at most {MAX_USER_LENGTH} characters, got {len(text)}")
    if any(ch.isspace() or ch == "," or not ch.isprintable() for ch in text):
        raise ParameterError(
            f"user id {text!r} holds white space, a comma or a control character; "
            "give the e-mail address or sign-in subject as it is"
        )
    return text


def check_role(role: object) -> Role:
    """Return ``role`` when it is one of ``ROLES``; ParameterError naming the allowed roles otherwise."""
    if role not in ROLES:
        raise ParameterError(f"role was {role!r} but is expected to be one of {list(ROLES)}")
    return role


def _district_codes(osaalue: Iterable[str] | None) -> tuple[str, ...] | None:
    """Return the codes sorted and unique (None for the whole city); ParameterError for a bad one."""
    if osaalue is None:
        return None
    if isinstance(osaalue, str):
        raise ParameterError(f"osaalue must be a list of osa-alue codes, got the string {osaalue!r}")
    codes = tuple(sorted({str(code).strip() for code in osaalue}))
    bad = [code for code in codes if not code or not code.isalnum()]
    if bad:
        raise ParameterError(
            f"osaalue holds {bad!r}, which are not osa-alue codes (letters and digits, e.g. '101'); "
            "`hotspots districts list --level osaalue` lists them"
        )
    return codes


@dataclass(frozen=True)
class Scope:
    """What one user may see and do.

    Parameters
    ----------
    user
        E-mail address or OpenID Connect subject (``"local"`` in local mode, the operating
        system user for the CLI); kept lower-cased.
    role
        One of ``ROLES``.
    osaalue
        Osa-alue codes the user may see, kept sorted and unique; None for the whole city.
        A youth worker must have at least one; an empty list is refused for every role
        (it would see nothing: remove the user instead).

    Raises
    ------
    ParameterError
        A malformed user, role or code, or a youth worker without districts.

    Examples
    --------
    >>> Scope("Anna@Hel.fi", "youth_worker", ("102", "101")).osaalue
    ('101', '102')
    """

    user: str
    role: Role
    osaalue: tuple[str, ...] | None

    def __post_init__(self) -> None:
        user = normalise_user(self.user)
        role = check_role(self.role)
        codes = _district_codes(self.osaalue)
        if codes == ():
            raise ParameterError(
                f"{user} would see no district: give at least one district, or None for the whole city"
            )
        if role in DISTRICT_ROLES and codes is None:
            raise ParameterError(
                f"{ROLE_WORDS[role]} sees only the districts assigned to them; "
                f"give {user} at least one district"
            )
        object.__setattr__(self, "user", user)  # frozen: set once, here
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "osaalue", codes)

    @property
    def aggregated_only(self) -> bool:
        """True for youth workers and viewers: aggregates only, never points, descriptions or small counts."""
        return self.role in AGGREGATED_ROLES

    @property
    def sees_points(self) -> bool:
        """True when single incidents may be shown (map points, popups, the incident table)."""
        return not self.aggregated_only

    @property
    def may_upload(self) -> bool:
        """True for analysts and admins: they may import files into the shared store."""
        return self.role in ("analyst", "admin")

    @property
    def may_export_restricted(self) -> bool:
        """True for analysts and admins: they may download RESTRICTED files."""
        return self.role in ("analyst", "admin")

    @property
    def may_administer(self) -> bool:
        """True for admins: users and roles, deleting batches, retention, the audit trail."""
        return self.role == "admin"

    @property
    def whole_city(self) -> bool:
        """True when the scope is not cut to districts."""
        return self.osaalue is None

    def __str__(self) -> str:
        where = "the whole city" if self.osaalue is None else f"osa-alue {', '.join(self.osaalue)}"
        return f"{self.user} ({self.role}, {where})"


#: The one user of local mode (no identity provider): an analyst over the whole city.
LOCAL_ANALYST: Final = Scope("local", "analyst", None)


def require_admin(scope: Scope, action: str) -> None:
    """Raise ScopeError unless ``scope`` may administer.

    Parameters
    ----------
    scope
        The acting user's scope.
    action
        What was attempted, as the message's subject: ``"delete a batch"``.

    Raises
    ------
    ScopeError
        "only an admin may {action}; {user} is a {role}. Ask an admin ...".
    """
    if not isinstance(scope, Scope):
        raise ParameterError(f"scope must be a store.scope.Scope, got {scope!r}")
    if not scope.may_administer:
        raise ScopeError(
            f"only an admin may {action}; {scope.user} is {ROLE_WORDS[scope.role]}. "
            "Ask an admin (`hotspots users list` names them) to do it."
        )


def scoped_filter(where: IncidentFilter, scope: Scope) -> IncidentFilter:
    """Return ``where`` narrowed to the scope's districts: the filter a store query runs.

    Parameters
    ----------
    where
        The caller's conditions; any district codes it names are intersected with the
        scope's, so asking for another district yields nothing rather than that district.
    scope
        The user's scope; a whole-city scope leaves ``where`` as it is.

    Returns
    -------
    IncidentFilter
        A new filter (``where`` is not changed).
    """
    if scope.osaalue is None:
        return where
    wanted = scope.osaalue
    if where.osaalue_codes is not None:
        asked = set(where.osaalue_codes)
        wanted = tuple(code for code in scope.osaalue if code in asked)
    return replace(where, osaalue_codes=wanted)


def apply_scope(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Return the rows of an incident table that ``scope`` may see, as a store query would.

    For data that do not come from the store (the demo set, an upload in the app): the
    same rule as ``IncidentStore.query``. Rows whose ``osaalue_code`` is not one of the
    scope's are dropped (rows outside Helsinki too); a whole-city scope keeps every row.
    For a scope that sees only aggregates the ``description`` column is emptied as well:
    free text never reaches a youth worker's or a viewer's session.

    Parameters
    ----------
    frame
        Canonical incidents (``geo.schema``); not modified.
    scope
        The user's scope.

    Returns
    -------
    DataFrame
        A new frame with a fresh index.

    Raises
    ------
    ParameterError
        ``scope`` is not a Scope, or a district-scoped user's frame has no ``osaalue_code``.
    """
    if not isinstance(scope, Scope):
        raise ParameterError(f"scope must be a store.scope.Scope, got {scope!r}")
    if scope.osaalue is None:
        out = frame.reset_index(drop=True)
    else:
        if "osaalue_code" not in frame.columns:
            raise ParameterError(
                f"the incidents carry no osaalue_code column, so the districts of {scope.user} cannot "
                "be applied; tag them with geo.districts first"
            )
        keep = frame["osaalue_code"].isin(scope.osaalue).to_numpy(dtype=bool, na_value=False)
        out = frame.loc[keep].reset_index(drop=True)
    return without_descriptions(out) if scope.aggregated_only else out.copy()


def without_descriptions(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose ``description`` column is empty (missing), when it has one."""
    out = frame.copy()
    if "description" in out.columns:
        out["description"] = pd.array([pd.NA] * len(out), dtype=out["description"].dtype)
    return out
