"""The pages speak the trade's words: every Swedish text is checked against the list of home care's words
(app.web.i18n.TRADE_WORDS) and the words it does not use; machine messages reach the reader in Swedish."""

from __future__ import annotations

import re

from app.audit import national
from app.web import pages_audit, render
from app.web.i18n import (
    CONCEPT_LABELS,
    ENGLISH_WORDS,
    FIELD_LABELS,
    NOT_THE_TRADES,
    SV,
    TRADE_WORDS,
    field_label,
    format_number,
    need_name,
    period_name,
    say_message,
)


def test_every_concept_is_labelled_with_the_trades_word() -> None:
    wrong = {
        label: SV.get(label)
        for label, concept in CONCEPT_LABELS.items()
        if TRADE_WORDS[concept] not in SV.get(label, "").lower()
    }
    assert wrong == {}


def test_no_swedish_text_uses_a_word_the_trade_does_not() -> None:
    found = sorted(
        (word, text)
        for text in SV.values()
        for word in NOT_THE_TRADES
        if re.search(rf"(?<![\wåäö]){re.escape(word)}(?![\wåäö])", text.lower())
    )
    assert found == []


def test_the_pages_own_texts_have_swedish_entries() -> None:
    texts = {t for pair in render.GLOSSARY for t in pair} | set(render.PAGE_HELP.values())
    texts |= set(FIELD_LABELS.values()) | set(national.REASONS)
    texts |= {pages_audit.NO_PLAN, pages_audit.NO_PERFORMED, pages_audit.NO_VISITS, pages_audit.BAD_MONTH}
    assert sorted(t for t in texts if t not in SV) == []


def test_machine_messages_reach_the_reader_in_swedish_with_names_for_ids() -> None:
    reason = "needs 2 carers; every carer with skill lift on shift 07:00-08:30 is on T1-p004's avoid list"
    said = say_message("sv", reason, {"T1-p004": "Greta Berg"})
    assert said == ("kräver 2 medarbetare (dubbelbemanning); alla medarbetare med rätt kompetens (lyft) som "
                    "arbetar 07:00-08:30 är avböjda av Greta Berg")
    assert say_message("sv", "end (2026-12-10) is before start (2026-12-20)") == (
        "sista dagen (2026-12-10) är före första dagen (2026-12-20)"
    )
    assert say_message("en", reason, {"T1-p004": "Greta Berg"}).endswith("Greta Berg's avoid list")
    assert field_label("sv", "changes.0.to_day") == "Till" and field_label("sv", "body.x.y") == ""


def test_needs_numbers_and_periods_are_written_the_swedish_way() -> None:
    assert [need_name("sv", k) for k in ("morning", "shower", "medication", "my own")] == [
        "Morgonhjälp", "Dusch", "Läkemedel", "my own"
    ]
    assert format_number("sv", 4.25, 2) == "4,25" and format_number("sv", 12345, 0) == "12\u00a0345"
    import datetime as dt

    assert period_name("sv", dt.date(2026, 11, 30), dt.date(2026, 12, 27)) == "v. 49–52"
    assert period_name("en", dt.date(2026, 11, 30), dt.date(2026, 12, 6)) == "week 49"


def test_a_citizen_over_the_cap_is_explained_in_swedish_on_the_audit() -> None:
    """Astrid met 4 carers in December where the cap is 2 and the plan had 1: every reason the
    audit gives for it reads in Swedish, numbers kept."""
    import datetime as dt

    from app.audit.figures import Audit
    from app.audit.inputs import AuditInput, PlannedVisit
    from app.audit.performed import CitizenFacts, PerformedRow

    days = [dt.datetime(2026, 12, d, 8, 0) for d in range(1, 5)]
    rows = [PerformedRow(line=i + 1, citizen="p1", carer=f"c{i}", start=s, end=s + dt.timedelta(minutes=30),
                         visit=f"v{i}") for i, s in enumerate(days)]
    planned = {f"v{i}": PlannedVisit(id=f"v{i}", citizen="p1", need="morning", date=s.date(), earliest=480,
                                     latest=480, duration=30, carers=("c0",), start=480)
               for i, s in enumerate(days)}
    audit = Audit(AuditInput(rows=rows, citizens={"p1": CitizenFacts(contact="c0")}, planned=planned,
                             has_plan=True, cap=2))
    [why] = [w["why"] for w in audit.worst_cases()]
    assert "over the cap of 2 by 2" in why and "plan had 1 carers, reality added 3" in why
    said = say_message("sv", why)
    assert said == ("2 fler än gränsen på 2 medarbetare; 4 av 4 medarbetare kom bara en gång; "
                    "kontaktpersonen gjorde 25 % av 4 besök; 3 besök med en medarbetare som var ny för "
                    "brukaren; planen hade 1 medarbetare; i verkligheten kom 3 till")
    assert not set(re.findall(r"[a-z]+", said.lower())) & set(ENGLISH_WORDS)


def test_an_unplaced_reason_names_the_date_and_reads_in_swedish() -> None:
    """The planner counts days; the coordinator reads "Thu 10 Dec", in Swedish "tor 10 dec"."""
    import datetime as dt

    from app.mapping import dated_reason

    reason = dated_reason("no carer with skill lift free 07:00-08:30 on day 9 (all routes are full, with "
                          "each shift's break kept 11:00-13:30; start 07:30-08:00 instead of 07:00-09:00 to "
                          "keep its spacing from another visit)", dt.date(2026, 12, 1))
    assert "on Thu 10 Dec" in reason and "day 9" not in reason
    said = say_message("sv", reason)
    assert said == ("ingen medarbetare med rätt kompetens (lyft) är ledig 07:00-08:30 tor 10 dec (alla "
                    "körlistor är fulla, med varje pass rast 11:00-13:30; start 07:30–08:00 i stället för "
                    "07:00–09:00 för att hålla tidsavståndet till ett annat besök)")
    assert not set(re.findall(r"[a-z]+", said.lower())) & set(ENGLISH_WORDS)
    assert say_message("sv", "no carer with the right skills on shift 07:00-08:30 on day 3").endswith(
        "arbetar 07:00-08:30 den dagen")
