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
        return (f"{lead}the {st.cap}-carer cap for {p.id} in {MONTHS[m - 1]} {y} is reached and "
                f"none of the {st.cap} is free {span}")
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
