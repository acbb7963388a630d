"""Why a visit could not be placed, in words a coordinator can act on."""

from __future__ import annotations

from solver import rules
from solver.state import TeamState


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def unplaced_reason(st: TeamState, v: int) -> str:
    ix = st.ix
    vis = ix.visits[v]
    p = ix.citizens[ix.v_cit[v]]
    span = f"{hhmm(vis.earliest)}-{hhmm(vis.latest + vis.duration)}"
    need = f"skill {', '.join(sorted(vis.skills))}" if vis.skills else "the right skills"
    who = "carers" if vis.carers > 1 else "carer"
    lead = f"needs {vis.carers} carers; " if vis.carers > 1 else ""
    skilled = [c for c, carer in enumerate(ix.carers) if vis.skills <= carer.skills]
    if not skilled:
        return f"{lead}no carer in team {ix.team} has {need}"
    on_shift = [c for c in skilled if any(
        ix.slots[k].start <= vis.latest and ix.slots[k].end >= vis.earliest + vis.duration
        for k in ix.slots_of_carer_day.get((c, vis.day), ()))]
    if len(on_shift) < vis.carers:
        return f"{lead}no {who} with {need} on shift {span} on day {vis.day}"
    allowed = [c for c in on_shift if ix.carers[c].id not in p.avoid]
    if len(allowed) < vis.carers:
        return f"{lead}every {who} with {need} on shift {span} is on {p.id}'s avoid list"
    if len(ix.eligible[v]) < vis.carers:
        return f"{lead}no {who} with {need} can reach {p.id} and be back at base within a shift {span}"
    ci, mi = ix.v_cit[v], ix.v_month[v]
    if not rules.cap_allows(st.distinct(ci, mi) + 1, st.cap):  # no room for one more face
        y, m = ix.months[mi]
        cap = f"the {st.cap}-carer cap for {p.id} in {MONTHS[m - 1]} {y} is reached"
        met = sorted(set(st.met[ci][mi]) | st.met_before[ci][mi])
        if vis.carers > 1 or not met:
            return f"{lead}{cap} and none of the {st.cap} is free {span}"
        held = " and ".join(f"{ix.carers[c].id} {why_not_this_carer(st, v, c)}" for c in met)
        its = "its carer this month" if len(met) == 1 else "its carers this month"
        return f"{cap}: {its}: {held} {span} on day {vis.day}, and no other carer may come"
    why = "all routes are full"
    end = vis.latest + vis.duration
    pauses = sorted({(b.earliest, b.latest + b.duration) for c in ix.eligible[v]
                     for k in ix.slots_of_carer_day.get((c, vis.day), ())
                     if (b := ix.slots[k].pause) is not None
                     and b.earliest < end and vis.earliest < b.latest + b.duration})
    if pauses:
        why += ", with each shift's break kept " + ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in pauses)
    if v in ix.spaced:
        why += f"; {ix.spaced[v]}"
    return f"{lead}no {who} with {need} free {span} on day {vis.day} ({why})"


def why_not_this_carer(st: TeamState, v: int, c: int) -> str:
    """What keeps carer c, whom the citizen already has this month, from taking visit v: off shift
    within its window, not allowed there (skills, avoid list, too far to reach and be back), or a
    route with no gap the visit fits in on that day."""
    ix = st.ix
    vis = ix.visits[v]
    slots = [k for k in ix.slots_of_carer_day.get((c, vis.day), ())
             if ix.slots[k].start <= vis.latest and ix.slots[k].end >= vis.earliest + vis.duration]
    if not slots:
        return "is not on shift"
    if c not in ix.eligible[v]:
        return "may not come"
    if any(st.options(v, k, vis.earliest, vis.latest) for k in slots):
        return "has room the plan left unused"
    return "has no room"
