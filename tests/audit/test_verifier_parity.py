"""A coordinator audits a plan, or the same plan written out as performed visits, and gets the same figures
either way; where ../shared exists, exactly the figures the team's verifier reports (tests marked
`shared`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.audit.files import audit_performed_file, audit_plan_files, write_plan_as_performed
from tests.audit.conftest import load_instance, run_cli, verifier_figures
from tests.paths import generated_instance

KEYS = ("distinct_carers_per_citizen_month", "distinct_carers_per_citizen_14d")


@pytest.mark.parametrize("size", ["s", "m"])
def test_plan_written_as_performed_rows_gives_the_plans_figures_to_the_digit(
    size: str, greedy_plans: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    instance_path, plan_path = greedy_plans[size]
    expected = audit_plan_files(load_instance(size), json.loads(plan_path.read_text()))["figures"]
    performed = tmp_path / "performed.csv"
    written = run_cli(
        "audit",
        "--instance",
        str(instance_path),
        "--plan",
        str(plan_path),
        "--write-performed",
        str(performed),
    )
    assert written.returncode == 0, written.stderr

    proc = run_cli("audit", str(performed), "--json")

    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in KEYS:
        assert got[key] == expected[key], key  # mean, median, p90, max, to the digit
    assert got["start_time_sd_minutes"] == expected["start_time_sd_minutes"]
    assert "national_14d" in got


@pytest.mark.shared
@pytest.mark.parametrize("size", ["s", "m"])
def test_auditing_a_plan_file_gives_the_verifiers_figures(
    size: str, greedy_plans: dict[str, tuple[Path, Path]]
) -> None:
    instance_path, plan_path = greedy_plans[size]
    expected = verifier_figures(instance_path, plan_path)
    inst, plan = load_instance(size), json.loads(plan_path.read_text())

    got = audit_plan_files(inst, plan)["figures"]

    for key in (*KEYS, "contact_carer_share", "start_time_sd_minutes"):
        assert got[key] == expected[key], key
    assert got["visits"] == expected["assigned"]


def test_cli_audits_a_plan_file_with_instance_and_plan(greedy_plans: dict[str, tuple[Path, Path]]) -> None:
    instance_path, plan_path = greedy_plans["s"]
    expected = audit_plan_files(load_instance("s"), json.loads(plan_path.read_text()))["figures"]

    proc = run_cli("audit", "--instance", str(instance_path), "--plan", str(plan_path), "--json")

    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {k: got[k] for k in KEYS} == {k: expected[k] for k in KEYS}
    assert got["source"] == "plan"


def test_performed_exactly_as_planned_shows_no_difference_from_the_plan(
    greedy_plans: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    instance_path, plan_path = greedy_plans["s"]
    inst, plan = load_instance("s"), json.loads(plan_path.read_text())
    performed = tmp_path / "p.csv"
    write_plan_as_performed(inst, plan, performed)

    f = audit_performed_file(performed, instance=inst, plan=plan)["figures"]

    pr = f["plan_vs_reality"]
    assert pr["performed_as_planned"] == pr["planned_visits"] == len(plan["visits"])
    assert pr["planned_not_performed"] == pr["performed_without_plan"] == pr["performed_by_other_carers"] == 0
    assert pr["continuity_cost"]["extra_carers_total"] == 0
    assert all(n["within_5_min_share"] == 1.0 for n in f["standard_minutes"]["needs"].values())


def test_substitutes_and_shorter_visits_show_up_as_plan_versus_reality(
    greedy_plans: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    """Reality: on one citizen's first morning visit a carer who was free is sent instead of the planned
    one, and that citizen's morning visits all take 15 minutes less than the standard minutes."""
    import csv
    import datetime as dt
    import io

    instance_path, plan_path = greedy_plans["s"]
    inst, plan = load_instance("s"), json.loads(plan_path.read_text())
    text = write_plan_as_performed(inst, plan, None)
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    target = rows[0]["citizen"]
    first = next(r for r in rows if r["citizen"] == target and r["visit"].endswith("-morning"))
    s, e = dt.datetime.fromisoformat(first["start"]), dt.datetime.fromisoformat(first["end"])
    busy = {
        r["carer"]
        for r in rows
        if dt.datetime.fromisoformat(r["start"]) < e and dt.datetime.fromisoformat(r["end"]) > s
    }
    met = {r["carer"] for r in rows if r["citizen"] == target}
    substitute = next(c["id"] for c in inst["carers"] if c["id"] not in busy | met)
    first["carer"] = substitute
    shortened = 0
    for r in rows:
        if r["citizen"] == target and r["visit"].endswith("-morning"):
            r["end"] = (dt.datetime.fromisoformat(r["end"]) - dt.timedelta(minutes=15)).isoformat(
                timespec="minutes"
            )
            shortened += 1
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    performed = tmp_path / "reality.csv"
    performed.write_text(out.getvalue())
    assert shortened >= 3

    f = audit_performed_file(performed, instance=inst, plan=plan)["figures"]

    pr = f["plan_vs_reality"]
    assert pr["performed_by_other_carers"] == 1
    assert pr["substitutions_bringing_new_faces"] == 1
    assert pr["substitutions"][0]["new_to_citizen_this_month"] == [substitute]
    misfits = f["standard_minutes"]["misfits"]
    assert any(
        m["citizen"] == target and m["need"] == "morning" and m["median_difference"] == -15 for m in misfits
    )
    assert f["standard_minutes"]["needs"]["morning"]["within_5_min_share"] < 1.0


@pytest.mark.shared
def test_planner_plan_if_available_matches_the_verifier(tmp_path: Path) -> None:
    solver = pytest.importorskip("solver")
    solve = getattr(solver, "solve", None)
    if solve is None:
        pytest.skip("the planner (`from solver import solve`) is not there yet")
    from exchange import parse_instance, plan_to_doc, to_problem
    from solver.types import SolveParams

    inst = load_instance("s")
    problem = to_problem(parse_instance(inst))
    plan = plan_to_doc(solve(problem, SolveParams(time_limit=3.0)), problem.name)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    expected = verifier_figures(generated_instance("team", "s"), plan_path)

    got = audit_plan_files(inst, plan)["figures"]

    assert {k: got[k] for k in KEYS} == {k: expected[k] for k in KEYS}


def test_a_team_and_month_scope_counts_only_that_teams_citizens_in_that_month(tmp_path: Path) -> None:
    from bench.audit import greedy_plan

    inst = load_instance("l")
    plan = greedy_plan(inst)
    whole = audit_plan_files(inst, plan)["figures"]
    t2 = {p["id"] for p in inst["citizens"] if p["team"] == "T2"}
    citizen_of = {v["id"]: v["citizen"] for v in inst["visits"]}
    only_t2 = {**plan, "visits": [a for a in plan["visits"] if citizen_of[a["id"]] in t2]}

    scoped = audit_plan_files(inst, plan, team="T2", month=(2026, 12))["figures"]
    alone = audit_plan_files(inst, only_t2)["figures"]

    for key in (
        "distinct_carers_per_citizen_month",
        "distinct_carers_per_citizen_14d",
        "contact_carer_share",
    ):
        assert scoped[key] == alone[key] == whole["teams"]["T2"][key]
    assert scoped["scope"] == {"team": "T2", "month": "2026-12"}
    assert sum(t["visits"] for t in whole["teams"].values()) == whole["visits"]
