"""`make bench` / `python -m bench`: sections run, results land in RESULTS.md and results.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import sections
from bench.__main__ import parse_args
from bench.common import md_table
from tests.paths import generated_instance

ROOT = Path(__file__).resolve().parents[2]


def test_a_colleague_section_that_does_not_exist_yet_is_skipped_with_a_note(capsys) -> None:
    assert {"planner", "replan", "audit", "import_xl", "rota_page", "scaleout"} <= set(sections.SECTIONS)
    assert sections.load("planner") is not None
    assert sections.load("surely_not_a_section") is None
    assert "section surely_not_a_section not available" in capsys.readouterr().err


def test_quick_defaults_to_team_s_and_full_run_to_the_three_large_instances() -> None:
    assert parse_args(["--quick"]).instances == ["team-s"]
    assert parse_args([]).instances == ["team-m", "district-l", "municipality-xl"]
    assert parse_args(["--instances", "team-s,team-m", "--sections", "planner"]).sections == ["planner"]


def test_families_add_generated_instances_of_each_seed_named_by_the_generators_command(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench import common
    from bench.__main__ import render
    from bench.common import instance_path, instance_source, load_instance
    from exchange.generator import generate

    monkeypatch.setattr(common, "GENERATED_DIR", tmp_path / "generated")
    args = parse_args(["--families", "rural,tight", "--seeds", "1,2", "--sections", "planner"])
    assert args.instances == ["rural-m-1", "rural-m-2", "tight-m-1", "tight-m-2"]
    assert parse_args(["--quick", "--families", "double"]).instances == ["double-s-1"]
    assert parse_args(["--instances", "team-s", "--families", "team", "--size", "l"]).instances == \
        ["team-s", "team-l-1"]
    assert instance_source("rural-m-2") == "generated: homecare generate --family rural --size m --seed 2"
    assert load_instance("double-s-3") == generate("double", "s", 3)
    assert instance_path("double-s-3").name == "double-s-3.json"
    md = render({"sections": {"planner": {"instances": ["rural-m-2"], "markdown": "",
                                          "sources": {"rural-m-2": instance_source("rural-m-2")}}}})
    assert "Generated instances" in md and "`homecare generate --family rural --size m --seed 2`" in md
    from bench.planner import TIME_LIMITS, reference, target_for

    # Another family is held to its size's targets informally; the reference names keep theirs.
    assert reference("rural-l-2") == "district-l" and TIME_LIMITS[reference("rural-l-2")] == 300.0
    informal, formal = target_for("rural-m-1"), target_for("team-m")
    assert informal is not None and informal["informal"]
    assert formal is not None and not formal.get("informal")


def test_unknown_family_or_seed_is_refused_with_a_message(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        parse_args(["--families", "suburb"])
    assert e.value.code == 2 and "suburb" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--families", "team", "--seeds", "one"])


def test_without_shared_the_reference_names_stand_for_generated_teams_of_their_size(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench import common
    from exchange.generator import generate

    monkeypatch.setattr(common, "INSTANCES_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(common, "GENERATED_DIR", tmp_path / "generated")
    assert common.instance_source("district-l") == \
        "generated: homecare generate --family team --size l --seed 1"
    assert common.load_instance("team-s") == generate("team", "s", 1)
    assert parse_args(["--quick"]).instances == ["team-s"]  # found, so not refused


def test_without_shared_plans_are_judged_by_the_planners_own_check(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench import common

    monkeypatch.setattr(common, "VERIFIER", tmp_path / "no-verifier.py")
    instance = generated_instance()
    doc = json.loads(instance.read_text())
    visit = doc["visits"][0]
    empty = {"format": "homecare-plan/1", "instance": doc["name"], "visits": [],
             "unassigned": [{"id": v["id"], "reason": "not planned"} for v in doc["visits"]]}
    (tmp_path / "empty.json").write_text(json.dumps(empty))
    verdict = common.verify(instance, tmp_path / "empty.json")
    assert verdict.valid and verdict.checker == common.OWN_CHECK_NAME
    assert verdict.figures["unassigned"] == len(doc["visits"]) and verdict.figures["travel_minutes"] == 0
    bad = {**empty, "visits": [{"id": visit["id"], "carers": ["nobody"], "start": visit["earliest"]}],
           "unassigned": empty["unassigned"][1:]}
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    verdict = common.verify(instance, tmp_path / "bad.json")
    assert not verdict.valid and verdict.status() == "INVALID (1 violations)"
    assert "unknown carer nobody" in verdict.violations[0]


def test_unknown_instance_or_section_is_refused_with_a_message(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        parse_args(["--instances", "team-zz"])
    assert e.value.code == 2
    assert "team-zz" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--sections", "nope"])


def test_markdown_table_shows_missing_figures_as_a_dash() -> None:
    table = md_table(["planner", "travel"], [["ours", 14296], ["bound", None]])
    assert "| ours | 14,296 |" in table and "| bound | — |" in table


@pytest.mark.slow
def test_quick_bench_run_writes_results_md_and_json_with_every_plan_verified(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--sections", "planner,replan",
         "--results-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    md = (tmp_path / "RESULTS.md").read_text()
    assert "### team-s" in md and "| routing |" in md and "| lower bound |" in md
    assert "### team-s" in proc.stdout  # the table is printed too
    results = json.loads((tmp_path / "results.json").read_text())
    team_s = results["sections"]["planner"]["result"]["instances"]["team-s"]
    for peer in ("routing", "nearest", "careful"):
        row = team_s["planners"][peer]
        assert row["verdict"]["figures"]["assigned"] > 0
        assert (tmp_path / "plans" / f"team-s-{peer}.json").exists()
        assert row["status"] == "valid" or row["status"].startswith("INVALID")
    assert team_s["bound"]["mean"] <= min(r["month_mean"] for r in team_s["planners"].values()
                                          if r.get("month_mean") is not None)
    if not sections.available("replan"):
        assert "section replan not available" in proc.stderr


def _row(name: str, placed: int, mean: float, top: int, travel: int, valid: bool = True,
         status: str = "valid") -> dict:
    return {"planner": name, "placed": placed, "month_mean": mean, "month_max": top, "travel_min": travel,
            "start_sd_min": 10.0, "contact_share": 0.5, "wall_s": 50.0, "peak_rss_mib": 100.0,
            "verdict": {"valid": valid, "status": status}}


# At most 1300 of 2812 visits by the contact carer (0.462): a share of 0.5 is within 0.9 of it.
CONTACT_BOUND = {"attendable": 1300, "contact_visits": 2812, "other_visits": 0}


def test_our_plan_passes_team_m_targets_only_when_every_ratio_holds() -> None:
    from bench.planner import _judge

    routing = _row("routing", 2812, 14.6, 23, 14600, valid=False, status="INVALID (cap broken for 25 ...)")
    good = _judge("team-m", {"ours": _row("ours", 2812, 3.9, 7, 15800), "routing": routing}, 3.2,
                  CONTACT_BOUND)
    assert good["verdict"] == "PASS"
    assert good["ratios"]["best_peer"] == "routing"  # a cap breach does not disqualify it as reference
    slow_and_far = _judge("team-m", {"ours": _row("ours", 2800, 3.9, 7, 17600), "routing": routing}, 3.2,
                          CONTACT_BOUND)
    assert slow_and_far["verdict"].startswith("FAIL")
    assert "placed >= best peer" in slow_and_far["verdict"] and "travel" in slow_and_far["verdict"]


def test_a_plan_that_places_nothing_never_passes_on_its_empty_figures() -> None:
    from bench.planner import _judge

    routing = _row("routing", 10104, 11.0, 21, 54801, valid=False, status="INVALID (cap broken for 60 ...)")
    empty = _row("ours", 0, 0, 0, 0)
    empty["contact_share"] = None
    res = _judge("district-l", {"ours": empty, "routing": routing}, 3.0)
    assert res["verdict"].startswith("FAIL")
    assert res["ratios"]["mean_vs_bound"] is None


def test_with_three_runs_a_target_missed_by_one_run_is_missed_and_says_by_how_many() -> None:
    from bench.planner import _judge, run_name

    routing = _row("routing", 2812, 14.6, 23, 14600, valid=False, status="INVALID (cap broken for 25 ...)")
    runs = {run_name(0): _row("ours", 2812, 3.9, 7, 15800),
            run_name(1): _row("ours seed 1", 2812, 4.1, 7, 15900),
            run_name(2): _row("ours seed 2", 2812, 3.95, 7, 15700)}
    res = _judge("team-m", {**runs, "routing": routing}, 3.2, CONTACT_BOUND)
    assert res["verdict"] == "FAIL: mean <= 1.25 x bound (met in 2 of 3 runs)"
    mean_check = next(c for c in res["checks"] if c["target"] == "mean <= 1.25 x bound")
    assert mean_check == {"target": "mean <= 1.25 x bound", "ok": False, "runs_met": 2, "runs": 3}
    assert res["ratios"]["mean_vs_bound"] == round((3.9 + 4.1 + 3.95) / 3 / 3.2, 3)
    assert [r["mean_vs_bound"] for r in res["ratios"]["by_run"]] == [1.219, 1.281, 1.234]
    runs[run_name(1)]["month_mean"] = 3.98  # now every run is within 1.25 x 3.2 = 4.0
    assert _judge("team-m", {**runs, "routing": routing}, 3.2, CONTACT_BOUND)["verdict"] == "PASS"


def test_a_run_that_produced_no_plan_fails_the_instance_even_when_the_others_pass() -> None:
    from bench.planner import _judge, run_name

    routing = _row("routing", 2812, 14.6, 23, 14600, valid=False, status="INVALID (cap broken for 25 ...)")
    crashed = {"planner": "ours seed 1", "ran": False}
    res = _judge("team-m", {run_name(0): _row("ours", 2812, 3.9, 7, 15800), run_name(1): crashed,
                            "routing": routing}, 3.2, CONTACT_BOUND)
    assert res["verdict"] == "FAIL: every run produced a plan"


def test_a_section_with_an_instance_of_its_own_names_it_in_the_results_not_the_instances_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from bench.__main__ import main

    own = SimpleNamespace(TITLE="Optional rules",
                          run=lambda args: ({"instance": "team-m-rules"}, "the section's table"))
    monkeypatch.setattr(sections, "load", lambda name: own)
    assert main(["--sections", "rules", "--instances", "team-s", "--results-dir", str(tmp_path)]) == 0
    entry = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["sections"]["rules"]
    assert entry["instances"] == ["team-m-rules"]
    assert "instances team-m-rules," in (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
