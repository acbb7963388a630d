"""Made-up home-care instances (homecare-instance/1) of several kinds of teams and sizes, from a seed.

The same (family, size, seed) always gives the same document: only `random.Random(seed)` draws, in a
fixed order, so tests, the benchmark and a user on any machine get the same instance without any file
beside the project. Citizens' needs and carers' shifts and skills are the demo municipality's
(app/demo.py uses the same profiles, shift patterns and skills from here).

Families (the kinds of teams a planner change should be judged on):
- ``team``: urban Sundsvall teams like the demo (citizens within 2 km of the base, cycling speed).
- ``double``: many citizens who need two carers with the lift, morning and evening.
- ``rural``: citizens in villages up to 25 km from the base (long drives at road speed).
- ``month-boundary``: the period crosses a month (and a year), so the monthly cap counts twice.
- ``tight``: few carers for the work; not every visit can be placed.
- ``strict-cap1``, ``strict-cap2``, ``strict-cap3``: strict consistency, as in the consistent vehicle
  routing problem: a cap of 1, 2 or 3 carers per citizen and month, one visit a day on most days, every
  carer on one shift every day whose length binds. Each is made around a plan that places every visit
  with one carer per citizen (`planted_plan`), so a visit left unplaced is the planner's miss.

Each family also comes with the optional rules (FORMAT.md, "Optional rules"), as ``FAMILY-rules``
(``team-rules``...) or ``homecare generate --rules``: in town some carers walk and some cycle, long shifts
carry a lunch (or supper) break window, some citizens' lunch or medication is spaced from their morning
visit, and showers (priority 2), cleaning and shopping (priority 3) may wait when not everything fits.

Sizes (comparable to the team's reference instances): ``s`` one team, 20 citizens, 14 days (~750
visits); ``m`` one team, 45 citizens, 28 days (~3.4k); ``l`` four teams (~13k); ``xl`` twenty teams
(~68k).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exchange.common import INSTANCE_FORMAT, PLAN_FORMAT
from solver.travel import minutes_between

FAMILIES = ("team", "double", "rural", "month-boundary", "tight")
RULES_SUFFIX = "-rules"
# Every family, and each with the optional rules.
# Strict consistency, by its cap (made apart from the five, which keep their output seed for seed).
STRICT_FAMILIES = {"strict-cap1": 1, "strict-cap2": 2, "strict-cap3": 3}
ALL_FAMILIES = FAMILIES + tuple(f + RULES_SUFFIX for f in FAMILIES) + tuple(STRICT_FAMILIES)
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


@dataclass(frozen=True, slots=True)
class Size:
    teams: int
    citizens_per_team: int
    days: int


SIZES = {
    "s": Size(teams=1, citizens_per_team=20, days=14),
    "m": Size(teams=1, citizens_per_team=45, days=28),
    "l": Size(teams=4, citizens_per_team=45, days=28),
    "xl": Size(teams=20, citizens_per_team=45, days=28),
}
DEFAULT_START = dt.date(2026, 12, 1)

# The demo's three Sundsvall bases (Centrum, Skönsberg, Nacksta); further urban teams lie around them.
SUNDSVALL_BASES = [(62.3908, 17.3069), (62.4065, 17.3245), (62.3952, 17.2585)]


def near(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point up to `km` north/south and east/west of (lat, lon), at Sundsvall's latitude."""
    # ~111 km per degree of latitude; at 62.4° a degree of longitude is ~51 km.
    return (round(lat + rng.uniform(-km, km) / 111.0, 6), round(lon + rng.uniform(-km, km) / 51.4, 6))


def needs_for(rng: random.Random, profile: str) -> list[dict[str, Any]]:
    """Needs of one citizen: kind, weekdays (0 = Monday), earliest, latest, duration, carers, skills."""
    out: list[dict[str, Any]] = []

    def add(kind: str, days: list[int], earliest: int, latest: int, duration: int, carers: int = 1,
            skills: list[str] | None = None) -> None:
        out.append({"kind": kind, "weekdays": days, "earliest": earliest, "latest": latest,
                    "duration": duration, "carers": carers, "skills": skills or []})

    if profile == "light":  # a shower and some shopping help
        add("shower", [rng.choice([1, 2, 3])], 540, 780, 45)
        add("lunch", rng.sample(EVERY_DAY, 3), 660, 750, 30)
    elif profile == "medication":
        add("morning", EVERY_DAY, 420, 540, 30)
        add("medication", EVERY_DAY, 690, 780, 15, skills=["medication"])
        add("evening", EVERY_DAY, 1080, 1230, 20, skills=["medication"])
        add("shower", [rng.choice([0, 3])], 540, 840, 45)
    elif profile == "heavy":  # two carers with the lift, morning and evening
        add("morning", EVERY_DAY, 420, 510, 60, carers=2, skills=["lift"])
        add("lunch", EVERY_DAY, 690, 750, 30)
        add("evening", EVERY_DAY, 1140, 1230, 45, carers=2, skills=["lift"])
        add("shower", [2], 600, 780, 60, carers=2, skills=["lift"])
    elif profile == "dementia":
        add("morning", EVERY_DAY, 450, 540, 45, skills=["dementia"])
        add("lunch", EVERY_DAY, 690, 750, 30, skills=["dementia"])
        add("medication", EVERY_DAY, 1020, 1080, 15, skills=["medication"])
        add("evening", EVERY_DAY, 1110, 1260, 30, skills=["dementia"])
    else:  # "standard"
        add("morning", EVERY_DAY, 420, 570, 45)
        add("lunch", EVERY_DAY, 660, 780, 30)
        add("evening", EVERY_DAY, 1110, 1230, 30)
        add("shower", [rng.choice([1, 4])], 540, 840, 45)
    return out


PROFILES = ["standard"] * 6 + ["medication"] * 5 + ["light"] * 4 + ["dementia"] * 2 + ["heavy"] * 2
# Most citizens need two carers with the lift: the double family's share of such care.
DOUBLE_PROFILES = ["heavy"] * 14 + ["standard"] * 3 + ["medication"] * 2 + ["dementia"]

# (label, [(start, end), ...]) in minutes: day, evening and split shifts; carer i of a team gets
# pattern i (evening care is as heavy as morning care, so a third of the staff work evenings).
SHIFT_PATTERNS = [
    ("day", [(420, 930)]),
    ("evening", [(900, 1320)]),
    ("split", [(420, 780), (1020, 1290)]),
    ("day", [(450, 960)]),
    ("evening", [(930, 1320)]),
    ("split", [(450, 780), (990, 1260)]),
    ("day", [(420, 930)]),
    ("evening", [(900, 1320)]),
    ("day", [(420, 930)]),
    ("split", [(420, 780), (1020, 1290)]),
    ("evening", [(930, 1320)]),
    ("day", [(450, 960)]),
    ("split", [(450, 780), (990, 1260)]),
    ("day", [(420, 930)]),
    ("evening", [(900, 1320)]),
]


def carer_skills(i: int, label: str) -> list[str]:
    """Skills spread so each shift type has medication, lift and dementia carers every day."""
    skills = set()
    if i % 3 != 1 or label == "evening":
        skills.add("medication")
    if i % 2 == 0 or label in ("evening", "split"):
        skills.add("lift")
    if i % 3 == 0 or (label == "evening" and i % 2 == 1):
        skills.add("dementia")
    if i % 5 == 0:
        skills.add("palliative")
    return sorted(skills)


def days_off(i: int) -> set[int]:
    """Carer i's two weekdays off, staggered over the team so every day of the week is covered."""
    return {(i * 2) % 7, (i * 2 + 1) % 7}


# Carers per citizen of a team: the demo's 15 for 21, fewer where the work outgrows the staff, more
# where most visits need two.
CARERS_PER_CITIZEN = {"team": 0.7, "double": 1.3, "rural": 0.75, "month-boundary": 0.7, "tight": 0.42}


def _start(family: str, days: int) -> dt.date:
    if family == "month-boundary":
        return dt.date(2027, 1, 1) - dt.timedelta(days=days // 2)
    return DEFAULT_START


def _base(rng: random.Random, family: str, t: int) -> tuple[float, float]:
    if family == "rural":
        # Rural teams' bases lie in the villages around the town.
        return near(rng, 62.39, 17.10, 30.0)
    if t < len(SUNDSVALL_BASES):
        return SUNDSVALL_BASES[t]
    return near(rng, 62.39, 17.30, 12.0)


def generate(family: str, size: str, seed: int,
             on_team: Callable[[int], None] | None = None) -> dict[str, Any]:
    """A homecare-instance/1 document (a JSON-ready dict) of `family` and `size`, made from `seed`
    (a family ending in ``-rules``: that family with the optional rules, `with_rules`).

    `on_team(i)` is called after team i is made (for a progress bar). Raises ValueError for an unknown
    family or size.
    """
    if family not in ALL_FAMILIES:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(ALL_FAMILIES)})")
    if family.endswith(RULES_SUFFIX):
        return with_rules(generate(family.removesuffix(RULES_SUFFIX), size, seed, on_team), seed)
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})")
    if family in STRICT_FAMILIES:
        return _strict(family, size, seed)[0]
    rng = random.Random(seed)
    shape = SIZES[size]
    start = _start(family, shape.days)
    dates = [start + dt.timedelta(days=d) for d in range(shape.days)]
    profiles = DOUBLE_PROFILES if family == "double" else PROFILES
    teams: list[dict[str, Any]] = []
    carers: list[dict[str, Any]] = []
    citizens: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for t in range(shape.teams):
        team_id = f"T{t + 1}"
        lat, lon = _base(rng, family, t)
        teams.append({"id": team_id, "lat": lat, "lon": lon})
        team_carers = _carers(team_id, round(shape.citizens_per_team * CARERS_PER_CITIZEN[family]) + 2,
                              dates)
        carers += team_carers
        villages = [near(rng, lat, lon, 25.0) for _ in range(4)] if family == "rural" else []
        for i in range(shape.citizens_per_team):
            citizen_id = f"{team_id}-p{i + 1:03d}"
            needs = needs_for(rng, rng.choice(profiles))
            if villages:
                plat, plon = near(rng, *rng.choice(villages), 1.0)
            else:
                plat, plon = near(rng, lat, lon, 1.8)
            wanted = {skill for n in needs for skill in n["skills"]}
            able = [c for c in team_carers if wanted <= set(c["skills"])] or team_carers
            contact = rng.choice(able)["id"]
            avoid = ([rng.choice([c["id"] for c in team_carers if c["id"] != contact])]
                     if rng.random() < 0.12 else [])
            citizens.append({"id": citizen_id, "team": team_id, "lat": plat, "lon": plon,
                             "contact": contact, "avoid": avoid})
            for d, date in enumerate(dates):
                for n in needs:
                    if date.weekday() in n["weekdays"]:
                        visits.append({"id": f"{citizen_id}-d{d:02d}-{n['kind']}", "citizen": citizen_id,
                                       "need": n["kind"], "day": d, "earliest": n["earliest"],
                                       "latest": n["latest"], "duration": n["duration"],
                                       "carers": n["carers"], "skills": n["skills"]})
        if on_team is not None:
            on_team(t)
    # Urban carers walk and cycle between citizens close together; rural ones drive on country roads.
    travel = {"speed_kmh": 50.0, "detour_factor": 1.4} if family == "rural" else \
        {"speed_kmh": 18.0, "detour_factor": 1.3}
    return {
        "format": INSTANCE_FORMAT,
        "name": f"{family}-{size}-{seed}",
        "start_date": start.isoformat(),
        "days": shape.days,
        "max_carers_per_month": 12,
        "travel": travel,
        "teams": teams,
        "carers": carers,
        "citizens": citizens,
        "visits": visits,
    }


def _carers(team_id: str, count: int, dates: list[dt.date]) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        label, pattern = SHIFT_PATTERNS[i % len(SHIFT_PATTERNS)]
        off = days_off(i)
        out.append({
            "id": f"{team_id}-c{i + 1:02d}", "team": team_id, "skills": carer_skills(i, label),
            "shifts": [{"day": d, "start": s, "end": e} for d, date in enumerate(dates)
                       if date.weekday() not in off for s, e in pattern],
            "contracted_minutes_per_week": sum(e - s for s, e in pattern) * 5,
        })
    return out



# The optional rules (FORMAT.md). Travel modes: walking and cycling at the format's example speeds.
TRAVEL_MODES = {"walk": {"speed_kmh": 4.5, "detour_factor": 1.3},
                "bike": {"speed_kmh": 14.0, "detour_factor": 1.3}}
LONG_SHIFT = 390  # minutes: a shift this long or longer owes a break
BREAK_FROM, BREAK_TO, BREAK_MINUTES = 180, 300, 30  # after the shift's start: the window; its length
# The lunch (or the midday medication) comes 3 to 5.5 hours after the morning visit ends.
SPACING = {"min_gap": 180, "max_gap": 330}
SPACED_AFTER_MORNING = ("lunch", "medication")
PRIORITY = {"shower": 2, "cleaning": 3, "shopping": 3}
# Help in the home a citizen may get once a week: (need, earliest, latest, minutes, share of citizens).
HOME_HELP = [("cleaning", 540, 840, 60, 0.5), ("shopping", 600, 900, 45, 0.35)]


def with_rules(doc: dict[str, Any], seed: int) -> dict[str, Any]:
    """`doc` with the optional rules added, drawn from `seed` (its own draws: the instance without the
    rules stays what it was). Town carers walk (a quarter) or cycle (a quarter); country carers drive.
    Shifts of 6.5 hours or more owe a 30-minute break starting 3 to 5 hours in. A third of the citizens
    who have a morning visit and a lunch (or midday medication) the same day need them spaced. Showers
    are priority 2; weekly cleaning and shopping, added for some citizens, priority 3."""
    rng = random.Random(f"rules-{seed}")
    rural = doc["name"].startswith("rural-")
    carers = []
    for c in doc["carers"]:
        c = dict(c)
        draw = rng.random()
        if not rural and draw < 0.5:
            c["travel_mode"] = "walk" if draw < 0.25 else "bike"
        c["shifts"] = [_with_break(s) for s in c["shifts"]]
        carers.append(c)
    start = dt.date.fromisoformat(doc["start_date"])
    visits = [dict(v, **({"priority": PRIORITY[v["need"]]} if v["need"] in PRIORITY else {}))
              for v in doc["visits"]]
    by_day: dict[tuple[str, int], dict[str, str]] = {}
    for v in visits:
        by_day.setdefault((v["citizen"], v["day"]), {})[v["need"]] = v["id"]
    dependencies = []
    for p in doc["citizens"]:
        spaced = rng.random() < 1 / 3
        weekday = rng.randrange(7)
        for need, earliest, latest, minutes, share in HOME_HELP:
            if rng.random() >= share:
                continue
            for d in range(doc["days"]):
                if (start + dt.timedelta(days=d)).weekday() == weekday:
                    visits.append({"id": f"{p['id']}-d{d:02d}-{need}", "citizen": p["id"], "need": need,
                                   "day": d, "earliest": earliest, "latest": latest, "duration": minutes,
                                   "carers": 1, "skills": [], "priority": PRIORITY[need]})
        if not spaced:
            continue
        for d in range(doc["days"]):
            needs = by_day.get((p["id"], d), {})
            then = next((needs[n] for n in SPACED_AFTER_MORNING if n in needs), None)
            if "morning" in needs and then is not None:
                dependencies.append({"first": needs["morning"], "then": then, **SPACING})
    travel = dict(doc["travel"], modes=TRAVEL_MODES)
    return dict(doc, name=_rules_name(doc["name"]), travel=travel, carers=carers, visits=visits,
                dependencies=dependencies)


def _with_break(shift: dict[str, Any]) -> dict[str, Any]:
    if shift["end"] - shift["start"] < LONG_SHIFT:
        return shift
    window = {"earliest": shift["start"] + BREAK_FROM, "latest": shift["start"] + BREAK_TO,
              "duration": BREAK_MINUTES}
    return dict(shift, **{"break": window})


def _rules_name(name: str) -> str:
    """`team-m-1` -> `team-rules-m-1`: the family's name with the rules, as `generate` takes it."""
    family, size, seed = name.rsplit("-", 2)
    return f"{family}{RULES_SUFFIX}-{size}-{seed}"


# Strict consistency: every carer works STRICT_SHIFT_START onwards every day, as long as its citizens'
# busiest day takes in the planted plan plus STRICT_SLACK at most; each citizen is visited on a day
# with STRICT_PRESENCE chance, once, for one of STRICT_DURATIONS minutes.
STRICT_SHIFT_START = 420
STRICT_PER_CARER = 5  # citizens per carer in the planted plan
STRICT_PRESENCE = 0.7
STRICT_DURATIONS = (20, 30, 45, 60)
STRICT_SLACK = 10  # minutes
STRICT_WINDOW = 30  # minutes a window reaches beyond the planted starts, at most, either side
STRICT_TRAVEL = {"speed_kmh": 18.0, "detour_factor": 1.3}


def planted_plan(family: str, size: str, seed: int) -> dict[str, Any]:
    """The homecare-plan/1 a strict family's instance is made around: every visit placed, each citizen
    with one carer the whole period (a witness that everything can be placed, under any cap)."""
    if family not in STRICT_FAMILIES:
        raise ValueError(f"only the strict families are made around a plan, not {family!r}")
    return _strict(family, size, seed)[1]


def _minutes(a: tuple[float, float], b: tuple[float, float]) -> int:
    """FORMAT.md's travel minutes at STRICT_TRAVEL."""
    return minutes_between(a, b, STRICT_TRAVEL["speed_kmh"], STRICT_TRAVEL["detour_factor"])


def _strict(family: str, size: str, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A strict family's instance and the plan it is made around. Citizens are dealt to carers by their
    bearing from the base, each carer's day visits them in a fixed tour (nearest first from the base),
    and the windows and shift ends are set around the starts that tour gives."""
    rng = random.Random(f"strict-{seed}")  # the same citizens and carers under each cap
    shape = SIZES[size]
    start = DEFAULT_START
    teams: list[dict[str, Any]] = []
    carers: list[dict[str, Any]] = []
    citizens: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    placed: list[dict[str, Any]] = []
    for t in range(shape.teams):
        team_id = f"T{t + 1}"
        base = _base(rng, "team", t)
        teams.append({"id": team_id, "lat": base[0], "lon": base[1]})
        homes = [near(rng, *base, 2.5) for _ in range(shape.citizens_per_team)]
        duration = [rng.choice(STRICT_DURATIONS) for _ in homes]
        days = [[d for d in range(shape.days) if rng.random() < STRICT_PRESENCE]
                or [rng.randrange(shape.days)] for _ in homes]
        by_bearing = sorted(range(len(homes)), key=lambda i: math.atan2(homes[i][0] - base[0],
                                                                       homes[i][1] - base[1]))
        groups = [by_bearing[g:g + STRICT_PER_CARER] for g in range(0, len(homes), STRICT_PER_CARER)]
        first_citizen = len(citizens)
        for i, home in enumerate(homes):
            citizens.append({"id": f"{team_id}-p{i + 1:03d}", "team": team_id, "lat": home[0], "lon": home[1],
                             "avoid": []})
        starts: dict[tuple[int, int], int] = {}
        ends: list[int] = []
        for j, group in enumerate(groups):
            tour, here = [], base
            left = list(group)
            while left:
                nxt = min(left, key=lambda i: (_minutes(here, homes[i]), i))
                tour.append(nxt)
                left.remove(nxt)
                here = homes[nxt]
            longest = 0
            for d in range(shape.days):
                clock, here = STRICT_SHIFT_START, base
                for i in tour:
                    if d in days[i]:
                        clock += _minutes(here, homes[i])
                        starts[(i, d)] = clock
                        clock += duration[i]
                        here = homes[i]
                longest = max(longest, clock + _minutes(here, base) - STRICT_SHIFT_START)
            ends.append(STRICT_SHIFT_START + longest + rng.randint(0, STRICT_SLACK))
            carer_id = f"{team_id}-c{j + 1:02d}"
            carers.append({"id": carer_id, "team": team_id, "skills": [],
                           "shifts": [{"day": d, "start": STRICT_SHIFT_START, "end": ends[-1]}
                                      for d in range(shape.days)]})
            for i in group:
                citizen_id = citizens[first_citizen + i]["id"]
                planted = [starts[(i, d)] for d in days[i]]
                earliest = max(STRICT_SHIFT_START, min(planted) - rng.randint(0, STRICT_WINDOW))
                latest = max(planted) + rng.randint(0, STRICT_WINDOW)
                for d in days[i]:
                    visit_id = f"{citizen_id}-d{d:02d}-care"
                    visits.append({"id": visit_id, "citizen": citizen_id, "need": "care", "day": d,
                                   "earliest": earliest, "latest": latest, "duration": duration[i],
                                   "carers": 1, "skills": []})
                    placed.append({"id": visit_id, "carers": [carer_id], "start": starts[(i, d)]})
    name = f"{family}-{size}-{seed}"
    doc = {
        "format": INSTANCE_FORMAT,
        "name": name,
        "start_date": start.isoformat(),
        "days": shape.days,
        "max_carers_per_month": STRICT_FAMILIES[family],
        "travel": dict(STRICT_TRAVEL),
        "teams": teams,
        "carers": carers,
        "citizens": citizens,
        "visits": sorted(visits, key=lambda v: (v["day"], v["id"])),
    }
    plan = {"format": PLAN_FORMAT, "instance": name, "visits": sorted(placed, key=lambda a: a["id"]),
            "unassigned": []}
    return doc, plan
