"""Contact-carer proposals for a team: who should be each citizen's contact carer so that as many visits
as possible can be the contact carer's, each carer's number of contact citizens kept fair. Reading them
changes nothing; accepting sets the chosen citizens' contact carers (recorded like any citizen edit)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator

from app.api.deps import Coordinator, ReadLogDep
from app.db import SessionDep
from app.schemas.core import Day, RowId
from app.security import get_team_scoped
from app.services import contacts as svc
from models import core as m

router = APIRouter(prefix="/api", tags=["teams"])


class ProposalOut(BaseModel):
    citizen_id: int
    citizen_name: str
    current_carer_id: int | None
    current_carer_name: str | None
    proposed_carer_id: int
    proposed_carer_name: str
    changes: bool
    visits: int  # the citizen's visits in the period
    reach_now: int  # of those, visits today's contact carer could make (skills, avoid list, on shift)
    reach_proposed: int


class ProposalsOut(BaseModel):
    team_id: int
    start: dt.date
    end: dt.date
    visits: int
    share_now: float  # the most of the visits contact carers could make with today's contacts
    share_proposed: float  # ... with the proposal
    proposals: list[ProposalOut]


class ChoiceIn(BaseModel):
    citizen_id: RowId
    carer_id: RowId


class AcceptIn(BaseModel):
    # One choice per citizen; a team holds some hundred citizens.
    choices: Annotated[list[ChoiceIn], Field(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _one_per_citizen(self) -> AcceptIn:
        seen: set[int] = set()
        for c in self.choices:
            if c.citizen_id in seen:
                raise ValueError(f"citizen {c.citizen_id} is chosen more than once")
            seen.add(c.citizen_id)
        return self


class AcceptedOut(BaseModel):
    citizen_id: int
    contact_carer_id: int | None


@router.get("/teams/{team_id}/contact-proposals")
def contact_proposals(team_id: RowId, session: SessionDep, user: Coordinator, reads: ReadLogDep,
                      start: Annotated[Day | None, Query(description="first day judged; default today")]
                      = None,
                      end: Day | None = None) -> ProposalsOut:
    team = get_team_scoped(session, m.Team, team_id, user)
    found = svc.propose(session, team=team, start=start or dt.date.today(), end=end)
    reads.citizens(user=user, citizen_ids=[r.citizen.id for r in found.rows], what="api contact proposals")
    return ProposalsOut(
        team_id=team.id, start=found.start, end=found.end, visits=found.plan.visits,
        share_now=found.plan.share_now, share_proposed=found.plan.share_proposed,
        proposals=[ProposalOut(
            citizen_id=r.citizen.id, citizen_name=r.citizen.name,
            current_carer_id=r.current.id if r.current else None,
            current_carer_name=r.current.name if r.current else None, proposed_carer_id=r.proposed.id,
            proposed_carer_name=r.proposed.name, changes=r.current is None or r.current.id != r.proposed.id,
            visits=r.visits, reach_now=r.reach_now, reach_proposed=r.reach_proposed) for r in found.rows])


@router.post("/teams/{team_id}/contact-proposals/accept")
def accept_contact_proposals(team_id: RowId, body: AcceptIn, session: SessionDep,
                             user: Coordinator) -> list[AcceptedOut]:
    team = get_team_scoped(session, m.Team, team_id, user)
    choices = [(c.citizen_id, c.carer_id) for c in body.choices]
    done = svc.accept(session, team=team, user=user, choices=choices)
    return [AcceptedOut(citizen_id=c.id, contact_carer_id=c.contact_carer_id) for c in done]
