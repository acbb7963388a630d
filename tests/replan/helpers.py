"""Small problems, what a re-plan moved, and the team's reference tools (for tests marked `shared`), for
the re-planning tests."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.replan.changes import apply_changes, forced_visits
from exchange.changes import parse_changes
from solver import types as st
from tests.paths import SHARED

TOOLS = SHARED / "tools"


def disturbance(problem: st.Problem, changes: dict[str, Any], old: list[st.Assignment],
                new: list[st.Assignment]) -> dict[str, int]:
    """Counted from the two plans themselves: visits the changes force to move, and visits that moved
    although outside the re-plan days and not forced (must be none)."""
    cs = parse_changes(changes, problem)
    adjusted = apply_changes(problem, cs)
    forced = forced_visits(problem, adjusted, cs, old)
    day_of = {v.id: v.day for v in adjusted.visits}
    first, last = changes.get("replan_days") or (min(day_of.values()), max(day_of.values()))
    after = {a.visit: a for a in new}
    outside = [a.visit for a in old if a.visit in day_of and a.visit not in forced
               and not first <= day_of[a.visit] <= last and after.get(a.visit) != a]
    return {"forced": len(forced), "moved_outside_days": len(outside)}


def run_tool(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOLS / tool), *map(str, args)],
                          capture_output=True, text=True, check=False, timeout=300)


def reference_apply(instance: Path, changes: Path) -> dict[str, Any]:
    proc = run_tool("apply_changes.py", "apply", instance, changes)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def tiny_problem(cap: int = 2) -> st.Problem:
    """One team, four carers on day 0 and 1, two citizens next door to the base (a minute's travel).

    - p1 (contact c1) has a morning visit each day and a lunch visit on day 0; p2 avoids c3.
    - c3 holds no skills; the morning visits need medication; c2 starts at 10:00 on day 1.
    """
    shifts = (st.Shift(0, 420, 900), st.Shift(1, 420, 900))
    return st.Problem(
        name="tiny", start_date=dt.date(2026, 12, 1), days=2, max_carers_per_month=cap,
        teams=[st.Team("T1", 62.39, 17.30)],
        carers=[
            st.Carer("c1", "T1", frozenset({"medication"}), shifts),
            st.Carer("c2", "T1", frozenset({"medication"}), (st.Shift(0, 420, 900), st.Shift(1, 600, 900))),
            st.Carer("c3", "T1", frozenset(), shifts),
            st.Carer("c4", "T1", frozenset({"medication"}), shifts),
        ],
        citizens=[
            st.Citizen("p1", "T1", 62.391, 17.301, contact="c1"),
            st.Citizen("p2", "T1", 62.392, 17.302, avoid=frozenset({"c3"})),
        ],
        visits=[
            st.Visit("p1-d0-m", "p1", "morning", 0, 450, 540, 45, 1, frozenset({"medication"})),
            st.Visit("p1-d0-l", "p1", "lunch", 0, 690, 750, 30),
            st.Visit("p1-d1-m", "p1", "morning", 1, 450, 540, 45, 1, frozenset({"medication"})),
            st.Visit("p2-d0-l", "p2", "lunch", 0, 690, 750, 30),
        ],
    )


def tiny_plan() -> list[st.Assignment]:
    return [
        st.Assignment("p1-d0-m", ("c1",), 450),
        st.Assignment("p1-d0-l", ("c2",), 700),
        st.Assignment("p1-d1-m", ("c1",), 450),
        st.Assignment("p2-d0-l", ("c1",), 700),
    ]
