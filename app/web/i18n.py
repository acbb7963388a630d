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
import re
from collections.abc import Callable, Mapping
from typing import Any

from app.audit.report import ChartWords

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LANG_COOKIE = "lang"

# fmt: off
SV: dict[str, str] = {
    "Who could take the visit?": "Vem kan ta besöket?",
    "Who could take it?": "Vem kan ta det?",
    "Now": "Nu",
    ("Best first: a carer the citizen already meets this month, the contact carer, "
     "fewest faces this month, then the least extra driving and the usual time. Every "
     "suggestion keeps every rule and the monthly cap; no other visit moves."):
        ("Bäst först: en medarbetare som brukaren redan träffar den här månaden, "
         "kontaktpersonen, minst antal olika medarbetare under månaden, sedan minst extra "
         "körtid och den vanliga tiden. Varje förslag håller alla regler och "
         "månadsgränsen; inget annat besök flyttas."),
    ("The visit is pinned: unpin it before giving it to someone else."):
        ("Besöket är låst: lås upp det innan du ger det till någon annan."),
    ("Nobody on the team can take the visit as the day stands: a re-plan may find room "
     "by moving other visits."):
        ("Ingen i arbetslaget kan ta besöket som dagen ser ut nu: en omplanering kan hitta "
         "plats genom att flytta andra besök."),
    "Faces this month": "Olika medarbetare denna månad",
    "Faces in 14 days": "Olika medarbetare på 14 dagar",
    "Extra driving (min)": "Extra körtid (min)",
    "From the usual time (min)": "Från den vanliga tiden (min)",
    "Choose": "Välj",
    "Who could come?": "Vem kan komma?",
    ("Nothing is saved yet. Save the extra visit on the adjust page; once the re-plan has placed it, its "
     "page offers these carers with one click."):
        ("Inget är sparat än. Spara extrabesöket på sidan för ändringar; när omplaneringen har lagt ut det "
         "erbjuder dess sida de här medarbetarna med ett klick."),
    "Where does {name} fit?": "Var passar {name} in?",
    "Weeks": "Veckor",
    "Look again": "Titta igen",
    ("Every visit of the period is planned already, or there is none: nothing to fit."):
        ("Alla besök under perioden är redan planerade, eller så finns inga: inget att passa in."),
    "Fits: all {n} visits, with {k} carers.": "Passar in: alla {n} besök, med {k} medarbetare.",
    "Does not fit: {m} of {n} visits have no carer free.":
        "Passar inte: {m} av {n} besök har ingen ledig medarbetare.",
    "Who would come": "Vem som skulle komma",
    "What does not fit, and why": "Vad som inte passar, och varför",
    "nobody in the team could": "ingen i arbetslaget kunde",
    "Where would the visits fit?": "Var passar besöken in?",
    "the new citizen": "den nya brukaren",
    "Nothing is saved: register the citizen and the needs to plan them.":
        "Inget sparas: registrera brukaren och insatserna för att planera dem.",
    "Carers in the period: {k}; the fewest the carers' shifts and skills allow: {b}.":
        "Olika medarbetare under perioden: {k}; så få som medarbetarnas pass och kompetenser tillåter: {b}.",
    "Other visits that move to make room": "Andra besök som flyttas för att ge plats",
    ("Each keeps its window, the skills, the avoid list, the shifts and the monthly cap; nobody meets a "
     "carer they do not already meet."):
        ("Varje besök håller sitt tidsfönster, kompetenserna, brukarens önskemål om medarbetare, passen och "
         "månadsgränsen; ingen brukare får en medarbetare som hen inte redan träffar."),
    "Plan the weeks from {date} with this proposal": "Planera veckorna från {date} med detta förslag",
    "A draft to review and accept on the run's page; nothing changes until then.":
        "Ett utkast att granska och godkänna på planeringens sida; inget ändras förrän dess.",
    "Where would the visits fit? Ask before registering": "Var passar besöken in? Fråga innan du registrerar",
    ("The position, the carers to avoid and these needs are weighed against the team's plan; nothing is "
     "saved."):
        ("Läget, medarbetarna som brukaren avböjer och dessa insatser vägs mot arbetslagets planering; "
         "inget sparas."),
    "Where would they fit?": "Var skulle besöken passa in?",
    "Propose contact carers": "Föreslå kontaktpersoner",
    "Contact carers": "Kontaktpersoner",
    ("A contact carer can only make the visits they have the skills for, are not avoided at and work at "
     "the time of. The proposal gives each citizen the contact carer who could make the most of their "
     "visits, with each carer holding a fair number of contact citizens (by contracted hours). Nothing "
     "changes until you choose."):
        ("En kontaktperson kan bara göra de besök hen har kompetens för, inte är avböjd hos och arbetar "
         "vid. Förslaget ger varje brukare den kontaktperson som kan göra flest av brukarens besök, och "
         "varje medarbetare får ett rättvist antal brukare (efter avtalad arbetstid). Inget ändras förrän "
         "du väljer."),
    "Visits the contact carer could make, today": "Besök som kontaktpersonen kan göra, i dag",
    "With the proposal": "Med förslaget",
    "Contact carer today": "Kontaktperson i dag",
    "Proposed": "Föreslagen",
    "Keep": "Behåll",
    "Save the chosen contact carers": "Spara de valda kontaktpersonerna",
    "The chosen contact carers are saved.": "De valda kontaktpersonerna är sparade.",
    "Why not the others": "Varför inte de andra",
    "met this month": "träffad denna månad",
    "lacks a skill the visit needs": "saknar en kompetens som insatsen kräver",
    "on the citizen's list of carers to avoid": "står på brukarens lista över medarbetare att undvika",
    "no shift at that time": "arbetar inte den tiden",
    "no room in the day as it stands": "ingen plats i dagens körlista som den ser ut nu",
    "no second carer free at the same time": "ingen andra medarbetare ledig samtidigt",
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
    "Plan runs": "Planering",
    "Continuity": "Kontinuitet",
    "Continuity dashboard": "Kontinuitetsöversikt",
    "Back": "Tillbaka",
    "member": "medarbetare",
    "coordinator": "planerare",
    "auditor": "kvalitetsuppföljare",
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
    "New password (at least 12 characters, not easy to guess)":
        "Nytt lösenord (minst 12 tecken, inte lätt att gissa)",
    "at least 12 characters": "minst 12 tecken",
    "Who looked at whom": "Vem har läst om vem",
    "Your visits": "Dina besök",
    "Your visits in week {week}": "Dina besök vecka {week}",
    "Your contact carer is {name}.": "Din kontaktperson är {name}.",
    "No visits are planned for you this week.": "Inga besök är planerade för dig den här veckan.",
    "For": "För",
    "Day": "Dag",
    "Who comes": "Vem kommer",
    "Times can move a little with the day's work. Call your team if something changes.":
        "Tiderna kan flytta sig lite efter dagens arbete. Ring ditt arbetslag om något ändras.",
    "Week letter": "Veckobrev",
    "Week letters": "Veckobrev",
    "week letter": "veckobrev",
    "route sheet": "körlista",
    "citizen list": "brukarlista",
    "citizen record": "brukarens ändringar",
    "citizen form": "brukarens uppgifter",
    "citizen sheet": "kalkylblad med brukare",
    "api citizen changes": "API: brukarens ändringar",
    "address list": "adresslista",
    "visit candidates": "vem kan ta besöket",
    "api visit candidates": "API: vem kan ta besöket",
    "citizen fit": "var brukaren passar in",
    "api citizen fit": "API: var brukaren passar in",
    "contact proposals": "förslag på kontaktpersoner",
    "api contact proposals": "API: förslag på kontaktpersoner",
    "api team changes": "API: teamets ändringar",
    "Write practical things only (keys, habits, what matters to the person): no diagnoses or other health "
    "details, which belong in the care records.":
        "Skriv bara praktiska saker (nycklar, vanor, vad som är viktigt för personen): inga diagnoser eller "
        "andra hälsouppgifter, de hör hemma i journalen.",
    "No diagnoses or other health details here: they belong in the care records.":
        "Inga diagnoser eller andra hälsouppgifter här: de hör hemma i journalen.",
    "Everything held about {name}": "Allt som finns sparat om {name}",
    "Everything held about the person": "Allt som finns sparat om personen",
    "Every stored row about this person, table by table, as of {when}. The same as JSON: {link}.":
        "Varje sparad rad om personen, tabell för tabell, per {when}. Samma sak som JSON: {link}.",
    "data export": "utlämnande av uppgifter",
    "Try again in a moment": "Försök igen om en stund",
    "The planner cannot reach its database just now. Nothing was changed.":
        "Planeraren når inte sin databas just nu. Inget har ändrats.",
    "the database is not reachable just now; nothing was changed, try again shortly":
        "databasen går inte att nå just nu; inget har ändrats, försök igen om en stund",
    "Every read of a citizen's personal data: who, when, which citizen, which page or endpoint, from which "
    "address. Nothing here can be changed or deleted.":
        "Varje läsning av en brukares personuppgifter: vem, när, vilken brukare, vilken sida eller tjänst "
        "och från vilken adress. Inget här kan ändras eller tas bort.",
    "Citizen (part of the name)": "Brukare (del av namnet)",
    "Everyone": "Alla",
    "User": "Användare",
    "Address": "Adress",
    "Download CSV": "Ladda ner CSV",
    "{n} reads": "{n} läsningar",
    "When": "När",
    "Read through": "Läst via",
    "Older reads": "Äldre läsningar",
    "rota": "schema",
    "carer day": "medarbetarens dag",
    "citizen page": "brukarens sida",
    "api citizens": "API: brukare",
    "api citizen": "API: brukare",
    "api visits": "API: besök",
    "api visit": "API: besök",
    "api needs": "API: insatser",
    "api need": "API: insats",
    "export instance": "export av teamets data",
    "Your password was set by someone else. Choose your own before you go on.":
        "Ditt lösenord har satts av någon annan. Välj ett eget innan du går vidare.",
    "Too many failed sign-ins: wait {seconds} seconds and try again.":
        "För många misslyckade inloggningar: vänta {seconds} sekunder och försök igen.",
    "Too many failed sign-ins: signing in is locked for {minutes} minutes. An admin can help if urgent.":
        "För många misslyckade inloggningar: inloggningen är spärrad i {minutes} minuter. En administratör "
        "kan hjälpa till om det är bråttom.",
    "too easy to guess: a well-known password, a common word with a year, or a simple pattern":
        "för lätt att gissa: ett välkänt lösenord, ett vanligt ord med ett årtal eller ett enkelt mönster",
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
    "Carers": "Medarbetare",
    "Citizens": "Brukare",
    "No teams yet.": "Inga arbetslag än.",
    "A new installation gets its teams, carers and citizens from an instance file (`homecare import "
    "FILE.json`, the exchange format) or through the API (POST /api/teams, see /docs); then each team's "
    "spreadsheets fill in the rest.":
        "En ny installation får sina arbetslag, medarbetare och brukare från en instansfil (`homecare import "
        "FIL.json`, utbytesformatet) eller genom API:t (POST /api/teams, se /docs); sedan fyller varje "
        "arbetslags kalkylblad i resten.",
    "Ask an admin to add you to your team.": "Be en administratör att lägga till dig i ditt arbetslag.",
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
    "Carer": "Medarbetare",
    "Citizen": "Brukare",
    "Contact carer": "Kontaktperson",
    "New face": "Ny för brukaren",
    "Pinned": "Låst",
    "Not pinned": "Inte låst",
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
    "Distinct carers this month": "Olika medarbetare denna månad",
    "Distinct carers per citizen": "Olika medarbetare per brukare",
    "Cap": "Gräns",
    "over the cap": "över gränsen",
    "at the cap": "vid gränsen",
    "{n} of {cap}": "{n} av {cap}",
    "{n} visits": "{n} besök",
    "{h} h": "{h} tim",
    "Off": "Ledig",
    "Shift": "Pass",
    "Open the day of {name}": "Öppna dagen för {name}",
    "Visits of the day": "Dagens besök",
    "No visits.": "Inga besök.",
    "Month overview: visits and working hours per carer and day.":
        "Månadsöversikt: besök och arbetstimmar per medarbetare och dag.",
    "Rota of {team}": "Schema för {team}",
    "Visits": "Besök",
    "Assigned": "Planerade",
    "Unplaced": "Oplacerade",
    "Travel": "Restid",
    "min": "min",
    # carer's day
    "Day of {name}": "Dagen för {name}",
    "Route": "Körlista",
    "Start": "Start",
    "End": "Slut",
    "Travel from the previous stop": "Restid från föregående stopp",
    "Leave the base": "Avfärd från gruppens lokal",
    "Back at the base": "Tillbaka på gruppens lokal",
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
    "Distinct carers": "Olika medarbetare",
    "This month": "Denna månad",
    "Last month": "Förra månaden",
    "None": "Ingen",
    "Coming visits": "Kommande besök",
    "Carers met this month": "Medarbetare som besökt denna månad",
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
    "A carer is away": "En medarbetare är borta",
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
    "New faces": "Nya för brukaren",
    "Kept": "Oförändrade",
    "Before": "Före",
    "After": "Efter",
    "Apply": "Genomför",
    "Discard": "Släng förslaget",
    "The re-plan was applied.": "Omplaneringen är genomförd.",
    "The re-plan was discarded.": "Förslaget till omplanering är slängt.",
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
    "New carer": "Ny medarbetare",
    "Second carer": "Andra medarbetare",
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
    "every carer must exist": "alla medarbetare måste finnas",
    "the visit needs its number of distinct carers": "besöket behöver sitt antal olika medarbetare",
    "no carer on the citizen's avoid list": "ingen medarbetare som brukaren har avböjt",
    "every carer holds the visit's skills": "alla medarbetare har besökets kompetens",
    "the start lies inside the visit's time window": "starttiden ligger inom besökets tidsfönster",
    "the visit lies inside one of the carer's shifts that day":
        "besöket ligger inom ett av medarbetarens pass den dagen",
    "the carer's route leaves room for travel (base, visits, base) without overlap":
        "medarbetarens körlista ger tid för resor (lokal, besök, lokal) utan överlapp",
    "the citizen meets at most max_carers_per_month distinct carers in a calendar month":
        "brukaren möter högst gränsen för olika medarbetare per kalendermånad",
    "a pinned assignment never moves (unpin it first)": "ett låst besök flyttas aldrig (lås upp det först)",
    "the visit must exist in the plan": "besöket måste finnas i planen",
    "a shift with a break window and a visit holds an unbroken break starting inside the window":
        "ett pass med rastfönster och besök har en obruten rast som börjar inom fönstret",
    "spaced visits start within their gap of each other":
        "besök med tidsavstånd börjar inom sitt avstånd från varandra",
    # plan runs
    "Start a plan": "Starta en planering",
    "First day": "Första dag",
    "Last day": "Sista dag",
    "Time limit (seconds)": "Tidsgräns (sekunder)",
    "Seed": "Slumpfrö",
    "Steps per team (blank: the time limit decides)": "Steg per arbetslag (tomt: tidsgränsen avgör)",
    "Start planning": "Starta planeringen",
    "Progress": "Förlopp",
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
    "discarded": "slängd",
    "stale": "inaktuell",
    "succeeded": "klar",
    "gathering": "sammanställer",
    "Created": "Skapad",
    "Finished": "Avslutad",
    "No plan runs yet.": "Inga planeringar än.",
    "Run {n}": "Planering {n}",
    "Cancel a visit": "Avbokning",
    # the adjust page's changes
    "Absence": "Frånvaro",
    "Kind of absence": "Typ av frånvaro",
    "Care of a sick child": "Vård av sjukt barn (VAB)",
    "Vacation": "Semester",
    "Training": "Utbildning",
    "Leave of absence": "Tjänstledighet",
    "Other absence": "Annan frånvaro",
    "The citizen cancels one visit; it is taken out of the plan at the re-plan.":
        "Brukaren avbokar ett besök; det tas bort ur planen vid omplaneringen.",
    "Visit at another time": "Flytta besökets tid",
    "Visits taken out (cancelled, citizen away)": "Besök som tas bort (avbokade, brukaren borta)",
    "Changes in this re-plan": "Ändringar i den här omplaneringen",
    "Stands in for": "Ersätter",
    "Substitute for {name}": "Vikarie för {name}",
    "Shift starts": "Passet börjar",
    "Shift ends": "Passet slutar",
    "Changed shift": "Ändrat pass",
    "Off the whole day": "Ledig hela dagen",
    "give the substitute's name": "skriv vikariens namn",
    "Substitute": "Vikarie",
    "Print the route": "Skriv ut körlistan",
    # the team's data pages (citizens, carers, roster): texts those pages use
    "Active": "Aktiv",
    "Add": "Lägg till",
    "Add a carer": "Lägg till en medarbetare",
    "Add a need": "Lägg till en insats",
    "Add the need": "Lägg till insatsen",
    "Birth year": "Födelseår",
    "Care ends from": "Hemtjänsten upphör från",
    "Care ends from {date}": "Hemtjänsten upphör från {date}",
    "Care instructions": "Instruktioner för insatsen",
    "Care instructions shown to the carer": "Instruktioner som medarbetaren ser",
    "Carers to avoid": "Medarbetare som brukaren avböjt",
    "Change from": "Ändra från",
    "Change from this date": "Ändra från detta datum",
    "Change record": "Ändringshistorik",
    "Counts in the national 14-day measure": "Räknas i det nationella 14-dagarsmåttet",
    "Days": "Dagar",
    "Edit": "Ändra",
    "End (extra shift)": "Slut (extrapass)",
    "End employment": "Avsluta anställningen",
    "End from this date": "Avsluta från detta datum",
    "End the care": "Avsluta hemtjänsten",
    "End the care from this date": "Avsluta hemtjänsten från detta datum",
    "End the need": "Avsluta insatsen",
    "Ends from {date}": "Upphör från {date}",
    "Every N weeks": "Var N:e vecka",
    "Exceptions": "Undantag",
    "Hours a week": "Timmar per vecka",
    "How help is given": "Hur hjälpen ges",
    "Import and export": "Import och export",
    "Kind": "Slag",
    "Last day {date}": "Sista dag {date}",
    "Latitude": "Latitud",
    "Less than 11 hours' rest": "Mindre än 11 timmars dygnsvila",
    "Longitude": "Longitud",
    "Minutes": "Minuter",
    "No": "Nej",
    "No carers yet.": "Inga medarbetare än.",
    "No changes recorded yet.": "Inga ändringar registrerade än.",
    "No citizens yet.": "Inga brukare än.",
    "No longer works here from": "Slutar arbeta här från",
    "No more visits from": "Inga fler besök från",
    "Notes": "Anteckningar",
    "Priority": "Prioritet",
    "Reason (kept for the team)": "Orsak (sparas för arbetslaget)",
    "Record": "Historik",
    "Register": "Registrera",
    "Register a citizen": "Registrera en brukare",
    "Repeating pattern": "Återkommande schema",
    "Roster": "Grundschema",
    "Save": "Spara",
    "Save the roster from this date": "Spara grundschemat från detta datum",
    "Saved, but check the working-time rules": "Sparat, men kontrollera arbetstidsreglerna",
    "Skills (comma between)": "Kompetens (komma mellan)",
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
    "Who": "Vem",
    "Working day over 13 hours": "Arbetsdag över 13 timmar",
    "Write each day's shifts like 07:00-12:00, 16:00-21:00; a break as 07:00-15:30 (11:00-13:00 30).":
        "Skriv dagens pass som 07:00-12:00, 16:00-21:00; en rast som 07:00-15:30 (11:00-13:00 30).",
    "Yes": "Ja",
    "break": "rast",
    "double staffing": "dubbelbemanning",
    "every {n} weeks": "var {n}:e vecka",
    # find and print
    "Print the day's routes": "Skriv ut dagens körlistor",
    "Find": "Sök",
    "Find a citizen or a carer by name": "Sök en brukare eller en medarbetare med namn",
    "Find a citizen or a carer": "Sök brukare eller medarbetare",
    "Nobody found.": "Ingen hittades.",
    "Print": "Skriv ut",
    "Practical notes": "Praktiska anteckningar",
    "Done": "Klart",
    "Nobody in the team works this day.": "Ingen i arbetslaget arbetar den här dagen.",
    "{n} of {total} visits": "{n} av {total} besök",
    "Hours / contract": "Timmar / avtal",
    "Hours on shift this week against the hours of the contract; the visits within them":
        "Timmar i pass den här veckan mot avtalets timmar; besökens tid inom dem",
    "h": "tim",
    "visits {h} h": "besök {h} tim",
    "Result": "Resultat",
    "Open": "Öppna",
    "Mean distinct carers per citizen and month": "Medel olika medarbetare per brukare och månad",
    "Max distinct carers per citizen and month": "Flest olika medarbetare per brukare och månad",
    "Share of visits by the contact carer": "Andel besök av kontaktpersonen",
    "Travel minutes": "Körtid i minuter",
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
    "Citizens over the cap": "Brukare över gränsen",
    "Show": "Visa",
    "All teams": "Alla arbetslag",
    "No figures yet: no plan or performed visits in this month.":
        "Inga mått än: ingen plan eller utförda besök denna månad.",
    "Planned": "Planerat",
    "Performed": "Utfört",
    "Citizens measured": "Mätta brukare",
    "Staff met in 14 days": "Medarbetare som brukaren möter på 14 dagar",
    "Distribution": "Fördelning",
    "Trend": "Utveckling",
    "Source": "Källa",
    # audit: why a month shows no figures
    "No accepted plan covers this month for these teams yet.":
        "Ingen godkänd plan täcker den här månaden för de här arbetslagen än.",
    "No performed visits are imported for this month yet.":
        "Inga utförda besök är inlästa för den här månaden än.",
    "The plans in force place no visits in this month.":
        "De gällande planerna har inga besök den här månaden.",
    "Choose a month like {example}; showing this month instead.":
        "Välj en månad som {example}; den här månaden visas i stället.",
    # why a citizen is not measured in a 14-day period (app.audit.national.REASONS)
    "Not measured, and why": "Inte mätta, och varför",
    "no birth year": "födelseår saknas",
    "under 65": "under 65 år",
    "recorded absence": "registrerad frånvaro",
    "a day without visits (away)": "en dag utan besök (bortrest)",
    "fewer than two counted visits on some day": "färre än två räknade besök någon dag",
    # audit charts (app.audit.report.ChartWords)
    "calendar month": "kalendermånad",
    "14-day period": "14-dagarsperiod",
    "cap": "gräns",
    "distinct carers met by one citizen": "olika medarbetare som en brukare möter",
    "citizens × periods": "brukare × perioder",
    "month": "månad",
    "14-day period starting": "14-dagarsperiod från",
    "mean distinct carers": "medel olika medarbetare",
    "mean distinct carers / month": "medel olika medarbetare per månad",
    "planned": "planerat",
    "performed": "utfört",
    "all teams": "alla arbetslag",
    # the audit's HTML report (app/web/templates/report/audit.html.j2)
    "from performed visits": "från utförda besök",
    "from performed visits where a team has any, else from its plan":
        "från utförda besök där arbetslaget har sådana, annars från dess plan",
    "from a plan": "från en plan",
    "{first} to {last}": "{first} till {last}",
    "generated {when}": "skapad {when}",
    "citizen and carer ids are pseudonymised (keyed HMAC-SHA256)":
        "brukarnas och medarbetarnas koder är pseudonymiserade (nyckelad HMAC-SHA256)",
    "visits ({rows} carer-visits)": "besök ({rows} medarbetarbesök)",
    "citizens · {carers} carers": "brukare · {carers} medarbetare",
    "mean distinct carers / citizen / month": "medel olika medarbetare per brukare och månad",
    "median {median}, p90 {p90}, max {max}": "median {median}, p90 {p90}, max {max}",
    "mean distinct carers / 14 days": "medel olika medarbetare per 14 dagar",
    "share of visits by the contact carer": "andel besök av kontaktpersonen",
    "citizen-months over the cap of {cap}": "brukarmånader över gränsen {cap}",
    "Start-time spread per need (SD of start times across days, mean over citizen×need):":
        "Spridning av starttid per insats (standardavvikelse mellan dagarna, medel över brukare × insats):",
    "New faces: {visits} visits ({share}) brought a carer the citizen had not met before.":
        "Nya för brukaren: {visits} besök ({share}) gav brukaren en medarbetare som hen inte mött förut.",
    "Trend per team": "Utveckling per arbetslag",
    "mean / month": "medel per månad",
    "max / month": "max per månad",
    "mean / 14 d": "medel per 14 dagar",
    "contact share": "andel kontaktperson",
    "new-face visits": "besök av nya för brukaren",
    "Different staff a recipient aged 65+ with at least two visits every day meets in 14 days (visits "
    "07:00–22:00; safety alarms, meal deliveries and home-health nursing excluded; recipients away any day "
    "excluded).":
        "Antal olika medarbetare som en brukare 65 år eller äldre med minst två besök varje dag möter på "
        "14 dagar (besök 07:00–22:00; trygghetslarm, matleveranser och hemsjukvård räknas inte; brukare "
        "som är borta någon dag räknas inte).",
    "mean staff met ({n} recipient-periods)": "medel antal medarbetare ({n} brukarperioder)",
    "share meeting more than 20": "andel som möter fler än 20",
    "period": "period",
    "measured": "mätta",
    "share > 20": "andel > 20",
    "planned visits": "planerade besök",
    "performed as planned (same carers)": "utförda som planerat (samma medarbetare)",
    "performed by other carers": "utförda av andra medarbetare",
    "… of which brought a carer not planned for the citizen that month":
        "… varav gav brukaren en medarbetare som inte var planerad för hen den månaden",
    "started more than 15 min off the planned time": "började mer än 15 min från planerad tid",
    "planned but not performed": "planerade men inte utförda",
    "performed without a plan": "utförda utan plan",
    "mean distinct carers / month: planned → performed":
        "medel olika medarbetare per månad: planerat → utfört",
    "citizen-months with more carers than planned (extra carers in all)":
        "brukarmånader med fler medarbetare än planerat (extra medarbetare totalt)",
    "carers added": "tillkomna medarbetare",
    "Some teams are counted from their plans, so plan and reality are not compared here; choose one team, "
    "or the source Performed.":
        "Några arbetslag räknas från sina planer, så plan och utfall jämförs inte här; välj ett arbetslag, "
        "eller källan Utfört.",
    "Standard minutes versus real need": "Schablonminuter jämfört med verkligt behov",
    "planned min (mean)": "planerade min (medel)",
    "performed min (mean)": "utförda min (medel)",
    "within ±5 min": "inom ±5 min",
    "difference p10 / median / p90": "skillnad p10 / median / p90",
    "Where the standard package does not fit the person ({n} citizen × need):":
        "Där schablonen inte passar personen ({n} brukare × insats):",
    "median difference (min)": "medianskillnad (min)",
    "Worst cases and why": "Sämsta fallen och varför",
    "Cap breaches and the visits that caused them": "Över gränsen, och besöken som gjorde det",
    "carers over the cap (first visit)": "medarbetare över gränsen (första besöket)",
    "{carer} at {at}": "{carer} {at}",
    "No citizen met more than {cap} different carers in a calendar month.":
        "Ingen brukare mötte fler än {cap} olika medarbetare under en kalendermånad.",
    "Figures are counted as the shared verify_plan.py counts them (calendar months; 14-day periods from "
    "{anchor}). See docs/AUDIT.md for every definition.":
        "Måtten räknas som det gemensamma verify_plan.py räknar dem (kalendermånader; 14-dagarsperioder "
        "från {anchor}). Se docs/AUDIT.md för varje definition.",
    "share of visits within ±5 min of the planned (standard) minutes":
        "andel besök inom ±5 min från planerade (schablon)minuter",
    "median {difference} min": "median {difference} min",
    "team {team}": "arbetslag {team}",
    "month {month}": "månad {month}",
    "Continuity audit": "Kontinuitetsgranskning",
    "all teams, all months": "alla arbetslag, alla månader",
    "Performed where there are any, else planned": "Utfört där det finns, annars planerat",
    # glossary and the help line of each page
    "Words": "Ordlista",
    "Name": "Namn",
    "Words used in the planner": "Ord i planeraren",
    "Help": "Hjälp",
    "Term": "Ord",
    "Meaning": "Betydelse",
    "A person who receives home care.": "En person som får hemtjänst.",
    "A person in the team who makes the visits.": "En person i arbetslaget som gör besöken.",
    "The carer who knows the citizen best and should make as many of their visits as possible.":
        "Den medarbetare som känner brukaren bäst och bör göra så många av brukarens besök som möjligt.",
    "What the citizen has been granted, such as morning care or a shower, on given weekdays and times.":
        "Det brukaren har beviljats, till exempel morgonhjälp eller dusch, på vissa veckodagar och tider.",
    "One carer's visits of one day in order, with the travel between them: what the carer takes along.":
        "En medarbetares besök under en dag i tur och ordning, med restiden mellan dem: det medarbetaren "
        "tar med sig.",
    "A visit that needs two carers at the same time, for example with a lift.":
        "Ett besök som kräver två medarbetare samtidigt, till exempel vid lyft.",
    "A carer reports sick; their visits are given to others in a re-plan.":
        "En medarbetare sjukanmäler sig; besöken läggs på andra vid en omplanering.",
    "A carer who stands in for a few days and is added to the team for them.":
        "En medarbetare som hoppar in några dagar och läggs till i arbetslaget för dem.",
    "A visit the citizen cancels; it is taken out of the plan.":
        "Ett besök som brukaren avbokar; det tas bort ur planen.",
    "The person who plans the team's visits and makes the daily changes.":
        "Den som planerar arbetslagets besök och gör dagens ändringar.",
    "A carer the citizen has not met before in the last two months: the visit is marked with a star.":
        "En medarbetare som brukaren inte har träffat de senaste två månaderna: besöket märks med en "
        "stjärna.",
    "The share of the citizen's visits made by their contact carer.":
        "Andelen av brukarens besök som görs av kontaktpersonen.",
    "The most different carers a citizen may meet in a calendar month; the planner keeps within it.":
        "Det högsta antalet olika medarbetare en brukare får möta under en kalendermånad; planeraren håller "
        "sig inom den.",
    "The national measure: how many different carers a citizen aged 65 or more with visits every day "
    "meets in 14 days.":
        "Det nationella måttet: hur många olika medarbetare en brukare som är 65 år eller äldre och har "
        "besök varje dag möter på 14 dagar.",
    "A pinned visit keeps its carer and time when the plan is made again.":
        "Ett låst besök behåller sin medarbetare och tid när planen görs om.",
    "A carer's working hours on a day.": "En medarbetares arbetstid en dag.",
    "Contact-person share": "Kontaktpersonens andel",
    "Different carers per month": "Olika medarbetare per månad",
    "Limit per month": "Gräns per månad",
    # the help line of each page
    "Your teams: open a team's rota to see who goes where.":
        "Dina arbetslag: öppna ett arbetslags schema för att se vem som går vart.",
    "The team's rota: each row is a carer, each block a visit. Green is the contact carer, a star a carer "
    "new to the citizen. Click a name for the carer's route of the day.":
        "Arbetslagets schema: varje rad är en medarbetare, varje block ett besök. Grönt är kontaktpersonen, "
        "en stjärna en medarbetare som är ny för brukaren. Klicka på ett namn för medarbetarens körlista.",
    "The carer's route of the day in order, with travel times, addresses and the citizens' practical notes.":
        "Medarbetarens körlista för dagen i tur och ordning, med restider, adresser och brukarnas praktiska "
        "anteckningar.",
    "The citizen's needs, who comes when, and how many different carers they meet this month against the "
    "team's limit.":
        "Brukarens insatser, vem som kommer när och hur många olika medarbetare brukaren möter denna månad "
        "jämfört med arbetslagets gräns.",
    "One visit: who makes it and when. You can move it to another carer or time; it is checked against "
    "every rule first.":
        "Ett besök: vem som gör det och när. Du kan flytta det till en annan medarbetare eller tid; flytten "
        "kontrolleras mot alla regler först.",
    "Record today's changes (sick calls, cancellations, substitutes and more), then re-plan: you see a "
    "preview and apply it or throw it away.":
        "Registrera dagens ändringar (sjukanmälningar, avbokningar, vikarier med mera) och planera sedan om: "
        "du ser ett förslag och genomför det eller slänger det.",
    "The re-plan's proposal: which visits move, who is new to a citizen, what could not be placed. Nothing "
    "changes until you apply it.":
        "Omplaneringens förslag: vilka besök som flyttas, vem som är ny för en brukare, vad som inte kunde "
        "läggas ut. Inget ändras förrän du genomför det.",
    "Plan a period: the planner places every visit of the period with as few different carers per citizen "
    "as it can, within the team's limit. You look at the result and accept it before it is in force.":
        "Planera en period: planeraren lägger ut periodens alla besök med så få olika medarbetare per "
        "brukare som möjligt, inom arbetslagets gräns. Du granskar resultatet och godkänner det innan det "
        "gäller.",
    "The new plan beside the plan in force: an arrow up is better, down is worse.":
        "Den nya planen bredvid den gällande: pil upp är bättre, pil ned sämre.",
    "Continuity for the teams you follow up: the national measure first, then the figures per team. "
    "Citizens are shown as codes, never by name.":
        "Kontinuitet för arbetslagen du följer upp: det nationella måttet först, sedan måtten per "
        "arbetslag. Brukare visas som koder, aldrig med namn.",
    "What the words on the pages mean.": "Vad orden på sidorna betyder.",
    "Find a citizen or a carer by name in your teams.":
        "Sök en brukare eller en medarbetare i dina arbetslag med namn.",
    # planning a period in care terms (runs, run, compare)
    "Plan the period": "Planera perioden",
    "Continuity setting: at most {cap} different carers per citizen and month.":
        "Kontinuitetsinställning: högst {cap} olika medarbetare per brukare och månad.",
    "Advanced": "Avancerat",
    "Continuity against driving time": "Kontinuitet mot körtid",
    "Fewer faces": "Färre ansikten",
    "Balanced": "Balanserat",
    "Shorter driving time": "Kortare körtid",
    "Face budget: {n}": "Högst {n} ansikten",
    "Each team's own": "Varje arbetslags egen",
    "The team's own runs of {period}, one row per setting:":
        "Arbetslagets egna planeringar för {period}, en rad per inställning:",
    "Driving hours a week": "Körtimmar i veckan",
    "Runs": "Planeringar",
    "One more carer per citizen a month saves about {h} hours of driving a week.":
        "En medarbetare till per brukare och månad sparar ungefär {h} timmar körtid i veckan.",
    "In these runs more carers per citizen saved no driving: the fewest faces cost no extra driving time.":
        "I de här planeringarna sparade fler medarbetare per brukare ingen körtid: färre ansikten kostar "
        "ingen extra körtid.",
    ("The settings gave almost the same number of carers per citizen: these runs cannot say what one more "
     "saves in driving."):
        ("Inställningarna gav nästan lika många medarbetare per brukare: de här planeringarna kan inte säga "
         "vad en till sparar i körtid."),
    "Not enough runs to say yet: the curve needs runs of at least two settings over the same period.":
        "För få planeringar för att säga något än: det behövs planeringar med minst två inställningar för "
        "samma period.",
    ("A quick sweep plans {period} once with each setting not yet run ({names}), {s} seconds each; the "
     "drafts fill in the table."):
        ("En snabb jämförelse planerar {period} en gång med varje inställning som inte prövats ({names}), "
         "{s} sekunder var; förslagen fyller i tabellen."),
    "Start a quick sweep": "Starta en snabb jämförelse",
    "Different carers per citizen and month (mean)": "Olika medarbetare per brukare och månad (medel)",
    "{setting}: {faces} different carers per citizen and month, {hours} driving hours a week":
        "{setting}: {faces} olika medarbetare per brukare och månad, {hours} körtimmar i veckan",
    "The accepted plan ({setting}): {faces} carers, {hours} hours a week.":
        "Den godkända planeringen ({setting}): {faces} medarbetare, {hours} timmar i veckan.",
    "Each point is a setting the team has run; the table below holds the same figures.":
        "Varje punkt är en inställning som arbetslaget har prövat; tabellen nedan har samma siffror.",
    "The ring marks the plan the team accepted ({setting}).":
        "Ringen visar planeringen som arbetslaget godkände ({setting}).",
    "quick sweep": "snabb jämförelse",
    "The quick sweep has started: one short run for each setting, listed below.":
        "Den snabba jämförelsen har startat: en kort planering per inställning, listade nedan.",
    "National measure, 14 days: draft / accepted now": "Nationellt mått, 14 dagar: förslaget / gällande nu",
    "Before you accept: the national 14-day measure": "Innan du godkänner: det nationella 14-dagarsmåttet",
    ("Different staff a citizen aged 65 or over, with help every day, meets in 14 days: what the "
     "municipality reports, counted as the audit counts it."):
        ("Antal olika medarbetare som en brukare över 65 år med hjälp varje dag möter på 14 dagar: det "
         "kommunen redovisar, räknat som i uppföljningen."),
    "This draft": "Det här förslaget",
    "The accepted plan now": "Den godkända planeringen nu",
    "{mean} on average ({share} met more than 20; {n} measured)":
        "{mean} i genomsnitt ({share} mötte fler än 20; {n} mätta)",
    "nobody can be measured": "ingen kan mätas",
    "no accepted plan yet": "ingen godkänd planering än",
    "If you accept": "Om du godkänner",
    "{n} fewer staff per citizen in 14 days": "{n} färre medarbetare per brukare på 14 dagar",
    "{n} more staff per citizen in 14 days": "{n} fler medarbetare per brukare på 14 dagar",
    "the same as now": "samma som nu",
    "The team's setting: {name}": "Arbetslagets inställning: {name}",
    "the team's setting": "arbetslagets inställning",
    "The team's setting, for runs that choose none": "Arbetslagets inställning, när planeringen inte väljer",
    "Save the team's setting": "Spara arbetslagets inställning",
    "The team's continuity setting is saved: runs that choose none plan with it.":
        "Arbetslagets kontinuitetsinställning är sparad: planeringar som inte väljer något planeras med den.",
    "Only for those who want to repeat a plan exactly or give the planner more time.":
        "Bara för den som vill göra om en planering exakt eller ge planeraren mer tid.",
    "Plans made": "Gjorda planeringar",
    "Period": "Period",
    "Visits placed": "Utlagda besök",
    "Visits not placed": "Besök som inte kunde läggas ut",
    "{n} of {total}": "{n} av {total}",
    "Faces per citizen (mean / most)": "Medarbetare per brukare (medel / flest)",
    "Faces per citizen and month (mean)": "Medarbetare per brukare och månad (medel)",
    "Faces per citizen and month (most)": "Medarbetare per brukare och månad (flest)",
    "Driving hours": "Körtid (timmar)",
    "National measure: staff met in 14 days (mean)":
        "Nationella måttet: medarbetare som brukaren möter på 14 dagar (medel)",
    "The planning stopped with an error. Try again; if it happens again, ask the administrator.":
        "Planeringen avbröts av ett fel. Försök igen; händer det igen, kontakta administratören.",
    # the team's own data: citizens, needs, carers, rosters, users
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
    "An address from the team's sheets brings its position: pick it from the list, and leave latitude and "
    "longitude empty to take its position.":
        "En adress från teamets kalkylark har sin position: välj den i listan och lämna latitud och longitud "
        "tomma för att ta dess position.",
    "corrected": "rättad",
    "deleted": "borttagen",
    "shift_added": "pass tillagt",
    "shift_changed": "pass ändrat",
    "shift_removed": "pass borttaget",
    # the optional rules: how a carer gets about, the break, spaced needs, priorities
    "Gets about": "Färdsätt",
    "car": "bil",
    "walk": "gång",
    "bike": "cykel",
    "Break": "Rast",
    "Break window": "Rastfönster",
    "Break starts at the earliest": "Rasten börjar tidigast",
    "Break starts at the latest": "Rasten börjar senast",
    "Break (minutes)": "Rast (minuter)",
    "The route leaves no room for the break.": "Körlistan lämnar ingen tid för rasten.",
    "Spaced from another need": "Tidsavstånd till en annan insats",
    "Starts after": "Börjar efter",
    "At least (minutes after it ends)": "Minst (minuter efter att den slutat)",
    "At most (minutes after it ends)": "Högst (minuter efter att den slutat)",
    "{minutes} min after {need}": "{minutes} min efter {need}",
    "must": "måste",
    "should": "bör",
    "may wait": "kan vänta",
    "Unplaced visits per priority": "Oplacerade besök per prioritet",
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

# The standard needs and skills by the words home care uses for them; a team's own kinds show as written.
NEED_NAMES: dict[str, dict[str, str]] = {
    "sv": {"morning": "Morgonhjälp", "lunch": "Lunch", "evening": "Kvällshjälp", "shower": "Dusch",
           "medication": "Läkemedel", "extra": "Extra insats", "night": "Nattillsyn", "shopping": "Inköp",
           "cleaning": "Städning", "meal": "Måltid", "supervision": "Tillsyn", "walk": "Promenad"},
    "en": {"morning": "Morning care", "lunch": "Lunch", "evening": "Evening care", "shower": "Shower",
           "medication": "Medication", "extra": "Extra visit", "night": "Night check", "shopping": "Shopping",
           "cleaning": "Cleaning", "meal": "Meal", "supervision": "Check-in", "walk": "Walk"},
}
SKILL_NAMES: dict[str, dict[str, str]] = {
    "sv": {"medication": "läkemedelsdelegering", "lift": "lyft", "dementia": "demensvård",
           "palliative": "palliativ vård", "insulin": "insulindelegering", "catheter": "kateter"},
    "en": {"medication": "medication delegation", "lift": "lifting", "dementia": "dementia care",
           "palliative": "palliative care", "insulin": "insulin delegation", "catheter": "catheter"},
}


def need_name(lang: str, kind: str) -> str:
    return NEED_NAMES.get(lang, {}).get(kind, kind)


def skill_name(lang: str, skill: str) -> str:
    return SKILL_NAMES.get(lang, {}).get(skill, skill)


# The trade's words: what Swedish home care calls the things the pages show. Tests compare every Swedish
# text against these: each concept's label uses its word, and no text uses a word the trade does not.
TRADE_WORDS: dict[str, str] = {
    "citizen": "brukare",
    "carer": "medarbetare",
    "contact carer": "kontaktperson",
    "need": "insats",
    "route": "körlista",
    "two carers": "dubbelbemanning",
    "sick call": "sjukanmälan",
    "substitute": "vikarie",
    "cancellation": "avbokning",
    "absence": "frånvaro",
    "coordinator": "planerare",
    "team": "arbetslag",
    "visit": "besök",
    "shift": "pass",
    "rota": "schema",
    "break": "rast",
    "priority": "prioritet",
    "walk": "gång",
    "bike": "cykel",
    "car": "bil",
}
# Words that are not the trade's, each with the word to use instead.
NOT_THE_TRADES: dict[str, str] = {
    "personal": "medarbetare",  # "Personal" is the staff as a whole, never one person
    "samordnare": "planerare",
    "granskare": "kvalitetsuppföljare",
    "rutt": "körlista",
    "basen": "gruppens lokal",
    "förkasta": "släng",
    "nytt ansikte": "ny för brukaren",
    "nya ansikten": "nya för brukaren",
    "tak": "gräns",
    "taket": "gränsen",
    "körning": "planering",
    "planeringskörningar": "planering",
}
# The label of each concept on the pages (English key), with the trade word its Swedish text must hold.
CONCEPT_LABELS: dict[str, str] = {
    "Citizen": "citizen", "Citizens": "citizen", "Carer": "carer", "Carers": "carer",
    "Contact carer": "contact carer", "Need": "need", "Needs": "need", "Route": "route",
    "Two carers": "two carers", "Sick call": "sick call", "Substitute": "substitute",
    "Cancel a visit": "cancellation", "coordinator": "coordinator", "Team": "team", "Visit": "visit",
    "Shift": "shift", "Rota": "rota", "New carer": "carer", "Print the route": "route",
    "Break": "break", "Break window": "break", "Priority": "priority", "walk": "walk", "bike": "bike",
    "car": "car",
}
# English words that must never show on a Swedish page (the browser crawl looks for them).
ENGLISH_WORDS = ("the", "and", "with", "carer", "carers", "citizen", "visit", "visits", "morning", "evening",
                 "shower", "medication", "skill", "day", "cap", "draft", "plan version", "is before",
                 "not found", "unplaced", "objective", "seed", "contact carer", "brought", "avoid list")

# When a reason names the day: "day 12" (a plan's day index) or "Thu 10 Dec" (as stored for a coordinator).
_WHEN = r"(?P<when>day \d+|\w{3} \d{1,2} \w{3})"
_SV_WEEKDAYS = dict(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                        ("mån", "tis", "ons", "tor", "fre", "lör", "sön"), strict=True))
_SV_MONTHS = dict(zip(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
                      ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
                      strict=True))


def _when_sv(when: str) -> str:
    """'day 12' -> 'den dagen' (the page shows the date beside it); 'Thu 10 Dec' -> 'tor 10 dec'."""
    parts = when.split()
    if len(parts) == 3 and parts[0] in _SV_WEEKDAYS:
        return f"{_SV_WEEKDAYS[parts[0]]} {parts[1]} {_SV_MONTHS.get(parts[2], parts[2])}"
    return "den dagen"


# What keeps a carer the citizen already has from a visit (solver/reasons.py, why_not_this_carer).
_CARER_OBSTACLES_SV = ((" has room the plan left unused", " har tid som planen lämnade oanvänd"),
                       (" has no room", " har inte tid"), (" is not on shift", " arbetar inte"),
                       (" may not come", " får inte komma"), (" and ", " och "))


def _carers_sv(carers: str) -> str:
    """'C2 has no room and C4 is not on shift' -> 'C2 har inte tid och C4 arbetar inte'."""
    for en, sv in _CARER_OBSTACLES_SV:
        carers = carers.replace(en, sv)
    return carers


# The final check's words for a missing break and a broken spacing (solver/check.py), alone (a refused hand
# move) or as the reason a visit was dropped.
_RANGE, _LEAST = r"(?P<lo>\d+)-(?P<hi>\d+)", r"at least (?P<lo>\d+)"
RULE_MESSAGES = [
    (r"(?P<who>.+?) gets no unbroken (?P<d>\d+)-minute break starting (?P<w>\S+) in the shift (?P<s>\S+) "
     r"on (?:day \d+|\w{3} \d{1,2} \w{3})",
     "{who} får ingen obruten rast på {d} minuter med start {w} under passet {s}"),
    *((rf"starts (?P<gap>-?\d+) min after (?P<other>.+?) ends, outside the spacing of {gap} min",
       f"börjar {{gap}} min efter att {{other}} slutar, utanför tidsavståndet {sv} min")
      for gap, sv in ((_RANGE, "{lo}–{hi}"), (_LEAST, "minst {lo}"))),
    *((rf"ends (?P<gap>-?\d+) min before (?P<other>.+?) starts, outside the spacing of {gap} min",
       f"slutar {{gap}} min före {{other}}, utanför tidsavståndet {sv} min")
      for gap, sv in ((_RANGE, "{lo}–{hi}"), (_LEAST, "minst {lo}"))),
]

# Machine messages (the planner's reasons, the services' refusals, the audit's explanations) as the reader
# reads them: each pattern's named groups fill the Swedish text. A message is translated part by part
# (parts end at "; "). What no pattern knows stays as it is.
MESSAGE_PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), sv) for p, sv in [
    # a spreadsheet's cells (app.services.team_data.sheets), the value quoted as the sheet had it
    (r"^(?P<v>'.*') is not a time$", "{v} är inte en tid"),
    # the new-citizen form's question where the needs would fit (app.web.pages_candidates)
    (r"^choose at least one day$", "välj minst en dag"),
    (r"^the latest start is before the earliest$", "senaste start är före tidigaste start"),
    (r"^give minutes as a whole number$", "ange minuter som ett heltal"),
    (r"^between 5 and 480 minutes, ending within the day$", "mellan 5 och 480 minuter, slut samma dag"),
    (r"^name at least one need to ask where it fits$", "ange minst en insats för att fråga var den passar"),
    (r"^type the position as latitude and longitude$", "ange läget som latitud och longitud"),
    (r"^latitude -90\.\.90, longitude -180\.\.180$", "latitud -90..90, longitud -180..180"),
    (r"^(?P<v>'.*') is not a whole number$", "{v} är inte ett heltal"),
    (r"^(?P<v>'.*') is not a number$", "{v} är inte ett tal"),
    (r"^(?P<v>'.*') is not a date like (?P<ex>\S+)$", "{v} är inte ett datum som {ex}"),
    (r"^(?P<v>'.*') is not yes or no$", "{v} är inte ja eller nej"),
    (r"^team \d+ is being planned by job (?P<j>\d+)$", "arbetslaget planeras redan (planering {j})"),
    (r"^wait for it or cancel it$", "vänta tills den är klar eller avbryt den"),
    (r"^every setting already has a run for this period: nothing to sweep$",
     "varje inställning har redan en planering för perioden: inget att jämföra"),
    (r"^someone else changed this meanwhile .*$", "någon annan har ändrat detta under tiden"),
    (r"^reload and try again$", "ladda om sidan och försök igen"),
    (r"^unknown continuity setting (?P<v>'.*'): choose .*$",
     "{v} är ingen kontinuitetsinställning: välj färre ansikten, balanserat eller kortare körtid"),
    (r"^(?P<v>'.*') is not a weekday \(.*\)$", "{v} är inte en veckodag (mån..sön)"),
    (r"^(?P<v>'.*') is not a shift like .*$",
     "{v} är inte ett pass som 07:00-15:30 eller 07:00-15:30 (11:00-13:00 30)"),
    (r"^(?P<v>'.*'): write the break as .*$", "{v}: skriv rasten som (11:00-13:00 30)"),
    (r"^(?P<v>'.*'): the break does not fit within the shift$", "{v}: rasten ryms inte i passet"),
    (r"^(?P<v>'.*') ends before or when it starts$", "{v} slutar innan eller när det börjar"),
    (r"^unknown column$", "okänd kolumn"),
    (r"^the column is missing$", "kolumnen saknas"),
    (r"^the file is empty$", "filen är tom"),
    (r"^the file cannot be read as CSV \(UTF-8\) or XLSX: (?P<e>.*)$",
     "filen kan inte läsas som CSV (UTF-8) eller XLSX: {e}"),
    (r"^differs from row (?P<n>\d+) \((?P<v>.*)\)$", "skiljer sig från rad {n} ({v})"),
    (r"^unknown carer (?P<v>'.*')$", "okänd medarbetare {v}"),
    (r"^(?P<v>'.*') is another team's citizen$", "{v} är brukare i ett annat arbetslag"),
    (r"^(?P<v>'.*') is another team's carer$", "{v} är medarbetare i ett annat arbetslag"),
    (r"^the contact carer cannot be on the avoid list$",
     "kontaktpersonen kan inte vara en medarbetare som brukaren har avböjt"),
    (r"^give moved, deceased, nursing_home or other$",
     "ange moved (flyttat), deceased (avliden), nursing_home (särskilt boende) eller other (annat)"),
    (r"^a need's columns are filled in but not its name$", "insatsens kolumner är ifyllda men inte insatsen"),
    (r"^unknown skill (?P<v>'.*') \(no carer of the team has it\)$",
     "okänd kompetens {v} (ingen medarbetare i arbetslaget har den)"),
    (r"^give the week of the pattern \(1\.\.6\) for these shifts$", "ange schemats vecka (1..6) för passen"),
    (r"^week (?P<w>\S+) is outside the pattern's (?P<n>\d+) weeks$",
     "vecka {w} ligger utanför schemats {n} veckor"),
    (r"^shifts (?P<a>\S+) and (?P<b>\S+) overlap$", "passen {a} och {b} överlappar"),
    (r"^give the date of the exception$", "ange avvikelsens datum"),
    (r"^(?P<d>[\d-]+) is before today$", "{d} har redan varit"),
    (r"^exceptions are kept from today on$", "avvikelser sparas från i dag"),
    (r"^(?P<v>'.*') is not leave, course or extra$", "{v} är inte ledighet, utbildning eller extrapass"),
    (r"^give leave, course or extra$", "ange ledighet, utbildning eller extrapass"),
    (r"^one extra shift per row$", "ett extrapass per rad"),
    (r"^the carer does not work here on (?P<d>\S+)$", "medarbetaren arbetar inte här {d}"),
    (r"^the carer is off on (?P<d>\S+) \(row (?P<n>\d+)\)$", "medarbetaren är ledig {d} (rad {n})"),
    (r"^overlaps the shift (?P<s>\S+) of the roster$", "överlappar passet {s} i schemat"),
    (r"^overlaps the shift (?P<s>\S+) of row (?P<n>\d+)$", "överlappar passet {s} på rad {n}"),
    (r"^an extra shift needs start and end$", "ett extrapass behöver start och slut"),
    (r"^leave and courses take the whole day: give no start or end$",
     "ledighet och utbildning gäller hela dagen: ange ingen start eller slut"),
    (r"^needs (?P<n>\d+) carers$", "kräver {n} medarbetare (dubbelbemanning)"),
    (r"^no carer in team (?P<team>.+) has (skill (?P<skills>.+)|the right skills)$",
     "ingen medarbetare i arbetslaget har rätt kompetens{skills_sv}"),
    (rf"^no carers? with (skill (?P<skills>.+)|the right skills) on shift (?P<span>\S+) on {_WHEN}$",
     "ingen medarbetare med rätt kompetens{skills_sv} arbetar {span} {when_sv}"),
    (r"^every carers? with (skill (?P<skills>.+)|the right skills) on shift (?P<span>\S+) "
     r"is on (?P<who>.+)'s avoid list$",
     "alla medarbetare med rätt kompetens{skills_sv} som arbetar {span} är avböjda av {who}"),
    (r"^no carers? with (skill (?P<skills>.+)|the right skills) can reach (?P<who>.+) and be back at base "
     r"within a shift (?P<span>\S+)$",
     "ingen medarbetare med rätt kompetens{skills_sv} hinner till {who} och tillbaka inom passet {span}"),
    (r"^the (?P<cap>\d+)-carer cap for (?P<who>.+) in (?P<month>\w+) (?P<year>\d+) is reached "
     r"and none of the \d+ is free (?P<span>\S+)$",
     "gränsen på {cap} medarbetare för {who} är nådd den månaden och ingen av dem är ledig {span}"),
    (rf"^the (?P<cap>\d+)-carer cap for (?P<who>.+) in (?P<month>\w+) (?P<year>\d+) is reached: "
     rf"its carers? this month: (?P<carers>.+) (?P<span>\d\d:\d\d-\d\d:\d\d) on {_WHEN}, "
     r"and no other carer may come$",
     "gränsen på {cap} medarbetare för {who} är nådd den månaden: {carers_sv} {span} {when_sv}, "
     "och ingen annan medarbetare får komma"),
    (rf"^no carers? with (skill (?P<skills>.+)|the right skills) free (?P<span>\S+) on {_WHEN} "
     r"\(all routes are full(, with each shift's break kept (?P<pauses>.+?))?(?P<close>\))?$",
     "ingen medarbetare med rätt kompetens{skills_sv} är ledig {span} {when_sv} (alla körlistor är fulla"
     "{pauses_sv}{close}"),
    (r"^start (?P<lo>\S+)-(?P<hi>\S+) instead of (?P<a>\S+)-(?P<b>\S+) to keep its spacing from another "
     r"visit(?P<close>\))?$",
     "start {lo}–{hi} i stället för {a}–{b} för att hålla tidsavståndet till ett annat besök{close}"),
    (r"^planning stopped before this team was planned$",
     "planeringen stoppades innan arbetslaget planerades"),
    (r"^not placed$", "inte utlagt"),
    (r"^no complete 14-day period in the data$", "ingen hel 14-dagarsperiod i underlaget"),
    (r"^no birth years given: .*$",
     "inga födelseår angivna: ingen kan mätas (måttet gäller brukare 65 år och äldre)"),
    *((rf"^{pre}{rule}$", f"{sv_pre}{sv}") for rule, sv in RULE_MESSAGES
      for pre, sv_pre in (("dropped by the final check: ", "togs bort vid slutkontrollen: "), ("", ""))),
    (r"^dropped by the final check: (?P<why>.+)$", "togs bort vid slutkontrollen: {why}"),
    (r"^over the cap of (?P<cap>\d+) by (?P<n>\d+)$", "{n} fler än gränsen på {cap} medarbetare"),
    (r"^plan had (?P<p>\d+) carers, reality added (?P<n>\d+)$",
     "planen hade {p} medarbetare; i verkligheten kom {n} till"),
    (r"^contact carer made (?P<pct>\d+)% of (?P<n>\d+) visits$",
     "kontaktpersonen gjorde {pct} % av {n} besök"),
    (r"^(?P<n>\d+) visits? brought a carer not met before$",
     "{n} besök med en medarbetare som var ny för brukaren"),
    (r"^(?P<k>\d+) of (?P<n>\d+) carers came only once$", "{k} av {n} medarbetare kom bara en gång"),
    (r"^(?P<end>\S+) \((?P<d1>[\d-]+)\) is before (?P<start>\S+) \((?P<d0>[\d-]+)\)$",
     "sista dagen ({d1}) är före första dagen ({d0})"),
    (r"^a plan covers at most (?P<max>\d+) days; .* is (?P<n>\d+)$",
     "en planering omfattar högst {max} dagar; den här är {n}"),
    (r"^time_limit must be between 0 and (?P<max>\d+) seconds$",
     "tidsgränsen ska vara mellan 0 och {max} sekunder"),
    (r"^steps must be between 1 and (?P<max>\d+)$", "antalet steg ska vara mellan 1 och {max}"),
    (r"^'(?P<v>.*)' is not a date$", "”{v}” är inget datum"),
    (r"^(?:date |month )?'(?P<v>.*)': a date between (?P<a>[\d-]+) and (?P<b>[\d-]+)$",
     "”{v}”: ange ett datum mellan {a} och {b}"),
    (r"^a date between (?P<a>[\d-]+) and (?P<b>[\d-]+)$", "ange ett datum mellan {a} och {b}"),
    (r"^'(?P<v>.*)' is not a time like 07:30$", "”{v}” är ingen tid som 07:30"),
    (r"^'(?P<v>.*)' is not a time of day$", "”{v}” är ingen tid på dygnet"),
    (r"^(?P<d>[\d-]+) is outside the plan \((?P<a>[\d-]+) – (?P<b>[\d-]+)\)$",
     "{d} ligger utanför planen ({a} – {b})"),
    (r"^choose one from the list$", "välj en i listan"),
    (r"^needs role .*$", "din roll räcker inte"),
    (r"^date '(?P<v>.*)' is not a date like (?P<ex>\S+)$", "”{v}” är inget datum som {ex}"),
    (r"^give the substitute's name$", "skriv vikariens namn"),
    (r"^no such visit that day$", "det finns inget sådant besök den dagen"),
    (r"^to_day \((?P<b>\d+)\) is before from_day \((?P<a>\d+)\)$", "till-datumet är före från-datumet"),
    (r"^window ends \((?P<b>\d+)\) before it starts \((?P<a>\d+)\)$", "tidsfönstret slutar innan det börjar"),
    (r"^.*(?:is|are) busy.*$", "arbetslaget planeras redan just nu; vänta tills den planeringen är klar"),
    (r"^the run has no plan yet$", "planeringen har ingen plan än"),
    (r"^(?P<what>.+) not found$", "finns inte"),
    (r"^Field required$", "måste fyllas i"),
    (r"^Input should be a valid integer.*$", "ska vara ett heltal"),
    (r"^Input should be a valid number.*$", "ska vara ett tal"),
    (r"^Input should be greater than or equal to (?P<n>\S+)$", "ska vara minst {n}"),
    (r"^Input should be less than or equal to (?P<n>\S+)$", "ska vara högst {n}"),
    (r"^Input should be greater than (?P<n>\S+)$", "ska vara större än {n}"),
]]


# Form fields by the names a refusal gives them (the last part of its path), as the forms label them.
FIELD_LABELS = {
    "start": "First day", "end": "Last day", "time_limit": "Time limit (seconds)", "seed": "Seed",
    "steps": "Steps per team (blank: the time limit decides)",
    "continuity": "Continuity against driving time", "date_from": "From", "date_to": "To",
    "from_day": "From", "to_day": "To", "date": "Date", "day": "Date", "carer": "Carer", "citizen": "Citizen",
    "need": "Need", "earliest": "Earliest start", "latest": "Latest start", "duration": "Duration (minutes)",
    "carers": "Carers", "carers_needed": "Carers", "visit": "Visit", "shifts": "Shift", "month": "Month",
    "team": "Team", "password": "Password",
    "new_password": "New password (at least 12 characters, not easy to guess)",
    "current_password": "Current password", "reason": "Note", "name": "Name", "kind": "Type",
    "travel_mode": "Gets about", "priority": "Priority", "spaced_from_id": "Starts after",
    "min_gap": "At least (minutes after it ends)", "max_gap": "At most (minutes after it ends)",
    "break_earliest": "Break starts at the earliest", "break_latest": "Break starts at the latest",
    "break_minutes": "Break (minutes)",
}


def field_label(lang: str, path: str | None) -> str:
    """The label of the field a refusal names ("changes.0.to_day" -> "To"), or "" for none we know."""
    plain_path = str(path or "").replace("[", ".").replace("]", "")
    parts = [p for p in plain_path.split(".") if p and not p.isdigit()]
    for part in reversed(parts):
        if part in FIELD_LABELS:
            return translator(lang)(FIELD_LABELS[part])
    return ""


def say_message(lang: str, msg: str, names: dict[str, str] | None = None) -> str:
    """A machine message for the reader: internal ids replaced by names (`names`: id -> name), and in
    Swedish each part translated by MESSAGE_PATTERNS."""
    if names:
        msg = re.sub(r"[\w.-]+", lambda m: names.get(m.group(0), m.group(0)), msg)
    if lang != "sv":
        return msg
    parts = []
    for part in msg.split("; "):
        for pattern, sv in MESSAGE_PATTERNS:
            m = pattern.match(part)
            if m:
                values = {k: v or "" for k, v in m.groupdict().items()}
                named = values.get("skills", "").split(",")
                skills = [skill_name(lang, x.strip()) for x in named if x.strip()]
                values["skills_sv"] = f" ({', '.join(skills)})" if skills else ""
                values["when_sv"] = _when_sv(values.get("when", ""))
                pauses = values.get("pauses")
                values["pauses_sv"] = f", med varje pass rast {pauses}" if pauses else ""
                values["carers_sv"] = _carers_sv(values.get("carers", ""))
                part = sv.format(**values)
                break
        else:
            part = SV.get(part, part)
        parts.append(part)
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] if msg[:1].isupper() else text

Translator = Callable[..., str]


def translator(lang: str) -> Translator:
    catalog = CATALOGS.get(lang, {})

    def _(text: str, **values: Any) -> str:
        out = catalog.get(text, text)
        return out.format(**values) if values else out

    return _


def report_words(lang: str, names: Mapping[str, str] | None = None) -> ChartWords:
    """The audit's charts and report in the reader's words: labels, machine messages, need names, the
    decimal mark; teams by name where `names` (external id -> name) knows them."""
    return ChartWords(say=translator(lang), names=dict(names or {}), decimal=decimal_mark(lang),
                      message=lambda text: say_message(lang, text), need=lambda kind: need_name(lang, kind),
                      lang=lang)


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def decimal_mark(lang: str) -> str:
    return "," if lang == "sv" else "."


def format_number(lang: str, value: float | None, digits: int = 1) -> str:
    """A figure as the reader writes it: "4,5" and "12 345" in Swedish, "4.5" and "12,345" in English; a
    dash for none. Whole numbers stay whole."""
    if value is None:
        return "—"
    whole = isinstance(value, int) or float(value).is_integer() and digits == 0
    text = f"{round(value):,}" if whole else f"{value:,.{digits}f}"
    if lang != "sv":
        return text
    if whole and abs(value) < 10_000:  # Swedish groups digits from five on
        return text.replace(",", "")
    return text.replace(",", "\u00a0").replace(".", ",")


def format_share(lang: str, value: float | None) -> str:
    """A share 0..1 as a whole percentage: "37 %" (Swedish writes a space before the sign)."""
    if value is None:
        return "—"
    return f"{round(value * 100)} %" if lang == "sv" else f"{round(value * 100)}%"


def month_name(lang: str, month: int) -> str:
    return MONTHS.get(lang, MONTHS["en"])[month - 1]


def period_name(lang: str, start: dt.date, end: dt.date) -> str:
    """A plan's period as teams say it: "v. 49–52" for whole weeks (Monday to Sunday), else the dates
    ("1 dec – 27 dec")."""
    if start.weekday() == 0 and end.weekday() == 6 and end >= start:
        first, last = start.isocalendar().week, end.isocalendar().week
        prefix = "v." if lang == "sv" else "weeks" if first != last else "week"
        return f"{prefix} {first}" if first == last else f"{prefix} {first}–{last}"
    return f"{format_date(lang, start, weekday=False)} – {format_date(lang, end, weekday=False)}"


def format_date(lang: str, day: dt.date, *, weekday: bool = True) -> str:
    """ "Tue 1 Dec" / "tis 1 dec": short enough for a column head on a tablet."""
    _ = translator(lang)
    text = f"{day.day} {month_name(lang, day.month)[:3]}"
    return f"{_(WEEKDAYS_SHORT[day.weekday()])} {text}" if weekday else text
