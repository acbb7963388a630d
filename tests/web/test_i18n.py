"""Every text the pages translate has a Swedish entry; the language follows the switch."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from app.replan.hand_move import RULES
from app.web import pages_runs, render
from app.web.i18n import SV, pick_language, translator

TEMPLATES = Path(render.TEMPLATES_DIR) / "web"
CALL = re.compile(r"""_\(\s*(["'])(.+?)\1""")


def _texts() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        found.update(m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8")))
    found.update(render.NAV_LABELS.values())
    found.update(RULES.values())
    found.update(render.FLASHES.values())
    found.update(label for label, _key, _lower in pages_runs.FIGURES)
    for title, text in render._TITLES.values():
        found.update((title, text))
    found.update(t for pair in render.GLOSSARY for t in pair)
    found.update(render.PAGE_HELP.values())
    return found


def test_every_text_on_the_pages_has_a_swedish_translation() -> None:
    texts = _texts()
    assert len(texts) > 150
    missing = sorted(t for t in texts if t not in SV)
    assert missing == []


def test_the_language_comes_from_the_switch_then_the_browser_then_swedish() -> None:
    assert pick_language("en", "sv-SE") == "en"
    assert pick_language(None, "en-GB,en;q=0.9") == "en"
    assert pick_language(None, "de-DE") == "sv"
    assert translator("sv")("{n} of {cap}", n=3, cap=12) == "3 av 12"
    assert translator("en")("{n} of {cap}", n=3, cap=12) == "3 of 12"


def test_the_final_checks_break_and_spacing_reasons_read_in_swedish() -> None:
    from app.web.i18n import say_message

    dropped = say_message("sv", "dropped by the final check: T1-c02 gets no unbroken 30-minute break "
                                "starting 10:00-12:00 in the shift 07:00-15:30 on day 6")
    assert dropped == ("togs bort vid slutkontrollen: T1-c02 får ingen obruten rast på 30 minuter med start "
                       "10:00-12:00 under passet 07:00-15:30")
    spaced = say_message("sv", "starts 40 min after breakfast ends, outside the spacing of 180-330 min")
    assert spaced == "börjar 40 min efter att breakfast slutar, utanför tidsavståndet 180–330 min"
    early = say_message("sv", "ends 40 min before lunch starts, outside the spacing of at least 240 min")
    assert early == "slutar 40 min före lunch, utanför tidsavståndet minst 240 min"


def test_a_citizen_whose_only_carer_this_month_is_full_reads_who_and_when_in_swedish() -> None:
    from app.mapping import dated_reason
    from app.web.i18n import say_message

    reason = dated_reason("the 1-carer cap for p7 in December 2026 is reached: its carer this month: "
                          "c2 has no room 07:00-08:00 on day 1, and no other carer may come",
                          dt.date(2026, 12, 7))
    assert say_message("sv", reason, {"p7": "Anna Berg", "c2": "Xena Ek"}) == (
        "gränsen på 1 medarbetare för Anna Berg är nådd den månaden: Xena Ek har inte tid 07:00-08:00 "
        "tis 8 dec, och ingen annan medarbetare får komma")
    two = say_message("sv", "the 2-carer cap for p7 in December 2026 is reached: its carers this month: "
                            "c2 has no room and c3 is not on shift 07:00-08:00 on day 1, "
                            "and no other carer may come")
    assert two == ("gränsen på 2 medarbetare för p7 är nådd den månaden: c2 har inte tid och c3 arbetar inte "
                   "07:00-08:00 den dagen, och ingen annan medarbetare får komma")
