"""Contact-carer proposals for a team (solver.contacts) and accepting them, one citizen at a time or all
at once, through the same recorded citizen edit as the team-data pages. Nothing changes by itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.mapping import build_problem
from app.repositories.core import team_people_by_external_id
from app.schemas.core import CitizenUpdate
from app.services.core import contact_carer_fault
from app.services.errors import Invalid
from app.services.team_data.citizens import edit_citizen
from models import core as m
from solver.contacts import ContactPlan, propose_contacts

PERIOD_DAYS = 28  # four weeks: every weekday pattern and most every-other-week needs


@dataclass(frozen=True, slots=True)
class ProposalRow:
    citizen: m.Citizen
    current: m.Carer | None
    proposed: m.Carer
    visits: int
    reach_now: int
    reach_proposed: int


@dataclass(frozen=True, slots=True)
class TeamProposals:
    team: m.Team
    start: dt.date
    end: dt.date
    plan: ContactPlan
    rows: list[ProposalRow]


def propose(session: Session, *, team: m.Team, start: dt.date, end: dt.date | None = None,
            time_limit: float = 10.0) -> TeamProposals:
    """Contact carers for the team's citizens, judged on their visits in [start, end]."""
    end = end or start + dt.timedelta(days=PERIOD_DAYS - 1)
    problem = build_problem(session, team_ids=[team.id], start=start, end=end)
    plan = propose_contacts(problem, time_limit=time_limit)
    citizens, carers = team_people_by_external_id(session, team_id=team.id)
    rows = [ProposalRow(citizen=citizens[p.citizen], current=carers.get(p.current or ""),
                        proposed=carers[p.proposed], visits=p.visits, reach_now=p.reach_now,
                        reach_proposed=p.reach_proposed)
            for p in plan.proposals]
    rows.sort(key=lambda r: (r.proposed.id == (r.current.id if r.current else None),
                             -(r.reach_proposed - r.reach_now), r.citizen.name))
    return TeamProposals(team=team, start=start, end=end, plan=plan, rows=rows)


def accept(session: Session, *, team: m.Team, user: m.User,
           choices: list[tuple[int, int]]) -> list[m.Citizen]:
    """Make each (citizen id, carer id) the citizen's contact carer: all of them, recorded, or none (the
    request's transaction). A citizen or carer of another team is refused naming the row."""
    done = []
    for i, (citizen_id, carer_id) in enumerate(choices):
        citizen = session.get(m.Citizen, citizen_id)
        carer = session.get(m.Carer, carer_id)
        if citizen is None or citizen.team_id != team.id:
            raise Invalid(f"citizen {citizen_id} is not in team {team.name}", path=f"choices[{i}].citizen_id")
        if carer is None or carer.team_id != team.id:
            raise Invalid(f"carer {carer_id} is not in team {team.name}", path=f"choices[{i}].carer_id")
        fault = contact_carer_fault(carer, team_id=citizen.team_id, today=dt.date.today())
        if fault is not None:
            raise Invalid(f"carer {carer_id} {fault}", path=f"choices[{i}].carer_id")
        done.append(edit_citizen(session, citizen=citizen, data=CitizenUpdate(contact_carer_id=carer.id),
                                 user=user))
    return done
