"""The project's own instances: `homecare generate` makes teams of several kinds and sizes from a seed,
the same on any machine, that the planner plans and its own final check accepts."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exchange import parse_instance, parse_plan, plan_from_doc, plan_to_doc, to_problem
from exchange.generator import FAMILIES, SIZES, STRICT_FAMILIES, STRICT_SLACK, generate, planted_plan
from solver import SolveParams, solve
from solver.travel import Travel, haversine_km
from tests.checks import own_verdict
from tests.paths import VERIFIER


def _double_share(doc: dict[str, Any]) -> float:
    return sum(v["carers"] == 2 for v in doc["visits"]) / len(doc["visits"])


def _km_from_base(doc: dict[str, Any]) -> float:
    base = {t["id"]: (t["lat"], t["lon"]) for t in doc["teams"]}
    return statistics.mean(haversine_km(base[p["team"]], (p["lat"], p["lon"])) for p in doc["citizens"])


def _work_per_shift_minute(doc: dict[str, Any]) -> float:
    work = sum(v["duration"] * v["carers"] for v in doc["visits"])
    return work / sum(s["end"] - s["start"] for c in doc["carers"] for s in c["shifts"])


def test_the_same_seed_gives_the_same_instance_and_another_seed_another() -> None:
    assert generate("team", "s", 7) == generate("team", "s", 7)
    assert generate("team", "s", 7)["visits"] != generate("team", "s", 8)["visits"]
    # Fixed figures of seed 1: a change to the generator shows here, not as a puzzling test elsewhere.
    one = generate("team", "s", 1)
    assert (len(one["carers"]), len(one["citizens"]), len(one["visits"])) == (16, 20, 700)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_a_valid_instance_file(family: str) -> None:
    doc = json.loads(json.dumps(generate(family, "s", 1)))
    parsed = parse_instance(doc)
    assert parsed.name == f"{family}-s-1"
    contacts = {p.contact for p in parsed.citizens}
    skills = {c.id: set(c.skills) for c in parsed.carers}
    assert None not in contacts and contacts <= set(skills)
    # Every visit's skills are held by some carer of the citizen's team.
    team_of = {p.id: p.team for p in parsed.citizens}
    held = {(c.team, s) for c in parsed.carers for s in c.skills}
    assert all((team_of[v.citizen], s) in held for v in parsed.visits for s in v.skills)


@pytest.mark.parametrize(("size", "teams", "visits"), [
    ("s", 1, (500, 1_000)), ("m", 1, (2_500, 4_500)), ("l", 4, (10_000, 18_000)),
    ("xl", 20, (50_000, 90_000))])
def test_sizes_are_comparable_to_the_teams_reference_instances(size: str, teams: int,
                                                               visits: tuple[int, int]) -> None:
    doc = generate("team", size, 1)
    assert len(doc["teams"]) == teams and doc["days"] == SIZES[size].days
    assert visits[0] <= len(doc["visits"]) <= visits[1]
    assert len({v["id"] for v in doc["visits"]}) == len(doc["visits"])


def test_families_differ_the_way_their_names_say() -> None:
    team, double, rural, boundary, tight = (generate(f, "m", 1) for f in FAMILIES)
    assert _double_share(double) > max(0.3, 1.5 * _double_share(team))
    assert _km_from_base(team) < 2.5 < 8 < _km_from_base(rural)
    first = dt.date.fromisoformat(boundary["start_date"])
    last = first + dt.timedelta(days=boundary["days"] - 1)
    assert (first.year, first.month) != (last.year, last.month)
    assert dt.date.fromisoformat(team["start_date"]).month == (dt.date.fromisoformat(team["start_date"])
                                                               + dt.timedelta(days=team["days"] - 1)).month
    assert _work_per_shift_minute(tight) > 1.3 * _work_per_shift_minute(team)


def test_unknown_family_or_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        generate("suburb", "s", 1)
    with pytest.raises(ValueError, match="unknown size"):
        generate("team", "xxl", 1)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Any, Any]]:
    """family -> (instance file, plan file, problem, plan) for a short plan of each family's size s."""
    folder = tmp_path_factory.mktemp("generated")
    out = {}
    for family in FAMILIES:
        doc = generate(family, "s", 1)
        problem = to_problem(parse_instance(doc))
        plan = solve(problem, SolveParams(time_limit=20, seed=0, workers=1, max_iterations=15))
        instance_path, plan_path = folder / f"{family}.json", folder / f"{family}-plan.json"
        instance_path.write_text(json.dumps(doc))
        plan_path.write_text(json.dumps(plan_to_doc(plan, problem.name)))
        out[family] = (instance_path, plan_path, problem, plan)
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_the_planner_plans_every_family_and_its_own_check_accepts_the_plan(
        family: str, planned: dict[str, tuple[Path, Path, Any, Any]]) -> None:
    _, _, problem, plan = planned[family]
    violations, figures = own_verdict(problem, plan)
    assert violations == []
    assert figures["assigned"] + figures["unassigned"] == len(problem.visits)
    assert figures["distinct_carers_per_citizen_month"]["max"] <= problem.max_carers_per_month
    # Staffed families are nearly all placed; the tight one cannot be.
    share = figures["assigned"] / len(problem.visits)
    assert share < 0.95 if family == "tight" else share > 0.85


@pytest.mark.shared
@pytest.mark.parametrize("family", FAMILIES)
def test_the_shared_verifier_accepts_the_plan_of_every_family(
        family: str, planned: dict[str, tuple[Path, Path, Any, Any]]) -> None:
    instance_path, plan_path, problem, plan = planned[family]
    proc = subprocess.run([sys.executable, str(VERIFIER), str(instance_path), str(plan_path), "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    own = own_verdict(problem, plan)[1]
    assert figures["assigned"] == own["assigned"] and figures["travel_minutes"] == own["travel_minutes"]
    month = "distinct_carers_per_citizen_month"
    assert figures[month]["max"] == own[month]["max"]


def test_generate_command_writes_the_generators_file_and_refuses_an_unknown_family(tmp_path: Path) -> None:
    from app.cli import app

    out = tmp_path / "rural.json"
    result = CliRunner().invoke(app, ["generate", "--family", "rural", "--size", "s", "--seed", "3",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == generate("rural", "s", 3)
    assert "rural-s-3" in result.output and "visits" in result.output
    refused = CliRunner().invoke(app, ["generate", "--family", "suburb", str(tmp_path / "x.json")])
    assert refused.exit_code == 2 and "--family" in refused.output
    assert not (tmp_path / "x.json").exists()


def test_each_family_comes_with_the_rules_the_same_for_a_seed_and_the_family_otherwise_unchanged() -> None:
    team, ruled = generate("team", "s", 4), generate("team-rules", "s", 4)
    assert ruled == generate("team-rules", "s", 4) and ruled != generate("team-rules", "s", 5)
    assert ruled["name"] == "team-rules-s-4"
    plain = {v["id"]: v for v in team["visits"]}
    added = [v for v in ruled["visits"] if v["id"] not in plain]
    assert {v["need"] for v in added} == {"cleaning", "shopping"} and all(v["priority"] == 3 for v in added)
    assert all({k: x for k, x in v.items() if k != "priority"} == plain[v["id"]]
               for v in ruled["visits"] if v["id"] in plain)
    assert {v["priority"] for v in ruled["visits"] if v["need"] == "shower"} == {2}
    modes = [c.get("travel_mode") for c in ruled["carers"]]
    assert {"walk", "bike", None} <= set(modes) and set(ruled["travel"]["modes"]) == {"walk", "bike"}
    long_shifts = [s for c in ruled["carers"] for s in c["shifts"] if s["end"] - s["start"] >= 390]
    assert long_shifts and all(s["start"] < s["break"]["earliest"] < s["break"]["latest"] < s["end"]
                               for s in long_shifts)
    visit = {v["id"]: v for v in ruled["visits"]}
    assert ruled["dependencies"]
    for d in ruled["dependencies"]:
        first, then = visit[d["first"]], visit[d["then"]]
        assert first["need"] == "morning" and then["need"] in ("lunch", "medication")
        assert (first["citizen"], first["day"]) == (then["citizen"], then["day"])
        assert (d["min_gap"], d["max_gap"]) == (180, 330)
    # Country carers drive.
    assert not any(c.get("travel_mode") for c in generate("rural-rules", "s", 4)["carers"])


def test_generate_with_rules_writes_the_family_with_the_rules(tmp_path: Path) -> None:
    from app.cli import app

    out = tmp_path / "ruled.json"
    result = CliRunner().invoke(app, ["generate", "--family", "tight", "--size", "s", "--seed", "2",
                                      "--rules", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == generate("tight-rules", "s", 2)
    parse_instance(json.loads(out.read_text()))  # a valid homecare-instance/1, rules and all


@pytest.mark.parametrize("family", sorted(STRICT_FAMILIES))
def test_strict_families_keep_each_citizen_to_a_few_carers_and_come_with_a_plan_that_places_every_visit(
        family: str) -> None:
    doc = generate(family, "s", 2)
    assert doc == generate(family, "s", 2) and doc["max_carers_per_month"] == STRICT_FAMILIES[family]
    # The same citizens, carers and visits under each cap: only the cap differs.
    capless = ("name", "max_carers_per_month")
    assert {k: x for k, x in doc.items() if k not in capless} == \
        {k: x for k, x in generate("strict-cap1", "s", 2).items() if k not in capless}
    per_day = Counter((v["citizen"], v["day"]) for v in doc["visits"])
    assert max(per_day.values()) == 1
    assert all(len(c["shifts"]) == doc["days"] for c in doc["carers"])
    problem = to_problem(parse_instance(json.loads(json.dumps(doc))))
    witness = plan_from_doc(parse_plan(planted_plan(family, "s", 2)))
    violations, figures = own_verdict(problem, witness)
    assert violations == [] and figures["unassigned"] == 0
    assert figures["distinct_carers_per_citizen_month"]["max"] == 1
    # The shifts bind: on some day each carer's witness route ends within STRICT_SLACK of its shift's end.
    travel = Travel.for_problem(problem)
    visit = {v.id: v for v in problem.visits}
    for carer in problem.carers:
        mine = [a for a in witness.assignments if a.carers == (carer.id,)]
        ends = []
        for day in {visit[a.visit].day for a in mine}:
            last = max((a for a in mine if visit[a.visit].day == day), key=lambda a: a.start)
            ends.append(last.start + visit[last.visit].duration + travel.minutes(visit[last.visit].citizen,
                                                                                 carer.team))
        assert carer.shifts[0].end - max(ends) <= STRICT_SLACK


def test_only_the_strict_families_have_a_plan_they_are_made_around() -> None:
    with pytest.raises(ValueError, match="strict"):
        planted_plan("tight", "s", 1)


def test_generate_refuses_the_rules_for_a_strict_family(tmp_path: Path) -> None:
    from app.cli import app

    refused = CliRunner().invoke(app, ["generate", "--family", "strict-cap1", "--rules",
                                       str(tmp_path / "x.json")])
    assert refused.exit_code == 2 and "--rules" in refused.output
    assert not (tmp_path / "x.json").exists()
