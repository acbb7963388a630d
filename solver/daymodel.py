"""CP-SAT model of one neighbourhood: a few carers' shifts on one day, re-planned exactly.

Everything outside the neighbourhood stays fixed; carers a citizen meets outside it are free
faces, new ones cost. Each hard rule and each goal is one small named function, so a reader
finds "the monthly cap" or "steady start times" by name (as in OR-Tools' shift_scheduling_sat.py).

Rules:   add_skills_and_avoid_lists, add_time_windows, add_visit_attendance (incl. double
         visits starting together), add_shift_routes_with_travel, add_shift_breaks, add_monthly_cap.
Goals:   unplaced_visit_terms, distinct_carer_terms, contact_carer_terms, steady_start_terms,
         travel_terms, workload_fairness_terms, disturbance_terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from solver import objective, rules
from solver.dayrouting import EXACT_SECONDS, make_room
from solver.index import BASE
from solver.routes import Option
from solver.state import TeamState

DEPOT = -1  # the base, in arc keys (visit numbers start at 0)
Term = tuple[int, Any]  # (weight, linear expression) of the objective
SCALE = 20  # CP-SAT wants integer weights: every weight times SCALE must be whole (0.25 a minute -> 5)


def _scaled(weight: float) -> int:
    """A weight in travel minutes as CP-SAT's integer; a weight SCALE cannot make whole is a bug
    (int() would quietly cut 0.25 x 10 to 2)."""
    scaled = round(weight * SCALE)
    assert abs(scaled - weight * SCALE) < 1e-9, f"weight {weight} is not whole at SCALE {SCALE}"
    return scaled


@dataclass
class DayModel:
    st: TeamState
    day: int
    slots: list[int]
    visits: list[int]
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (visit, slot) -> attends
    start: dict[int, cp_model.IntVar] = field(default_factory=dict)
    placed: dict[int, cp_model.IntVar] = field(default_factory=dict)
    arcs: dict[int, dict[tuple[int, int], cp_model.IntVar]] = field(default_factory=dict)
    new_face: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (citizen, carer)
    pause: dict[int, cp_model.IntVar] = field(default_factory=dict)  # slot -> its break's start
    before: dict[int, dict[int, cp_model.IntVar]] = field(default_factory=dict)  # slot -> visit -> before it
    terms: list[Term] = field(default_factory=list)

    def carer(self, k: int) -> int:
        return self.st.ix.slots[k].carer


# ---- hard rules -------------------------------------------------------------------------------
def add_skills_and_avoid_lists(dm: DayModel) -> None:
    """A carer may attend a visit only with all its skills, off the citizen's avoid list, on shift."""
    st, ix = dm.st, dm.st.ix
    for v in dm.visits:
        vis = ix.visits[v]
        for k in dm.slots:
            sl = ix.slots[k]
            if dm.carer(k) not in ix.eligible[v]:
                continue  # skills or avoid list: no variable at all
            if st.fixed[v] and k not in st.slots_of[v]:
                continue
            loc, tt = ix.v_loc[v], sl.tt
            if max(vis.earliest, sl.start + tt[BASE][loc]) + vis.duration + tt[loc][BASE] > sl.end \
                    or sl.start + tt[BASE][loc] > vis.latest:
                continue
            dm.x[v, k] = dm.model.new_bool_var(f"x_{v}_{k}")


def add_time_windows(dm: DayModel) -> None:
    """`earliest <= start <= latest`; a visit that may not move keeps its minute."""
    st, ix = dm.st, dm.st.ix
    for v in dm.visits:
        vis = ix.visits[v]
        if st.fixed[v]:
            lo = hi = st.lo[v]
        else:
            lo, hi = vis.earliest, vis.latest
        dm.start[v] = dm.model.new_int_var(lo, hi, f"s_{v}")


def add_visit_attendance(dm: DayModel) -> None:
    """A placed visit has exactly `carers` distinct carers (one slot per carer); they share one start."""
    st, ix = dm.st, dm.st.ix
    for v in dm.visits:
        n = ix.visits[v].carers
        p = dm.model.new_bool_var(f"placed_{v}")
        dm.placed[v] = p
        mine = [dm.x[v, k] for k in dm.slots if (v, k) in dm.x]
        dm.model.add(sum(mine) == n * p)
        if st.fixed[v]:
            dm.model.add(p == 1)
        by_carer: dict[int, list[cp_model.IntVar]] = {}
        for k in dm.slots:
            if (v, k) in dm.x:
                by_carer.setdefault(dm.carer(k), []).append(dm.x[v, k])
        for lits in by_carer.values():
            if len(lits) > 1:
                dm.model.add_at_most_one(lits)


def add_shift_routes_with_travel(dm: DayModel) -> None:
    """Each shift is a circuit from base back to base; each leg leaves room for its travel, at the
    carer's own minutes (on foot, by bike or by car)."""
    ix, m = dm.st.ix, dm.model
    for k in dm.slots:
        sl = ix.slots[k]
        tt = sl.tt
        mine = [v for v in dm.visits if (v, k) in dm.x]
        arcs: dict[tuple[int, int], cp_model.IntVar] = {}
        circuit: list[tuple[int, int, Any]] = []
        empty = m.new_bool_var(f"empty_{k}")
        circuit.append((0, 0, empty))
        for i, v in enumerate(mine, start=1):
            vis, loc = ix.visits[v], ix.v_loc[v]
            xk = dm.x[v, k]
            circuit.append((i, i, xk.Not()))
            out_lit = m.new_bool_var("")
            in_lit = m.new_bool_var("")
            arcs[DEPOT, v], arcs[v, DEPOT] = in_lit, out_lit
            circuit += [(0, i, in_lit), (i, 0, out_lit)]
            m.add(dm.start[v] >= sl.start + tt[BASE][loc]).only_enforce_if(in_lit)
            m.add(dm.start[v] + vis.duration + tt[loc][BASE] <= sl.end).only_enforce_if(out_lit)
            m.add(dm.start[v] >= sl.start).only_enforce_if(xk)
            m.add(dm.start[v] + vis.duration <= sl.end).only_enforce_if(xk)
            m.add_implication(empty, xk.Not())
        for i, u in enumerate(mine, start=1):
            uvis = ix.visits[u]
            for j, v in enumerate(mine, start=1):
                if u == v:
                    continue
                leg = tt[ix.v_loc[u]][ix.v_loc[v]]
                vis = ix.visits[v]
                if uvis.earliest + uvis.duration + leg > vis.latest:
                    continue  # v can never follow u
                lit = m.new_bool_var("")
                arcs[u, v] = lit
                circuit.append((i, j, lit))
                m.add(dm.start[v] >= dm.start[u] + uvis.duration + leg).only_enforce_if(lit)
        m.add_circuit(circuit)
        dm.arcs[k] = arcs


def add_shift_breaks(dm: DayModel) -> None:
    """A shift with a break window and a visit holds its break: an unbroken pause starting in the
    window, between two visits (or base and a visit), with the leg to the next stop after it."""
    ix, m = dm.st.ix, dm.model
    for k in dm.slots:
        sl, pause = ix.slots[k], ix.slots[k].pause
        mine = [v for v in dm.visits if (v, k) in dm.x]
        if pause is None or not mine:
            continue
        lo, hi = max(pause.earliest, sl.start), min(pause.latest, sl.end - pause.duration)
        if lo > hi:
            for v in mine:
                m.add(dm.x[v, k] == 0)
            continue
        tt, arcs = sl.tt, dm.arcs[k]
        brk = m.new_int_var(lo, hi, f"break_{k}")
        dm.pause[k] = brk
        before: dict[int, cp_model.IntVar] = {}
        for v in mine:
            b = m.new_bool_var(f"before_break_{v}_{k}")
            before[v] = b
            xk, d = dm.x[v, k], ix.visits[v].duration
            m.add(dm.start[v] + d <= brk).only_enforce_if([xk, b])
            m.add(dm.start[v] >= brk + pause.duration).only_enforce_if([xk, b.Not()])
        for (u, v), lit in arcs.items():
            if u == DEPOT:
                m.add(dm.start[v] >= brk + pause.duration + tt[BASE][ix.v_loc[v]]).only_enforce_if(
                    [lit, before[v].Not()])
            elif v == DEPOT:
                m.add(brk + pause.duration + tt[ix.v_loc[u]][BASE] <= sl.end).only_enforce_if(
                    [lit, before[u]])
            else:
                m.add(dm.start[v] >= brk + pause.duration + tt[ix.v_loc[u]][ix.v_loc[v]]).only_enforce_if(
                    [lit, before[u], before[v].Not()])
        dm.before[k] = before


def add_monthly_cap(dm: DayModel) -> None:
    """At most `max_carers_per_month` distinct carers per citizen and month, counting everyone met
    outside this neighbourhood (other days, other carers, `met_before`)."""
    st, ix = dm.st, dm.st.ix
    mi = ix.v_month[dm.visits[0]] if dm.visits else 0
    inside = set(dm.visits)
    for ci in sorted({ix.v_cit[v] for v in dm.visits}):
        outside = outside_faces(dm, ci, mi, inside)
        faces = []
        for c in sorted({dm.carer(k) for k in dm.slots}):
            lits = [dm.x[v, k] for v in dm.visits if ix.v_cit[v] == ci for k in dm.slots
                    if dm.carer(k) == c and (v, k) in dm.x]
            if not lits or c in outside:
                continue
            y = dm.model.new_bool_var(f"new_{ci}_{c}")
            for lit in lits:
                dm.model.add_implication(lit, y)
            dm.new_face[ci, c] = y
            faces.append(y)
        if faces:
            dm.model.add(sum(faces) <= rules.cap_room(len(outside), st.cap))


def outside_faces(dm: DayModel, ci: int, mi: int, inside: set[int]) -> set[int]:
    """Carers citizen ci meets in month mi apart from the neighbourhood's visits."""
    st, ix = dm.st, dm.st.ix
    counts = dict(st.met[ci][mi])
    for v in inside:
        if ix.v_cit[v] == ci and ix.v_month[v] == mi:
            for k in st.slots_of[v]:
                c = ix.slots[k].carer
                counts[c] -= 1
    return {c for c, n in counts.items() if n > 0} | st.met_before[ci][mi]


# ---- goals (each returns weighted objective terms) ---------------------------------------------
def unplaced_visit_terms(dm: DayModel) -> list[Term]:
    """(1) Place every visit that can be placed, the more important first."""
    ix, w = dm.st.ix, dm.st.weights
    return [(_scaled(objective.unplaced(1, w, ix.visits[v].priority)), 1 - dm.placed[v]) for v in dm.visits]


def distinct_carer_terms(dm: DayModel) -> list[Term]:
    """(2) Few distinct carers per citizen and month: a face not met elsewhere costs; beyond
    crowd_from and many_from faces it costs more (objective.faces: keeps the maximum low)."""
    st, ix = dm.st, dm.st.ix
    mi = ix.v_month[dm.visits[0]] if dm.visits else 0
    out: list[Term] = []
    inside = set(dm.visits)
    crowded = {ci: len(outside_faces(dm, ci, mi, inside)) for ci, _ in dm.new_face}
    for (ci, _c), y in sorted(dm.new_face.items()):
        out.append((_scaled(objective.new_face(crowded[ci], st.weights)), y))
    return out


def contact_carer_terms(dm: DayModel) -> list[Term]:
    """(3) Visits by the citizen's contact carer."""
    ix = dm.st.ix
    w = _scaled(objective.contact(False, dm.st.weights))
    out: list[Term] = []
    for v in dm.visits:
        cc = ix.contact[ix.v_cit[v]]
        if cc < 0:
            continue
        by_contact = [dm.x[v, k] for k in dm.slots if dm.carer(k) == cc and (v, k) in dm.x]
        out.append((w, dm.placed[v] - sum(by_contact)))
    return out


def steady_start_terms(dm: DayModel) -> list[Term]:
    """(4) The same need starts at the same time across days: minutes away from its usual time."""
    st, ix = dm.st, dm.st.ix
    out: list[Term] = []
    for v in dm.visits:
        n = ix.v_need[v]
        t = st.target[n]
        if t is None:
            continue
        dev = dm.model.new_int_var(0, 24 * 60, f"dev_{v}")
        dm.model.add(dev >= dm.start[v] - t)
        dm.model.add(dev >= t - dm.start[v])
        out.append((_scaled(objective.steady_time(1, st.w_time[n])), dev))
    return out


def travel_terms(dm: DayModel) -> list[Term]:
    """(5) Low travel: every leg, base legs included, at each carer's own minutes."""
    ix = dm.st.ix
    out: list[Term] = []
    for k, arcs in dm.arcs.items():
        tt = ix.slots[k].tt
        for (u, v), lit in arcs.items():
            a = BASE if u == DEPOT else ix.v_loc[u]
            b = BASE if v == DEPOT else ix.v_loc[v]
            if tt[a][b]:
                out.append((_scaled(objective.travel(tt[a][b], dm.st.weights)), lit))
    return out


def workload_fairness_terms(dm: DayModel) -> list[Term]:
    """(6) Fair workload: minutes of visits beyond each shift's share of the work (TeamState.share:
    the carer's contracted day, else the shift as full as the team's are on average)."""
    st, ix = dm.st, dm.st.ix
    w = _scaled(objective.fair_load(1, 0, st.weights))
    out: list[Term] = []
    if not w:
        return out
    for k in dm.slots:
        load = sum(ix.visits[v].duration * dm.x[v, k] for v in dm.visits if (v, k) in dm.x)
        over = dm.model.new_int_var(0, 24 * 60, f"over_{k}")
        dm.model.add(over >= load - st.share[k])
        out.append((w, over))
    return out


def disturbance_terms(dm: DayModel) -> list[Term]:
    """Re-planning: moving a visit away from the carer the current plan gave it costs heavily."""
    st = dm.st
    other_carer = _scaled(objective.disturbance(True, False, st.weights))
    moved_start = _scaled(objective.disturbance(False, True, st.weights))
    out: list[Term] = []
    for (v, k), lit in sorted(dm.x.items()):
        cur = st.current[v]
        if cur is not None and dm.carer(k) not in cur:
            out.append((other_carer, lit))
    for v in dm.visits:
        was = st.current_start[v]
        if was is None:
            continue
        moved = dm.model.new_bool_var(f"moved_{v}")
        dm.model.add(dm.start[v] == was).only_enforce_if(moved.Not())
        out.append((moved_start, moved))
    return out


RULES = (add_skills_and_avoid_lists, add_time_windows, add_visit_attendance,
         add_shift_routes_with_travel, add_shift_breaks, add_monthly_cap)
GOALS = (unplaced_visit_terms, distinct_carer_terms, contact_carer_terms, steady_start_terms,
         travel_terms, workload_fairness_terms, disturbance_terms)


def build(st: TeamState, day: int, slots: list[int], visits: list[int]) -> DayModel:
    dm = DayModel(st, day, sorted(slots), sorted(visits))
    for rule in RULES:
        rule(dm)
    for goal in GOALS:
        dm.terms += goal(dm)
    dm.model.minimize(sum(w * e for w, e in dm.terms))
    return dm


def add_hint(dm: DayModel) -> None:
    """Hint the current plan in full (CP-SAT prefers complete hints)."""
    st, ix, m = dm.st, dm.st.ix, dm.model
    starts: dict[int, int] = {}
    for k in dm.slots:
        for v, s in zip(st.routes[k], st.schedule_route(k), strict=True):
            starts[v] = s
    for v in dm.visits:
        m.add_hint(dm.start[v], starts.get(v, ix.visits[v].earliest))
        m.add_hint(dm.placed[v], 1 if st.slots_of[v] else 0)
    for (v, k), lit in dm.x.items():
        m.add_hint(lit, 1 if k in st.slots_of[v] else 0)
    for k in dm.slots:
        route = st.routes[k]
        used = set()
        if route:
            seq = [DEPOT, *route, DEPOT]
            used = set(zip(seq, seq[1:], strict=False))
        for key, lit in dm.arcs[k].items():
            m.add_hint(lit, 1 if key in used else 0)
    for k, brk in dm.pause.items():
        tm = st.timing(k) if st.routes[k] else None
        at = tm.pause_at if tm is not None and tm.pause_at is not None else len(st.routes[k])
        pause = ix.slots[k].pause
        assert pause is not None
        m.add_hint(brk, tm.pause_lo if tm is not None and tm.pause_at is not None
                   else max(pause.earliest, ix.slots[k].start))
        pos = {v: i for i, v in enumerate(st.routes[k])}
        for v, b in dm.before[k].items():
            m.add_hint(b, 1 if v in pos and pos[v] < at else 0)
    for (ci, c), y in dm.new_face.items():
        m.add_hint(y, 1 if any(ix.v_cit[v] == ci and any(ix.slots[k].carer == c for k in st.slots_of[v])
                               for v in dm.visits) else 0)


def solve_day(st: TeamState, day: int, slots: list[int], visits: list[int], seed: int, workers: int,
              time_limit: float, exact_repeat: bool = False) -> bool:
    """Re-plan `visits` over `slots` (all on `day`); writes the result into st. False: no change."""
    ix = st.ix
    dm = build(st, day, slots, visits)
    add_hint(dm)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # Wall time only as a safety net (it would make runs differ); generous when runs must repeat.
    solver.parameters.max_time_in_seconds = EXACT_SECONDS if exact_repeat else max(0.2, 2 * time_limit)
    # The deterministic limit decides when a 1-worker search stops, so plans repeat exactly.
    solver.parameters.max_deterministic_time = max(0.05, time_limit)
    status = solver.solve(dm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    for v in dm.visits:
        if st.slots_of[v]:
            st.remove(v)
    order: dict[int, list[int]] = {}
    for k in dm.slots:
        seq: list[int] = []
        here = DEPOT
        arcs = dm.arcs[k]
        nxt = {u: v for (u, v), lit in arcs.items() if solver.value(lit)}
        while here in nxt and nxt[here] != DEPOT and len(seq) <= len(dm.visits):
            here = nxt[here]
            seq.append(here)
        order[k] = seq
    for k in dm.slots:
        for pos, v in enumerate(order[k]):
            s = solver.value(dm.start[v])
            lo, hi = st.preferred_window(v)
            if ix.visits[v].carers > 1 or st.fixed[v]:
                lo = hi = s
            else:
                lo, hi = min(lo, s), max(hi, s)
            # Each visit goes in at the end of what is already there: the solver's order.
            st.lo[v], st.hi[v] = lo, hi
            st.insert(v, [Option(k, pos, s, s, 0)], s if ix.visits[v].carers > 1 else None, lo, hi)
    # The model's routes keep every rule; should the state still find one infeasible, the fewest
    # visits leave it (the search then prices them as unplaced).
    make_room(st, dm.slots)
    return True
