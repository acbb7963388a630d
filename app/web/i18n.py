"""Translations of the web pages: one dict, English text as the key, Swedish as the value.

Templates write ``{{ _("Team rota") }}``; English shows the key itself, Swedish looks it up and falls
back to English for a missing entry (tests/web/test_i18n.py fails when a template uses a text that has
no Swedish entry, so the fallback is a safety net, not a habit). Placeholders use ``str.format`` names:
``_("{n} visits", n=3)``.

The language comes from the `lang` cookie (the switch in the page header sets it), else from the
browser's Accept-Language, else Swedish: the people using this work in Sundsvall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LANG_COOKIE = "lang"

# fmt: off
SV: dict[str, str] = {
    # layout and navigation
    "Home-care planner": "Hemtjänstplaneraren",
    "Skip to content": "Hoppa till innehållet",
    "Main menu": "Huvudmeny",
    "Language": "Språk",
    "Svenska": "Svenska",
    "English": "English",
    "Log in": "Logga in",
    "Log out": "Logga ut",
    "Logged in as {name} ({role})": "Inloggad som {name} ({role})",
    "Teams": "Arbetslag",
    "Team": "Arbetslag",
    "Rota": "Schema",
    "Team rota": "Arbetslagets schema",
    "Adjust and re-plan": "Ändra och planera om",
    "Plan runs": "Planeringskörningar",
    "Continuity": "Kontinuitet",
    "Continuity dashboard": "Kontinuitetsöversikt",
    "Back": "Tillbaka",
    "member": "medarbetare",
    "coordinator": "samordnare",
    "auditor": "granskare",
    "admin": "administratör",
    # login
    "Username": "Användarnamn",
    "Password": "Lösenord",
    "Wrong username or password.": "Fel användarnamn eller lösenord.",
    # sign-in through the municipality's identity provider
    "or": "eller",
    "Log in through {name}": "Logga in med {name}",
    "the municipality's login": "kommunens inloggning",
    "Your account at the identity provider is in no group that gives access to the planner. "
    "Ask your IT department for access.":
        "Ditt konto hos inloggningstjänsten finns inte i någon grupp som ger tillgång till planeraren. "
        "Be IT-avdelningen om behörighet.",
    "The planner already has another account with your username. An admin must rename or remove it "
    "before you can sign in through the identity provider.":
        "Planeraren har redan ett annat konto med ditt användarnamn. En administratör måste byta namn på "
        "det eller ta bort det innan du kan logga in via inloggningstjänsten.",
    "Your account in the planner is deactivated. Ask an admin of the planner.":
        "Ditt konto i planeraren är avstängt. Fråga en administratör av planeraren.",
    "The sign-in at the municipality's login did not complete. Please try again.":
        "Inloggningen via kommunens inloggning blev inte klar. Försök igen.",
    "The municipality's login cannot be reached just now. Try again shortly, or ask your IT department.":
        "Kommunens inloggning går inte att nå just nu. Försök snart igen, eller fråga IT-avdelningen.",
    # the user's own account
    "Change password": "Byt lösenord",
    "Current password": "Nuvarande lösenord",
    "New password (at least 8 characters)": "Nytt lösenord (minst 8 tecken)",
    "New password again": "Nytt lösenord igen",
    "The two new passwords differ.": "De två nya lösenorden skiljer sig åt.",
    "the current password is wrong": "det nuvarande lösenordet är fel",
    "the new password must differ from the current one":
        "det nya lösenordet måste skilja sig från det nuvarande",
    "Your password is changed. You are signed out everywhere else.":
        "Ditt lösenord är bytt. Du är utloggad på alla andra ställen.",
    "You sign in through the municipality's login; change your password there.":
        "Du loggar in via kommunens inloggning; byt lösenordet där.",
    "Please log in to continue.": "Logga in för att fortsätta.",
    # errors
    "Page not found": "Sidan finns inte",
    "This page does not exist, or it belongs to a team you do not work in.":
        "Sidan finns inte, eller hör till ett arbetslag du inte arbetar i.",
    "Not allowed": "Inte tillåtet",
    "Your role does not allow this page.": "Din roll ger inte tillgång till den här sidan.",
    "Something went wrong": "Något gick fel",
    "Check the form": "Kontrollera formuläret",
    "Go to the start page": "Till startsidan",
    # teams page
    "Your teams": "Dina arbetslag",
    "Carers": "Personal",
    "Citizens": "Brukare",
    "No teams yet.": "Inga arbetslag än.",
    # rota
    "Week": "Vecka",
    "Month": "Månad",
    "Week {n}": "Vecka {n}",
    "Previous": "Föregående",
    "Next": "Nästa",
    "Today": "Idag",
    "Previous week": "Föregående vecka",
    "Next week": "Nästa vecka",
    "Previous month": "Föregående månad",
    "Next month": "Nästa månad",
    "Carer": "Personal",
    "Citizen": "Brukare",
    "Contact carer": "Kontaktperson",
    "New face": "Nytt ansikte",
    "Pinned": "Låst",
    "Two carers": "Dubbelbemanning",
    "Legend": "Teckenförklaring",
    "No plan covers these dates yet.": "Ingen plan täcker de här datumen än.",
    "Plan": "Plan",
    "version {n}": "version {n}",
    "accepted": "godkänd",
    "draft": "utkast",
    "superseded": "ersatt",
    "This is a draft: it has not been accepted yet.": "Det här är ett utkast: det är inte godkänt än.",
    "Unplaced visits": "Oplacerade besök",
    "No unplaced visits.": "Inga oplacerade besök.",
    "Reason": "Orsak",
    "Visit": "Besök",
    "Date": "Datum",
    "Time": "Tid",
    "Window": "Tidsfönster",
    "Need": "Insats",
    "Distinct carers this month": "Olika personal denna månad",
    "Distinct carers per citizen": "Olika personal per brukare",
    "Cap": "Tak",
    "over the cap": "över taket",
    "at the cap": "vid taket",
    "{n} of {cap}": "{n} av {cap}",
    "{n} visits": "{n} besök",
    "{h} h": "{h} tim",
    "Off": "Ledig",
    "Shift": "Pass",
    "Open the day of {name}": "Öppna dagen för {name}",
    "Visits of the day": "Dagens besök",
    "No visits.": "Inga besök.",
    "Month overview: visits and working hours per carer and day.":
        "Månadsöversikt: besök och arbetstimmar per person och dag.",
    "Rota of {team}": "Schema för {team}",
    "Visits": "Besök",
    "Assigned": "Planerade",
    "Unplaced": "Oplacerade",
    "Travel": "Restid",
    "min": "min",
    # carer's day
    "Day of {name}": "Dagen för {name}",
    "Route": "Rutt",
    "Start": "Start",
    "End": "Slut",
    "Travel from the previous stop": "Restid från föregående stopp",
    "Leave the base": "Åk från basen",
    "Back at the base": "Tillbaka på basen",
    "Travel in all": "Restid totalt",
    "Not working this day.": "Arbetar inte denna dag.",
    "Previous day": "Föregående dag",
    "Next day": "Nästa dag",
    # citizen
    "Needs": "Insatser",
    "Weekdays": "Veckodagar",
    "Duration": "Längd",
    "Skills": "Kompetens",
    "Who comes when": "Vem kommer när",
    "Distinct carers": "Olika personal",
    "This month": "Denna månad",
    "Last month": "Förra månaden",
    "None": "Ingen",
    "Coming visits": "Kommande besök",
    "Carers met this month": "Personal som besökt denna månad",
    "times": "gånger",
    "Mon": "mån",
    "Tue": "tis",
    "Wed": "ons",
    "Thu": "tor",
    "Fri": "fre",
    "Sat": "lör",
    "Sun": "sön",
    "Monday": "måndag",
    "Tuesday": "tisdag",
    "Wednesday": "onsdag",
    "Thursday": "torsdag",
    "Friday": "fredag",
    "Saturday": "lördag",
    "Sunday": "söndag",
    # adjust
    "Sick call": "Sjukanmälan",
    "A carer is away": "Personal är borta",
    "From": "Från",
    "To": "Till",
    "Extra visit": "Extra besök",
    "Longer visit": "Längre besök",
    "New duration (minutes)": "Ny längd (minuter)",
    "Duration (minutes)": "Längd (minuter)",
    "Earliest start": "Tidigast start",
    "Latest start": "Senast start",
    "Hospital stay": "Sjukhusvistelse",
    "Save the change": "Spara ändringen",
    "Changes waiting for a re-plan": "Ändringar som väntar på omplanering",
    "No changes recorded.": "Inga ändringar registrerade.",
    "Remove": "Ta bort",
    "Start a re-plan": "Starta omplanering",
    "Re-plan preview": "Förhandsvisning av omplanering",
    "Moved visits": "Flyttade besök",
    "New faces": "Nya ansikten",
    "Kept": "Oförändrade",
    "Before": "Före",
    "After": "Efter",
    "Apply": "Genomför",
    "Discard": "Förkasta",
    "The re-plan was applied.": "Omplaneringen är genomförd.",
    "The re-plan was discarded.": "Omplaneringen är förkastad.",
    "The change was saved.": "Ändringen är sparad.",
    "forced": "tvingad",
    "not forced": "ej tvingad",
    "unplaced": "oplacerad",
    "new": "ny",
    "meets": "träffar",
    "Re-plan days": "Dagar att planera om",
    "Re-plan": "Omplanering",
    "Nothing to re-plan: record a change first.": "Inget att planera om: registrera en ändring först.",
    "Note": "Anteckning",
    "Type": "Typ",
    "Details": "Detaljer",
    "Status": "Status",
    # hand moves
    "Move the visit": "Flytta besöket",
    "Move": "Flytta",
    "Check the move": "Kontrollera flytten",
    "Save the move": "Spara flytten",
    "Pin": "Lås",
    "Unpin": "Lås upp",
    "New start": "Ny starttid",
    "New carer": "Ny personal",
    "Second carer": "Andra personal",
    "The move keeps every rule.": "Flytten håller alla regler.",
    "The move would break a rule:": "Flytten skulle bryta mot en regel:",
    "The move was refused:": "Flytten nekades:",
    "The move was saved.": "Flytten är sparad.",
    "The assignment is pinned.": "Besöket är låst.",
    "The assignment is unpinned.": "Besöket är upplåst.",
    "Assignment": "Tilldelning",
    "Current": "Nu",
    "Pinned visits never move in a re-plan.": "Låsta besök flyttas aldrig vid omplanering.",
    # the hard rules a hand move is checked against (app.replan.hand_move.RULES)
    "every carer must exist": "all personal måste finnas",
    "the visit needs its number of distinct carers": "besöket behöver sitt antal olika personal",
    "no carer on the citizen's avoid list": "ingen personal som brukaren inte vill ha",
    "every carer holds the visit's skills": "all personal har besökets kompetens",
    "the start lies inside the visit's time window": "starttiden ligger inom besökets tidsfönster",
    "the visit lies inside one of the carer's shifts that day":
        "besöket ligger inom ett av personalens pass den dagen",
    "the carer's route leaves room for travel (base, visits, base) without overlap":
        "personalens rutt ger tid för resor (bas, besök, bas) utan överlapp",
    "the citizen meets at most max_carers_per_month distinct carers in a calendar month":
        "brukaren möter högst taket av olika personal per kalendermånad",
    "a pinned assignment never moves (unpin it first)": "ett låst besök flyttas aldrig (lås upp det först)",
    "the visit must exist in the plan": "besöket måste finnas i planen",
    # plan runs
    "Start a plan": "Starta en planering",
    "First day": "Första dag",
    "Last day": "Sista dag",
    "Time limit (seconds)": "Tidsgräns (sekunder)",
    "Seed": "Slumpfrö",
    "Steps per team (blank: the time limit decides)": "Steg per team (tomt: tidsgränsen avgör)",
    "Start planning": "Starta planeringen",
    "Progress": "Förlopp",
    "Objective": "Målvärde",
    "Elapsed": "Förfluten tid",
    "{s} s": "{s} s",
    "Cancel": "Avbryt",
    "Compare with the accepted plan": "Jämför med den godkända planen",
    "Compare": "Jämför",
    "Accept this plan": "Godkänn planen",
    "No accepted plan for these dates yet: this would be the first.":
        "Ingen godkänd plan för de här datumen än: det här blir den första.",
    "The plan was accepted.": "Planen är godkänd.",
    "Figure": "Mått",
    "Draft": "Utkast",
    "Accepted plan": "Godkänd plan",
    "Difference": "Skillnad",
    "queued": "i kö",
    "running": "pågår",
    "done": "klar",
    "failed": "misslyckades",
    "cancelled": "avbruten",
    "cancelling": "avbryter",
    "ready": "klar att granska",
    "applied": "genomförd",
    "discarded": "förkastad",
    "stale": "inaktuell",
    "succeeded": "klar",
    "gathering": "sammanställer",
    "Created": "Skapad",
    "Finished": "Avslutad",
    "No plan runs yet.": "Inga planeringskörningar än.",
    "Run {n}": "Körning {n}",
    "Result": "Resultat",
    "Open": "Öppna",
    "Mean distinct carers per citizen and month": "Medel olika personal per brukare och månad",
    "Max distinct carers per citizen and month": "Max olika personal per brukare och månad",
    "Share of visits by the contact carer": "Andel besök av kontaktpersonen",
    "Travel minutes": "Restid i minuter",
    "Start-time spread (min)": "Spridning av starttid (min)",
    # audit
    "Pseudonymised: no names, only stable codes.": "Pseudonymiserat: inga namn, bara stabila koder.",
    "Figures per team and month": "Mått per arbetslag och månad",
    "National 14-day measure": "Nationella 14-dagarsmåttet",
    "Plan versus reality": "Plan jämfört med utfall",
    "Plan versus reality needs performed visits: none are imported for this month yet.":
        "Plan jämfört med utfall kräver utförda besök: inga är inlästa för den här månaden än.",
    "Worst cases": "Sämsta fallen",
    "Download the CSV": "Ladda ned CSV",
    "Download the HTML report": "Ladda ned HTML-rapporten",
    "Mean": "Medel",
    "Median": "Median",
    "Max": "Max",
    "Citizens over the cap": "Brukare över taket",
    "Show": "Visa",
    "All teams": "Alla arbetslag",
    "No figures yet: no plan or performed visits in this month.":
        "Inga mått än: ingen plan eller utförda besök denna månad.",
    "Planned": "Planerat",
    "Performed": "Utfört",
    "Citizens measured": "Mätta brukare",
    "Staff met in 14 days": "Personal på 14 dagar",
    "Distribution": "Fördelning",
    "Trend": "Utveckling",
    "Source": "Källa",
    # the team's own data: citizens, needs, carers, rosters, users
    "Active": "Aktiv",
    "Add": "Lägg till",
    "Add a carer": "Lägg till medarbetare",
    "Add a need": "Lägg till insats",
    "Add the need": "Lägg till insatsen",
    "Address": "Adress",
    "Birth year": "Födelseår",
    "Care ends from": "Insatserna upphör från",
    "Care ends from {date}": "Insatserna upphör från {date}",
    "Care instructions": "Instruktioner",
    "Care instructions shown to the carer": "Instruktioner som medarbetaren ser",
    "Carers to avoid": "Medarbetare att undvika",
    "Change from": "Ändra från",
    "Change from this date": "Ändra från detta datum",
    "Change record": "Ändringslogg",
    "Counts in the national 14-day measure": "Räknas i det nationella 14-dagarsmåttet",
    "Days": "Dagar",
    "Edit": "Redigera",
    "End (extra shift)": "Slut (extrapass)",
    "End employment": "Avsluta anställningen",
    "End from this date": "Avsluta från detta datum",
    "End the care": "Avsluta insatserna",
    "End the care from this date": "Avsluta insatserna från detta datum",
    "End the need": "Avsluta insatsen",
    "Ends from {date}": "Upphör från {date}",
    "Every N weeks": "Var N:e vecka",
    "Exceptions": "Avvikelser",
    "Hours a week": "Timmar per vecka",
    "How help is given": "Så ges hjälpen",
    "Import and export": "Importera och exportera",
    "Kind": "Slag",
    "Last day {date}": "Sista dag {date}",
    "Latitude": "Latitud",
    "Less than 11 hours' rest": "Mindre än 11 timmars dygnsvila",
    "Longitude": "Longitud",
    "Minutes": "Minuter",
    "Name": "Namn",
    "No": "Nej",
    "Yes": "Ja",
    "No carers yet.": "Inga medarbetare än.",
    "No changes recorded yet.": "Inga ändringar registrerade än.",
    "No citizens yet.": "Inga brukare än.",
    "No longer works here from": "Slutar här från",
    "No more visits from": "Inga fler besök från",
    "Notes": "Anteckningar",
    "Priority": "Prioritet",
    "Reason (kept for the team)": "Orsak (för arbetslaget)",
    "Record": "Uppgifter",
    "Register": "Registrera",
    "Register a citizen": "Registrera brukare",
    "Repeating pattern": "Återkommande schema",
    "Roster": "Arbetsschema",
    "Save": "Spara",
    "Save the roster from this date": "Spara schemat från detta datum",
    "Saved, but check the working-time rules": "Sparat, men kontrollera arbetstidsreglerna",
    "Skills (comma between)": "Kompetens (komma emellan)",
    "Standing needs": "Beviljade insatser",
    "Start (extra shift)": "Start (extrapass)",
    "Start between": "Start mellan",
    "Starts": "Börjar",
    "The carer": "Medarbetaren",
    "The citizen": "Brukaren",
    "Valid": "Gäller",
    "Valid from": "Gäller från",
    "Valid to": "Gäller till",
    "Weeks in the pattern": "Veckor i schemat",
    "What": "Vad",
    "What (insats)": "Vad (insats)",
    "When": "När",
    "Who": "Vem",
    "Working day over 13 hours": "Arbetsdag över 13 timmar",
    "Write each day's shifts like 07:00-12:00, 16:00-21:00; a break as 07:00-15:30 (11:00-13:00 30).":
        "Skriv dagens pass som 07:00-12:00, 16:00-21:00; en rast som 07:00-15:30 (11:00-13:00 30).",
    "break": "rast",
    "double staffing": "dubbelbemanning",
    "every {n} weeks": "var {n}:e vecka",
    "Users": "Användare",
    "What the sheet would do": "Det här skulle arket göra",
    "{new} new, {changed} changed, {ended} ended": "{new} nya, {changed} ändrade, {ended} avslutade",
    "Nothing was stored. Correct these cells and upload again:":
        "Inget sparades. Rätta de här cellerna och ladda upp igen:",
    "row {row}, column {column}": "rad {row}, kolumn {column}",
    "Store it": "Spara",
    "Upload a sheet": "Ladda upp ett kalkylark",
    "Sheet": "Ark",
    "Citizens and their needs": "Brukare och deras insatser",
    "Carers and their rosters": "Medarbetare och deras scheman",
    "File (CSV or XLSX)": "Fil (CSV eller XLSX)",
    "Changes take effect from": "Ändringar gäller från",
    "Check the sheet": "Kontrollera arket",
    "Download": "Ladda ner",
    "empty template": "tom mall",
    "Swedish": "svenska",
    "Create a login": "Skapa inloggning",
    "Role": "Roll",
    "Create": "Skapa",
    "deactivated": "avstängd",
    "New password (leave empty to keep)": "Nytt lösenord (lämna tomt för att behålla)",
    "Can log in": "Kan logga in",
    "Needs a re-plan": "Behöver planeras om",
    "These assignments of the plan in force no longer fit a change; the next re-plan covering their day "
    "plans them afresh.":
        "Dessa besök i gällande plan stämmer inte längre efter en ändring; nästa omplanering som täcker "
        "dagen planerar dem på nytt.",
    "Change": "Ändring",
    # words the records and forms show as values
    "moved": "flyttat",
    "deceased": "avliden",
    "nursing_home": "särskilt boende",
    "other": "annat",
    "leave": "ledighet",
    "course": "utbildning",
    "extra": "extrapass",
    "citizen": "brukare",
    "need": "insats",
    "carer": "medarbetare",
    "roster": "arbetsschema",
    "user": "användare",
    "created": "skapad",
    "changed": "ändrad",
    "ended": "avslutad",
    "imported": "importerad",
    "exception_leave": "ledighet",
    "exception_course": "utbildning",
    "exception_extra": "extrapass",
    "exception_removed": "avvikelse borttagen",
}
# fmt: on

WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "sv": (
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ),
}
CATALOGS: dict[str, dict[str, str]] = {"sv": SV, "en": {}}

Translator = Callable[..., str]


def translator(lang: str) -> Translator:
    catalog = CATALOGS.get(lang, {})

    def _(text: str, **values: Any) -> str:
        out = catalog.get(text, text)
        return out.format(**values) if values else out

    return _


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def month_name(lang: str, month: int) -> str:
    return MONTHS.get(lang, MONTHS["en"])[month - 1]


def format_date(lang: str, day: dt.date, *, weekday: bool = True) -> str:
    """ "Tue 1 Dec" / "tis 1 dec": short enough for a column head on a tablet."""
    _ = translator(lang)
    text = f"{day.day} {month_name(lang, day.month)[:3]}"
    return f"{_(WEEKDAYS_SHORT[day.weekday()])} {text}" if weekday else text
