"""A team's own planning settings: the continuity setting its plan runs use when a run does not choose
one. The team's coordinators (and admins) set it; every change is recorded like the team's other data
(who, when, before, after), and two people saving at once: the second gets a conflict (409)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.repositories import team_settings as repo
from app.services.errors import Conflict, Invalid
from app.services.team_data.records import record_change
from models.core import Team, User
from models.team_data import ENTITY_TEAM
from models.team_settings import TeamSettings
from solver.objective import CONTINUITY_DEFAULT, UnknownContinuity, weights_for


@dataclass(frozen=True, slots=True)
class TeamSettingsView:
    team_id: int
    continuity: str
    chosen: bool  # the team chose it; else the planner's own default (the fewest faces)
    version: int
    updated_at: dt.datetime | None


def check_continuity(continuity: str, *, path: str = "continuity") -> str:
    """The setting as given, or a 422 naming `path` and the settings the planner knows."""
    try:
        weights_for(continuity)
    except UnknownContinuity as e:
        raise Invalid(str(e), path=path) from e
    return continuity


def team_settings(session: Session, *, team: Team) -> TeamSettingsView:
    row = repo.settings_of(session, team.id)
    if row is None:
        return TeamSettingsView(team.id, CONTINUITY_DEFAULT, False, 0, None)
    return TeamSettingsView(team.id, row.continuity, True, row.version, row.updated_at)


def continuity_by_team(session: Session, *, team_ids: Iterable[int]) -> dict[int, str]:
    """The setting each team's plan runs use when a run chooses none."""
    ids = list(dict.fromkeys(team_ids))
    chosen = repo.continuity_of_teams(session, ids)
    return {t: chosen.get(t, CONTINUITY_DEFAULT) for t in ids}


def set_continuity(session: Session, *, team: Team, continuity: str, user: User | None,
                   version: int | None = None) -> TeamSettingsView:
    """The team's default continuity setting from now on (runs already started keep theirs).
    `version`: the settings' version the caller read (0: never set); another save since answers 409."""
    check_continuity(continuity)
    row = repo.settings_of(session, team.id)
    current = row.version if row is not None else 0
    if version is not None and version != current:
        raise Conflict(f"someone else changed this meanwhile (it is at version {current}, the form was "
                       f"read at {version}); reload and try again", path="version")
    before = row.continuity if row is not None else CONTINUITY_DEFAULT
    if row is None:
        row = TeamSettings(team_id=team.id, continuity=continuity, updated_by_id=user.id if user else None)
        session.add(row)
    elif row.continuity != continuity:
        row.continuity = continuity
        row.updated_by_id = user.id if user else None
    else:
        return team_settings(session, team=team)
    session.flush()
    record_change(session, user=user, entity=ENTITY_TEAM, entity_id=team.id, action="changed",
                  team_id=team.id, before={"continuity": before}, after={"continuity": continuity})
    return team_settings(session, team=team)
