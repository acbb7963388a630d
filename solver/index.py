"""Integer-indexed view of one team's part of a `Problem`, built once and shared by every step.

Teams share no carers, so each team is planned on its own. Everything is kept in plain lists
indexed by small integers, sorted by id, so that no iteration order depends on str hashing
(PYTHONHASHSEED varies per process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solver import rules
from solver.travel import Travel
from solver.types import BreakWindow, Carer, Citizen, Problem, Visit

BASE = 0  # location index of the team base in TeamIndex.tt


@dataclass(slots=True)
class Slot:
    """One shift of one carer: a route starts and ends at base within [start, end], travelling at the
    carer's own minutes (`tt`, its travel mode's matrix), with its break (`pause`) if it has a visit."""

    idx: int
    carer: int
    day: int
    start: int
    end: int
    tt: list[list[int]] = field(default_factory=list)
    pause: BreakWindow | None = None


@dataclass(slots=True)
class TeamIndex:
    team: str
    carers: list[Carer]
    citizens: list[Citizen]
    visits: list[Visit]
    tt: list[list[int]]  # travel minutes between locations by car: 0 = base, 1 + citizen index
    v_cit: list[int]  # visit -> citizen index
    v_loc: list[int]  # visit -> location index
    v_month: list[int]  # visit -> month index into `months`
    v_need: list[int]  # visit -> (citizen, need) index
    months: list[tuple[int, int]]
    slots: list[Slot]
    slots_of_day: dict[int, list[int]]
    slots_of_carer_day: dict[tuple[int, int], list[int]]
    eligible: list[list[int]]  # visit -> carers that may attend it (skills, avoid, a shift that day)
    carer_pos: dict[str, int]
    citizen_pos: dict[str, int]
    visit_pos: dict[str, int]
    contact: list[int]  # citizen -> contact carer index, -1 if none or not in this team
    n_needs: int = 0
    contracted: list[int | None] = field(default_factory=list)
    # carer -> travel minutes by its own travel mode (the same list as `tt` for a carer who drives)
    carer_tt: list[list[list[int]]] = field(default_factory=list)
    # visit -> why its window is narrower than asked (spaced from another visit: solver/spacing.py)
    spaced: dict[int, str] = field(default_factory=dict)
    asked: dict[int, tuple[int, int]] = field(default_factory=dict)  # ... and the window it asked for
    # id of a travel matrix above -> (that matrix, it as a numpy array), made once (solver/dayrouting.py)
    arrays: dict[int, tuple[list[list[int]], Any]] = field(default_factory=dict)


def build_team_index(problem: Problem, team: str, travel: Travel) -> TeamIndex:
    carers = sorted((c for c in problem.carers if c.team == team), key=lambda c: c.id)
    citizens = sorted((p for p in problem.citizens if p.team == team), key=lambda p: p.id)
    citizen_pos = {p.id: i for i, p in enumerate(citizens)}
    visits = sorted((v for v in problem.visits if v.citizen in citizen_pos), key=lambda v: (v.day, v.id))
    carer_pos = {c.id: i for i, c in enumerate(carers)}
    places = [team] + [p.id for p in citizens]
    tt = [[travel.minutes(a, b) for b in places] for a in places]
    by_mode: dict[str, list[list[int]]] = {}
    for mode in sorted({c.travel_mode for c in carers if c.travel_mode is not None}):
        by = Travel(problem.travel_modes[mode], travel.points)
        by_mode[mode] = [[by.minutes(a, b) for b in places] for a in places]
    carer_tt = [tt if c.travel_mode is None else by_mode[c.travel_mode] for c in carers]

    months: list[tuple[int, int]] = []
    month_pos: dict[tuple[int, int], int] = {}
    v_month = []
    need_pos: dict[tuple[int, str], int] = {}
    v_need = []
    for v in visits:
        mk = problem.month_of(v.day)
        if mk not in month_pos:
            month_pos[mk] = len(months)
            months.append(mk)
        v_month.append(month_pos[mk])
        key = (citizen_pos[v.citizen], v.need)
        if key not in need_pos:
            need_pos[key] = len(need_pos)
        v_need.append(need_pos[key])

    slots: list[Slot] = []
    slots_of_day: dict[int, list[int]] = {}
    slots_of_carer_day: dict[tuple[int, int], list[int]] = {}
    for ci, c in enumerate(carers):
        # The verifier files a visit under the first listed shift that covers it, so shifts keep
        # their listed order here; overlapping shifts are left to the final check.
        for s in c.shifts:
            k = len(slots)
            slots.append(Slot(k, ci, s.day, s.start, s.end, carer_tt[ci], s.break_window))
            slots_of_day.setdefault(s.day, []).append(k)
            slots_of_carer_day.setdefault((ci, s.day), []).append(k)

    v_cit = [citizen_pos[v.citizen] for v in visits]
    v_loc = [1 + c for c in v_cit]
    eligible: list[list[int]] = []
    for vi, v in enumerate(visits):
        p = citizens[v_cit[vi]]
        loc = v_loc[vi]
        ok = []
        for ci, c in enumerate(carers):
            if not rules.avoid_allows(p.avoid, c.id) or not rules.skills_allow(c.skills, v.skills):
                continue
            legs = carer_tt[ci]
            for k in slots_of_carer_day.get((ci, v.day), ()):
                sl = slots[k]
                first = max(v.earliest, sl.start + legs[BASE][loc])
                if (rules.window_allows(v.earliest, v.latest, first)
                        and rules.back_in_time(first + v.duration, legs[loc][BASE], sl.end)):
                    ok.append(ci)
                    break
        eligible.append(ok)
    contact = [carer_pos.get(p.contact, -1) if p.contact else -1 for p in citizens]
    return TeamIndex(
        team=team, carers=carers, citizens=citizens, visits=visits, tt=tt, v_cit=v_cit, v_loc=v_loc,
        v_month=v_month, v_need=v_need, months=months, slots=slots, slots_of_day=slots_of_day,
        slots_of_carer_day=slots_of_carer_day, eligible=eligible, carer_pos=carer_pos,
        citizen_pos=citizen_pos, visit_pos={v.id: i for i, v in enumerate(visits)}, contact=contact,
        n_needs=len(need_pos), contracted=[c.contracted_minutes_per_week for c in carers],
        carer_tt=carer_tt,
    )
