"""Reproducible daily-adjustment scenarios (seeded), as homecare-changes/1 documents.

The benchmark (bench/replan.py) and the tests re-plan these on an instance after a full plan:

- ``sick1``: one carer sick for a day
- ``sick3``: three carers sick the same day
- ``hospital``: a citizen in hospital for five days, and back after
- ``longer``: ten visits of one day take 15 minutes longer, and two extra visits that day
- ``substitute``: a carer sick for a day and a substitute with the same team, skills and shift added

Each takes the day it happens on and `span` re-plan days from there (1: the day; 7: a week). Carers and
visits are drawn with `random.Random(seed)` from sorted lists, so the same seed gives the same file.

Run ``python -m app.replan.scenarios INSTANCE.json OUTDIR [--plan PLAN.json] [--seed N]`` to write them.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

SCENARIOS = ("sick1", "sick3", "hospital", "longer", "substitute")


def _busy_carers(inst: dict[str, Any], plan: dict[str, Any] | None, day: int) -> list[str]:
    """Carers on shift that day, the ones with planned visits that day first (a sick call matters then)."""
    on_shift = sorted({c["id"] for c in inst["carers"] for s in c["shifts"] if s["day"] == day})
    if plan is None:
        return on_shift
    day_of = {v["id"]: v["day"] for v in inst["visits"]}
    busy = {c for a in plan["visits"] if day_of.get(a["id"]) == day for c in a["carers"]}
    return [c for c in on_shift if c in busy] + [c for c in on_shift if c not in busy]


def make_scenario(name: str, inst: dict[str, Any], *, day: int, span: int = 1, seed: int = 0,
                  plan: dict[str, Any] | None = None) -> dict[str, Any]:
    rng = random.Random(f"{name}/{seed}/{day}")
    last = min(inst["days"] - 1, day + span - 1)
    changes: list[dict[str, Any]] = []
    carers = {c["id"]: c for c in inst["carers"]}
    if name in ("sick1", "sick3", "substitute"):
        busy = _busy_carers(inst, plan, day)
        pool = busy[: max(3, len(busy) * 2 // 3)]  # among the busier two thirds
        sick = sorted(rng.sample(pool, 3 if name == "sick3" else 1))
        changes += [{"type": "carer_absent", "carer": c, "from_day": day, "to_day": day,
                     "reason": "called in sick"} for c in sick]
        if name == "substitute":
            c = carers[sick[0]]
            changes.append({"type": "carer_add", "reason": f"substitute for {c['id']}", "carer": {
                "id": f"{c['team']}-sub{seed}", "team": c["team"], "skills": sorted(c.get("skills", [])),
                "shifts": [{"day": s["day"], "start": s["start"], "end": s["end"]}
                           for s in c["shifts"] if s["day"] == day]}})
    elif name == "hospital":
        citizens = sorted({v["citizen"] for v in inst["visits"] if v["day"] == day})
        who = rng.choice(citizens)
        changes.append({"type": "citizen_away", "citizen": who, "from_day": day,
                        "to_day": min(inst["days"] - 1, day + 4), "reason": "in hospital"})
    elif name == "longer":
        todays = sorted((v for v in inst["visits"] if v["day"] == day), key=lambda v: v["id"])
        for v in rng.sample(todays, min(10, len(todays))):
            changes.append({"type": "visit_duration", "visit": v["id"],
                            "duration": min(v["duration"] + 15, 1440 - v["earliest"]),
                            "reason": "needs more time today"})
        citizens = sorted({v["citizen"] for v in todays})
        for k, who in enumerate(sorted(rng.sample(citizens, 2))):
            earliest = rng.choice([600, 780, 1020])
            changes.append({"type": "visit_add", "reason": "extra visit decided at the morning meeting",
                            "visit": {"id": f"{who}-d{day:02d}-extra{k}", "citizen": who, "need": "extra",
                                      "day": day, "earliest": earliest, "latest": earliest + 90,
                                      "duration": 30, "carers": 1, "skills": []}})
    else:
        raise ValueError(f"unknown scenario {name!r}; one of {', '.join(SCENARIOS)}")
    return {"format": "homecare-changes/1", "replan_days": [day, last], "changes": changes}


def scenario_day(inst: dict[str, Any], seed: int = 0) -> int:
    """A day with a week of plan after it, drawn from the seed."""
    return random.Random(seed).randrange(0, max(1, inst["days"] - 7))


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Write the re-plan scenarios as homecare-changes/1 files.")
    ap.add_argument("instance")
    ap.add_argument("outdir")
    ap.add_argument("--plan")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    inst = json.loads(Path(args.instance).read_text())
    plan = json.loads(Path(args.plan).read_text()) if args.plan else None
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    day = scenario_day(inst, args.seed)
    for name in SCENARIOS:
        for span, tag in ((1, "day"), (7, "week")):
            doc = make_scenario(name, inst, day=day, span=span, seed=args.seed, plan=plan)
            (out / f"{name}-{tag}.json").write_text(json.dumps(doc, indent=1))
    print(f"wrote {2 * len(SCENARIOS)} change files for day {day} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
