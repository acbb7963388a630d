"""The municipality's auditor gets figures with stable pseudonyms, and a report that opens offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.audit.files import audit_performed_file, load_citizen_facts, write_plan_as_performed
from app.audit.pseudonym import Pseudonymiser
from app.audit.report import citizen_csv, render_html
from tests.audit.conftest import load_instance
from tests.audit.test_national_measure import write_case


def test_pseudonyms_are_stable_keyed_and_not_the_id() -> None:
    a, b = Pseudonymiser("secret-one"), Pseudonymiser("secret-two")

    assert a("citizen", "T1-p001") == a("citizen", "T1-p001")
    assert a("citizen", "T1-p001") != b("citizen", "T1-p001")
    assert a("citizen", "T1-p001") != a("carer", "T1-p001")
    assert re.fullmatch(r"P-[0-9a-f]{12}", a("citizen", "T1-p001"))
    assert "p001" not in a("citizen", "T1-p001")


def test_report_is_one_self_contained_file_with_charts(tmp_path: Path, greedy_plans: dict) -> None:
    _, plan_path = greedy_plans["s"]
    inst, plan = load_instance("s"), json.loads(plan_path.read_text())
    performed = tmp_path / "p.csv"
    write_plan_as_performed(inst, plan, performed)
    result = audit_performed_file(performed, instance=inst, plan=plan)

    html = render_html(result["audit"], result["figures"])

    assert html.count("<svg") >= 3  # distribution, trend, plan versus reality, standard minutes
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing to fetch: opens offline
    assert "<script" not in html
    assert "Worst cases and why" in html and "National 14-day measure" in html


def test_pseudonymised_outputs_hold_no_real_ids(tmp_path: Path) -> None:
    performed, citizens = write_case(tmp_path, with_birth_year_column=False)
    alias = Pseudonymiser("k")
    result = audit_performed_file(performed, citizens=load_citizen_facts(citizens), alias=alias)

    html = render_html(result["audit"], result["figures"], alias=alias, pseudonymised=True)
    table = citizen_csv(result["audit"], result["audit"].national_people, alias)
    text = json.dumps(result["figures"])

    for out in (html, table, text):
        assert not re.search(r"\b(c1|c4|b03|e5)\b", out)
    assert alias("citizen", "A") in table and alias("citizen", "B") in table
    assert "pseudonymised" in html
