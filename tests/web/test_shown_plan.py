"""Which plan a team's pages show: the accepted versions of the plans covering the team, named by all
their teams; a draft only when nothing is accepted; another team's plan never."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.web.read.plans import shown_plan
from models import core as m
from tests.conftest import Make

DAY = dt.date(2026, 12, 1)


def _plan(session: Session, ext: str, teams: list[m.Team], statuses: list[str]) -> list[m.PlanVersion]:
    plan = m.Plan(external_id=ext, name=ext, start_date=DAY, end_date=DAY + dt.timedelta(days=27),
                  teams=teams)
    versions = [m.PlanVersion(plan=plan, number=i + 1, status=s) for i, s in enumerate(statuses)]
    session.add_all([plan, *versions])
    session.flush()
    return versions


def test_a_plan_of_two_teams_is_shown_by_its_accepted_version_and_named_by_both_teams(
        db_session: Session, make: Make) -> None:
    north, south, west = make.team("Norrmalm"), make.team("Åkersberga"), make.team("Väster")
    accepted, _newer_draft = _plan(db_session, "P-both", [south, north], [m.PLAN_ACCEPTED, m.PLAN_DRAFT])
    _plan(db_session, "P-west", [west], [m.PLAN_ACCEPTED])

    for team in (north, south):
        shown = shown_plan(db_session, team_id=team.id, start=DAY, end=DAY + dt.timedelta(days=6))
        assert shown.version_ids == [accepted.id]  # the newer draft is not what the team works to
        assert shown.status == m.PLAN_ACCEPTED and shown.plan_id == accepted.plan_id
        assert set(shown.label.split(", ")) == {"Norrmalm", "Åkersberga"}  # both teams, the other team's not
        assert shown.start == DAY


def test_with_nothing_accepted_the_newest_draft_is_shown_and_outside_its_days_nothing(
        db_session: Session, make: Make) -> None:
    team = make.team("Norrmalm")
    _older, newest = _plan(db_session, "P-drafts", [team], [m.PLAN_DRAFT, m.PLAN_DRAFT])

    shown = shown_plan(db_session, team_id=team.id, start=DAY, end=DAY)
    assert shown.version_ids == [newest.id] and shown.status == m.PLAN_DRAFT and shown.label == "Norrmalm"
    later = DAY + dt.timedelta(days=60)
    assert shown_plan(db_session, team_id=team.id, start=later, end=later).empty
