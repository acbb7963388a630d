"""Contact-carer proposals: the contact carer should be one who can make the citizen's visits, each carer
holding a fair number of contact citizens, and today's contact kept when nothing is gained."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from solver import types as st
from solver.contacts import propose_contacts

MORNINGS = (420, 720)
EVENINGS = (900, 1260)


def _team(contacts: dict[str, str | None], *, week: int = 7) -> st.Problem:
    """Anna works mornings, Bo evenings, Cy mornings on weekdays only. p-morning needs mornings every day,
    p-evening evenings, p-weekday mornings on weekdays."""
    def shifts(span: tuple[int, int], days: range) -> tuple[st.Shift, ...]:
        return tuple(st.Shift(d, *span) for d in days)

    carers = [st.Carer("anna", "T", shifts=shifts(MORNINGS, range(week))),
              st.Carer("bo", "T", shifts=shifts(EVENINGS, range(week))),
              st.Carer("cy", "T", shifts=shifts(MORNINGS, range(5)))]
    citizens = [st.Citizen(p, "T", 62.39, 17.30, contact=contacts.get(p)) for p in ("p-morning", "p-evening",
                                                                                     "p-weekday")]
    visits = ([st.Visit(f"m{d}", "p-morning", "morning", d, 480, 540, 30) for d in range(week)]
              + [st.Visit(f"e{d}", "p-evening", "evening", d, 1080, 1140, 30) for d in range(week)]
              + [st.Visit(f"w{d}", "p-weekday", "morning", d, 480, 540, 30) for d in range(5)])
    return st.Problem(name="contacts", start_date=dt.date(2026, 12, 7), days=week, teams=[st.Team("T", 62.39,
                                                                                                 17.30)],
                      carers=carers, citizens=citizens, visits=visits)


def test_each_citizen_gets_a_contact_who_works_when_their_visits_are() -> None:
    plan = propose_contacts(_team({"p-morning": "bo", "p-evening": "anna", "p-weekday": "bo"}))
    assert plan.contacts()["p-evening"] == "bo"
    assert plan.contacts()["p-morning"] == "anna"  # Cy is off at weekends
    assert plan.share_now == 0.0 and plan.share_proposed == 1.0


def test_today_s_contact_is_kept_when_another_gains_nothing() -> None:
    """Anna and Cy can both make every weekday morning: p-weekday keeps Cy."""
    plan = propose_contacts(_team({"p-weekday": "cy", "p-morning": "anna", "p-evening": "bo"}))
    assert plan.contacts()["p-weekday"] == "cy"
    assert not any(p.changes for p in plan.proposals)


def test_no_carer_holds_more_than_one_above_an_even_share() -> None:
    """Nine evening citizens and three carers who all could: three each, give or take one."""
    problem = _team({})
    problem.carers = [st.Carer(c, "T", shifts=tuple(st.Shift(d, *EVENINGS) for d in range(7)))
                      for c in ("anna", "bo", "cy")]
    problem.citizens = [st.Citizen(f"p{i}", "T", 62.39, 17.30) for i in range(9)]
    problem.visits = [st.Visit(f"p{i}-{d}", f"p{i}", "evening", d, 1080, 1140, 30)
                      for i in range(9) for d in range(7)]
    held = Counter(propose_contacts(problem).contacts().values())
    assert sorted(held.values()) in ([3, 3, 3], [2, 3, 4])
