"""Deterministic synthetic business documents for leaktrace benchmarks.

Everything here is generated from a small hand-written grammar and a seeded
``random.Random``; only the standard library is used.  The same seed always
yields the same text, on every platform and Python version that keeps the
``random`` module's seeding stable for ``str`` seeds (3.2 and later).

Public functions:

* ``make_document(seed, n_words)`` - one memo-like Markdown document.
* ``make_same_topic_text(seed, n_words, topic_of)`` - an unrelated text that
  shares the organisation, places and subject nouns of document ``topic_of``
  but none of its sentences (a "same topic" negative).
* ``make_corpus(n_docs, n_words, seed=0)`` - ``n_docs`` documents.

The documents deliberately carry the kinds of surface features that a text
marking tool can vary: contractions next to spelled-out forms, small numbers
as words and digits, three-item lists with and without the serial comma,
optional "that" after reporting verbs, toward/towards, e-mail/email,
hyphenated compounds, em dashes, possessives, quotations, figures and names.

Run ``python bench/corpus.py`` to print a sample and overlap statistics.
"""

from __future__ import annotations

import random
import re
import sys
import time

__all__ = ["make_document", "make_same_topic_text", "make_corpus"]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated block into a tuple of stripped entries."""
    return tuple(w.strip() for w in text.replace("\n", "|").split("|") if w.strip())


_FIRST = _words("""
Abena|Adaeze|Ahmed|Aiko|Alejandro|Alina|Amadou|Anouk|Arjun|Astrid|Babajide|Beatrix|Benedikt|Bilal|Bronwen|
Camille|Catalina|Chiara|Cormac|Dagny|Daniela|Darius|Delphine|Desmond|Dilnoza|Dominika|Efua|Eilidh|Emil|Enzo|
Esme|Eun-ji|Ewan|Fabian|Farah|Felipe|Folake|Freya|Gabriel|Gideon|Giulia|Gwen|Hakim|Halima|Hannes|Helga|Hiroshi|
Ifeoma|Ilse|Imogen|Ingrid|Isaac|Jacinta|Jakob|Jamila|Jarrah|Jia|Joaquin|Jude|Kalinda|Kasia|Kenji|Khadija|Kieran|
Kwame|Lachlan|Laila|Leopold|Lior|Lorcan|Lucinda|Mads|Magnus|Malak|Manon|Marisol|Marta|Mehmet|Mirela|Moana|Morwenna|
Nadim|Naledi|Nasrin|Nikolai|Nneka|Odile|Olamide|Olivier|Orla|Otto|Pania|Pilar|Rania|Rashid|Reuben|Rhiannon|Rohan|
Rowan|Ruairi|Rukmini|Sabine|Samir|Seren|Shira|Siddharth|Sigrid|Simone|Solveig|Stellan|Sunita|Tadhg|Tahmina|Teodor|
Thandiwe|Thea|Tobias|Ulrike|Valeria|Vidar|Wairimu|Yannick|Yasmin|Yevgenia|Zanele|Zeynep|Zoran
""")

_LAST = _words("""
Abiodun|Aldridge|Amundsen|Appiah|Armitage|Bakshi|Balogun|Barrington|Belmonte|Bergstrom|Birchall|Bondarenko|
Brightwater|Calloway|Castellane|Cavendish|Chakraborty|Ciobanu|Coulter|Dalgleish|Danjuma|Dervish|Dobrev|Drummond|
Eastwood|Egorova|Elsworth|Fagerlund|Falconer|Fennimore|Fonseca|Gathii|Goldfinch|Gorecki|Greenhalgh|Hadfield|
Halvorsen|Hargreaves|Hashemi|Hollingsworth|Ibekwe|Ingleby|Jaramillo|Jessop|Kamara|Karlsson|Kettleborough|Khoury|
Kinsella|Laidlaw|Langridge|Lemaitre|Llewellyn|Lombardi|Macaulay|Maclennan|Makinde|Marchetti|Mayhew|Mistry|
Montague|Nakashima|Navarro|Nettleton|Nyambura|Oduya|Ogunleye|Okonkwo|Ostrowski|Pakenham|Papadakis|Pennington|
Quartey|Rajapaksa|Ravensworth|Redgrave|Renwick|Rinaldi|Rothwell|Sandoval|Schofield|Sekibo|Shackleton|Silvestri|
Sinclair|Somerville|Strand|Szabo|Takahashi|Tennant|Thistlethwaite|Tomlinson|Trevethan|Uchenna|Vandermeer|
Villanueva|Wachowski|Wetherall|Whittaker|Winterbourne|Wolstenholme|Yardley|Yoshida|Zamora|Zubiri
""")

_PLACE_HEAD = _words("""
Ash|Alder|Amble|Bark|Beck|Birch|Black|Bram|Brack|Bright|Broad|Brook|Burn|Cal|Cold|Corn|Crag|Cross|Dal|Dun|
East|Elm|Fair|Fen|Fern|Ford|Glen|Gold|Grey|Hale|Hallow|Harrow|Haw|Heath|High|Holm|Kes|Kirk|Lang|Lark|Lea|
Lin|Long|Mar|Marsh|Mead|Mill|Moor|Nether|North|Oak|Orm|Pen|Pit|Quarry|Raven|Red|Rock|Rush|Salt|Sand|Shep|
Silver|South|Stall|Stan|Stone|Thorn|Wake|Wal|West|Whit|Willow|Wold|Wren|Yar
""")

_PLACE_TAIL = _words("""
bridge|bury|by|caster|combe|cote|dale|den|don|field|ford|gate|ham|hampton|haven|hill|holme|hurst|ing|ley|
mere|minster|mouth|ness|port|stead|stoke|thorpe|ton|wick|well|wold|worth|stow|burgh|brook|lock|more
""")

_PLACE_SUFFIX = ("", "", "", "", " Valley", " Vale", " Bay", " Cross", " Green", " Heath", " Park")

_ROLES = _words("""
head of operations|finance director|programme manager|chief executive|head of procurement|
operations manager|head of customer services|chief engineer|project lead|head of people|
head of estates|commercial director|planning manager|head of digital|compliance officer|
head of communications|deputy director|site manager|risk manager|chair of the board|
contracts manager|lead surveyor|data protection officer|transformation lead|senior planner|
programme sponsor|estates manager|fleet manager|network manager|quality lead|safety adviser|
customer experience lead|facilities manager|head of finance|training manager|scheduling lead|
works manager|asset manager|engagement lead|commercial analyst
""")

_DEPTS = _words("""
finance|procurement|estates|operations|engineering|customer services|communications|legal|
planning|facilities|digital|HR|health and safety|audit|transport|asset management|contracts|
data|training|payroll
""")

_CODEWORDS = _words("""
Amber|Anvil|Aurora|Basalt|Beacon|Bellwether|Bramble|Caravel|Catkin|Cinder|Compass|Coppice|Cormorant|Dovetail|
Driftwood|Ember|Falcon|Fieldfare|Flint|Foxglove|Gannet|Garnet|Halyard|Harbour|Heron|Juniper|Kestrel|Keystone|
Kingfisher|Lantern|Larch|Lodestar|Meridian|Merlin|Millstone|Nightjar|Obsidian|Osprey|Pennant|Pinewood|Plover|
Quill|Redwing|Ridgeway|Rowan|Saltire|Sandpiper|Sextant|Skylark|Sorrel|Spindle|Starling|Tamarisk|Teasel|
Thistle|Tidewater|Timber|Vellum|Waymark|Wayfarer|Whinchat|Wicket|Yarrow|Zephyr
""")

# Each domain: (sector words for organisation names, topic nouns, programme names).
_DOMAINS = (
    (("Water", "Water Services", "Water Authority"),
     _words("""trunk main|pumping station|reservoir|treatment plant|service reservoir|water main|valve chamber|
     booster pump|flow meter|pressure zone|borehole|storage tank|sewer|outfall|hydrant|pipe bridge|filter bed|
     chlorination unit|customer connection|leak detector|sludge press|intake screen"""),
     _words("""network renewal|mains replacement programme|leakage reduction plan|metering rollout|
     resilience scheme|treatment upgrade""")),
    (("Rail", "Railways", "Light Rail"),
     _words("""signal box|level crossing|platform|train depot|rolling stock unit|track section|footbridge|
     ticket office|station canopy|siding|points machine|overhead line|carriage|driver roster|lineside cabinet|
     maintenance shed|station car park|passenger lift|timetable slot|signalling relay|ballast wagon"""),
     _words("""resignalling project|station upgrade|timetable recast|depot modernisation|
     track renewal programme|accessibility scheme""")),
    (("Health Trust", "Hospitals", "Community Health"),
     _words("""ward|outpatient clinic|operating theatre|discharge lounge|pharmacy|patient record|triage desk|
     ambulance bay|scanner|diagnostic suite|nurse rota|clinical system|waiting list|appointment slot|
     day unit|consulting room|blood analyser|bed board|infusion pump|records store|maternity suite"""),
     _words("""electronic records migration|theatre refurbishment|outpatient redesign|bed capacity review|
     diagnostics expansion|discharge improvement plan""")),
    (("Schools Trust", "Learning Partnership", "College"),
     _words("""classroom|science lab|exam centre|sports hall|school library|boarding house|reading corner|
     lesson plan|catchment area|admissions round|school bus|canteen|staff room|music block|playground|
     governors' report|pupil tracker|reading scheme|art studio|pastoral plan|parents' evening"""),
     _words("""estates renewal|curriculum review|admissions reform|building programme|
     digital classroom project|transport review""")),
    (("Housing", "Homes", "Housing Association"),
     _words("""tenancy|housing estate|boiler|roof repair|void property|passenger lift|communal area|
     tenant survey|damp inspection|kitchen replacement|heating system|estate office|door entry system|window unit|
     fire door|rent account|sheltered scheme|garage block|cladding panel|repairs hotline|stairwell"""),
     _words("""decent homes programme|retrofit scheme|repairs contract renewal|estate regeneration|
     fire safety programme|heating replacement plan""")),
    (("Port Authority", "Logistics", "Freight"),
     _words("""berth|gantry crane|container yard|loading bay|forklift|pallet|shipping lane|customs check|
     bonded warehouse|delivery route|trailer|dock gate|cold store|freight contract|tug|quay wall|
     reefer plug|weighbridge|straddle carrier|cargo manifest|pilot boat"""),
     _words("""quay extension|yard automation project|gate modernisation|cold chain expansion|
     berth deepening scheme|customs systems upgrade""")),
    (("Digital", "Systems", "Technology Services"),
     _words("""server|data centre|firewall|user account|backup job|software release|code repository|
     service desk|network switch|software licence|cloud tenancy|login portal|integration layer|database cluster|
     monitoring alert|test environment|access token|virtual desktop|patch cycle|storage array|wireless point"""),
     _words("""cloud migration|platform consolidation|identity project|network refresh|
     service desk transformation|data centre exit""")),
    (("Transit", "Buses", "Transport"),
     _words("""bus route|bus garage|fleet vehicle|charging point|bus shelter|driver rota|ticket machine|
     interchange|fare zone|real-time display|bus lane|depot yard|wash bay|route map|school service|
     night service|vehicle inspection|passenger count|layover point|timing point|electric bus"""),
     _words("""fleet electrification|network redesign|fares review|depot rebuild|
     bus priority scheme|ticketing upgrade""")),
    (("Energy", "Power", "Networks"),
     _words("""substation|transformer|feeder cable|solar array|battery store|wind turbine|smart meter|
     grid connection|switchgear|control room|pylon|cable joint|generator set|protection relay|
     heat network|load forecast|outage plan|voltage regulator|inverter|pole-mounted unit|ring main"""),
     _words("""grid reinforcement|smart metering programme|substation rebuild|storage pilot|
     heat network extension|cable replacement scheme""")),
    (("District Council", "Borough Council", "County Council"),
     _words("""library branch|community centre|leisure centre|recycling point|car park|public park|
     planning application|council tax account|grit bin|street light|bin lorry|allotment site|market hall|
     register office|youth club|cemetery|parking permit|noise complaint|footpath|public toilet|museum store"""),
     _words("""services review|waste contract retender|libraries strategy|town centre plan|
     highways programme|customer access project""")),
    (("Foods", "Markets", "Retail Group"),
     _words("""store|checkout|chiller cabinet|distribution centre|supplier contract|product line|stockroom|
     delivery van|shelf plan|loyalty scheme|bakery counter|click-and-collect point|price label|promotion|
     till system|freezer unit|returns desk|stock count|own-brand range|picking list|trolley bay"""),
     _words("""store refit programme|range review|supply chain redesign|self-checkout rollout|
     loyalty relaunch|distribution consolidation""")),
    (("Engineering", "Manufacturing", "Components"),
     _words("""production line|assembly cell|hydraulic press|paint shop|welding robot|tooling set|batch|
     quality check|inspection bay|spare part|furnace|conveyor|machining centre|test rig|component drawing|
     shift pattern|scrap bin|stores cage|calibration record|lathe|packing station"""),
     _words("""line automation|plant consolidation|lean programme|tooling replacement|
     quality improvement plan|factory extension""")),
    (("Mutual", "Insurance", "Building Society"),
     _words("""policy file|claim|underwriting rule|premium|renewal notice|broker panel|claims queue|call centre|
     loss report|savings account|mortgage offer|branch|complaint file|fraud check|member survey|
     pricing model|payment run|reinsurance treaty|policy wording|direct debit|customer portal"""),
     _words("""claims platform replacement|branch network review|pricing overhaul|
     member services redesign|core systems migration|complaints improvement plan""")),
    (("University", "Institute", "Research Centre"),
     _words("""laboratory|research grant|lecture theatre|student residence|doctoral programme|seminar room|
     microscope|archive|field station|ethics application|teaching timetable|clean room|reading room|
     research contract|enrolment record|exam board|studio space|sample freezer|visitor scheme|library loan"""),
     _words("""campus masterplan|research systems project|laboratory refurbishment|estates rationalisation|
     student services review|timetabling overhaul""")),
)

_NOUNS = _words("""
budget|schedule|contract|survey|inspection|report|review|audit|forecast|proposal|timetable|workshop|briefing|
consultation|framework|dashboard|procedure|policy|roadmap|milestone|risk register|business case|tender|invoice|
vehicle|depot|warehouse|office|site|shift|rota|training course|handbook|checklist|
database|spreadsheet|licence|permit|complaint|board paper|
pilot|trial|upgrade|backlog|target|metric|baseline|estimate|quotation|order|delivery|shipment|spare part|
generator|sensor|meter|valve|pump|cable|laptop|phone line|helpdesk|ticket|incident|outage|repair|
maintenance window|handover|approval|variation|claim|grant|saving|contingency|reserve|allowance|
vacancy|appointment|secondment|apprenticeship|graduate scheme|press release|newsletter|town hall meeting|staff forum|rollout|cutover|
design review|site visit|progress report|lessons log|service level|work package|purchase order|price list|
fleet|stock check|skills matrix|job description|pay scale|pension scheme|floor plan|lease|car park|
data set|access card|risk assessment|method statement|incident report|call script|escalation route|
sign-off|follow-up meeting|cost code|payment plan|benefit case|asset register|
fuel card|site compound|traffic plan|noise survey|condition survey|carbon report|energy bill|water bill|
waste collection|security patrol|fire drill|first-aid kit|stores request|parts list|
""")

# People and groups: used as subjects and partners, never as objects of physical verbs.
_GROUPS = _words("""
contractors|suppliers|partners|area managers|site leads|planners|surveyors|inspectors|auditors|advisers|
consultants|volunteers|engineers|analysts|apprentices|team leaders|supervisors|shift leads|trade unions|
local councillors|residents' groups|customer panels|project sponsors|line managers|duty managers
""")

_IRREGULAR_PLURALS = {
    "policy": "policies", "delivery": "deliveries", "quality check": "quality checks",
    "facility": "facilities", "entry": "entries", "batch": "batches", "switch": "switches",
    "sign-off": "sign-offs", "town hall meeting": "town hall meetings", "bus": "buses",
    "electric bus": "electric buses", "data set": "data sets", "lease": "leases",
    "passenger count": "passenger counts", "parents' evening": "parents' evenings",
    "staff room": "staff rooms", "pole-mounted unit": "pole-mounted units",
}

_ADJ = _words("""
new|existing|current|revised|outdated|temporary|permanent|regional|local|central|northern|southern|eastern|
western|urgent|routine|annual|quarterly|monthly|weekly|detailed|brief|initial|final|formal|informal|joint|
separate|shared|dedicated|additional|remaining|planned|unplanned|reactive|preventive|critical|minor|major|
significant|modest|substantial|limited|flexible|fixed|realistic|ambitious|cautious|independent|internal|
external|digital|manual|automated|simplified|standard|specialist|experienced|junior|senior|reliable|
fragile|ageing|modern|efficient|expensive|affordable|confidential|public|draft|agreed|disputed|overdue|
delayed|accelerated|phased|staged|larger|smaller|busier|quieter|safer|cleaner|faster|slower|
long-term|short-term|medium-term|cost-effective|high-risk|low-risk|large-scale|small-scale|well-known|
up-to-date|day-to-day|year-end|full-time|part-time|in-house|third-party|city-wide|company-wide|
follow-up|front-line|back-office|one-off|open-ended|fixed-price|time-limited|high-priority|low-cost|
decision-making|out-of-hours|face-to-face|two-stage|data-driven|customer-facing|energy-efficient|
""")

_ADV = _words("""
quickly|carefully|gradually|formally|jointly|temporarily|permanently|separately|promptly|quietly|largely|
closely|regularly|properly|fully|partly|broadly|steadily|openly|routinely|briefly|urgently|deliberately|
consistently|sensibly|efficiently|thoroughly|informally|cautiously|firmly|directly|reliably|clearly|
""")

# (base form, past form).  Past participles equal the past form for all of these.
_VERBS = (
    ("review", "reviewed"), ("replace", "replaced"), ("upgrade", "upgraded"), ("inspect", "inspected"),
    ("repair", "repaired"), ("extend", "extended"), ("relocate", "relocated"), ("merge", "merged"),
    ("close", "closed"), ("reopen", "reopened"), ("survey", "surveyed"), ("test", "tested"),
    ("monitor", "monitored"), ("document", "documented"), ("approve", "approved"), ("fund", "funded"),
    ("schedule", "scheduled"), ("reschedule", "rescheduled"), ("prioritise", "prioritised"),
    ("simplify", "simplified"), ("standardise", "standardised"), ("automate", "automated"),
    ("outsource", "outsourced"), ("retender", "retendered"), ("renew", "renewed"),
    ("refurbish", "refurbished"), ("decommission", "decommissioned"), ("commission", "commissioned"),
    ("install", "installed"), ("remove", "removed"), ("consolidate", "consolidated"),
    ("redesign", "redesigned"), ("map", "mapped"), ("audit", "audited"), ("complete", "completed"),
    ("deliver", "delivered"), ("publish", "published"), ("share", "shared"), ("update", "updated"),
    ("revise", "revised"), ("finalise", "finalised"), ("pause", "paused"), ("restart", "restarted"),
    ("phase out", "phased out"), ("roll out", "rolled out"), ("sign off", "signed off"),
    ("scale back", "scaled back"), ("bring forward", "brought forward"), ("set up", "set up"),
    ("take over", "took over"), ("hand over", "handed over"), ("write up", "wrote up"),
    ("plan", "planned"), ("ship", "shipped"), ("transfer", "transferred"), ("trim", "trimmed"),
    ("scrap", "scrapped"), ("cost", "costed"), ("track", "tracked"), ("check", "checked"),
    ("compare", "compared"), ("assess", "assessed"), ("measure", "measured"), ("rebuild", "rebuilt"),
    ("build", "built"), ("buy", "bought"), ("sell", "sold"), ("lease", "leased"), ("hire", "hired"),
    ("train", "trained"), ("brief", "briefed"), ("consult", "consulted"), ("staff", "staffed"),
    ("cover", "covered"), ("protect", "protected"), ("secure", "secured"), ("clean", "cleaned"),
    ("recalibrate", "recalibrated"), ("rewire", "rewired"), ("reroute", "rerouted"), ("resurface", "resurfaced"),
    ("digitise", "digitised"), ("archive", "archived"), ("catalogue", "catalogued"), ("label", "labelled"),
    ("cancel", "cancelled"), ("postpone", "postponed"), ("accelerate", "accelerated"), ("delay", "delayed"),
    ("expand", "expanded"), ("reduce", "reduced"), ("cap", "capped"), ("benchmark", "benchmarked"),
    ("rationalise", "rationalised"), ("reorganise", "reorganised"), ("negotiate", "negotiated"),
    ("renegotiate", "renegotiated"), ("procure", "procured"), ("order", "ordered"), ("stock", "stocked"),
    ("store", "stored"), ("move", "moved"), ("split", "split"), ("combine", "combined"), ("pilot", "piloted"),
    ("trial", "trialled"), ("evaluate", "evaluated"), ("validate", "validated"), ("verify", "verified"),
    ("certify", "certified"), ("insure", "insured"), ("value", "valued"), ("price", "priced"),
    ("invoice", "invoiced"), ("pay for", "paid for"), ("allocate", "allocated"), ("redeploy", "redeployed"),
)

_REPORT_VERBS = (  # subject-agreement-free past forms that take an optional "that"
    "said", "confirmed", "noted", "explained", "reported", "argued", "suggested", "stressed",
    "acknowledged", "agreed", "warned", "pointed out", "accepted", "told the board", "told staff",
    "reminded managers", "wrote", "indicated", "made clear", "emphasised",
)

_BELIEF_VERBS = ("believe", "think", "expect", "are confident", "are satisfied", "suspect", "assume",
                 "estimate", "hope", "understand", "recognise", "feel")

_ENSURE_VERBS = ("ensure", "make sure", "check", "confirm", "show", "demonstrate", "verify", "prove")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_NUMWORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_ORDINALS = ("first", "second", "third", "fourth")

_CONTRACTIONS = (
    ("we will", "we'll"), ("it is", "it's"), ("do not", "don't"), ("cannot", "can't"),
    ("will not", "won't"), ("is not", "isn't"), ("we have", "we've"), ("they are", "they're"),
    ("has not", "hasn't"), ("does not", "doesn't"), ("we are", "we're"), ("there is", "there's"),
    ("that is", "that's"), ("should not", "shouldn't"), ("are not", "aren't"), ("did not", "didn't"),
)
_C = dict(_CONTRACTIONS)

# Function-word alternations a marking tool could use; both sides appear.
_TOWARD = ("toward", "towards")
_EMAIL = ("email", "e-mail")
_ABOUT = ("about", "approximately", "around", "roughly", "nearly", "just over", "just under", "some")
_START = ("start", "begin")
_BUY = ("buy", "purchase")
_USE = ("use", "make use of")
_NEED = ("need", "require")
_HELP = ("help", "assist")
_SHOW = ("show", "demonstrate", "suggest", "indicate")
_ALTHOUGH = ("although", "though", "even though")
_WHILE = ("while", "whilst")
_AMONG = ("among", "amongst")

_QUOTE_INTRO = ("put it plainly", "was blunt", "summed it up", "told the meeting", "said at the briefing",
                "put it simply", "wrote in an update", "told colleagues", "was direct", "said last week")

_VOWELS = frozenset("aeiou")


def _plural(noun: str) -> str:
    p = _IRREGULAR_PLURALS.get(noun)
    if p is not None:
        return p
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


_DOUBLE = frozenset(("plan", "ship", "map", "trim", "scrap", "cap", "transfer", "stop"))


def _third(base: str) -> str:
    head, sep, rest = base.partition(" ")
    if head.endswith(("s", "sh", "ch", "x", "z")):
        h = head + "es"
    elif head.endswith("y") and head[-2] not in _VOWELS:
        h = head[:-1] + "ies"
    else:
        h = head + "s"
    return h + sep + rest


def _gerund(base: str) -> str:
    head, sep, rest = base.partition(" ")
    if head in _DOUBLE:
        h = head + head[-1] + "ing"
    elif head.endswith("ie"):
        h = head[:-2] + "ying"
    elif head.endswith("e") and not head.endswith(("ee", "ye", "oe")):
        h = head[:-1] + "ing"
    else:
        h = head + "ing"
    return h + sep + rest


# Precomputed verb forms: (base, third person, past, gerund).
_VFORMS = tuple((b, _third(b), p, _gerund(b)) for b, p in _VERBS)
_NOUN_PL = tuple((n, _plural(n)) for n in _NOUNS)
_DOMAIN_PL = tuple(tuple((n, _plural(n)) for n in d[1]) for d in _DOMAINS)


def _article(word: str) -> str:
    return "an" if word[0].lower() in _VOWELS and not word.startswith(("one-", "euro", "uni", "use")) else "a"


def _poss(name: str) -> str:
    """Possessive of an organisation name: "Harrow Water's", "Valley Homes'"."""
    return name + "'" if name.endswith("s") else name + "'s"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------
# Topic: everything a document and its same-topic negatives share
# ---------------------------------------------------------------------------


class _Topic:
    __slots__ = ("org", "short", "places", "people", "nouns", "projects", "codeword", "code", "domain", "year")


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_HEAD) + rng.choice(_PLACE_TAIL) + rng.choice(_PLACE_SUFFIX)


def _make_topic(topic_seed: int) -> _Topic:
    rng = random.Random(f"leaktrace-bench-topic:{topic_seed}")
    t = _Topic()
    di = rng.randrange(len(_DOMAINS))
    sectors, _nouns, projects = _DOMAINS[di]
    t.domain = di
    home = _place(rng)
    t.org = f"{home} {rng.choice(sectors)}"
    t.short = home.split()[0]
    places: list[str] = []
    while len(places) < 4:
        p = _place(rng)
        if p != home and p not in places:
            places.append(p)
    t.places = tuple(places)
    people = []
    for _ in range(4):
        people.append((rng.choice(_FIRST), rng.choice(_LAST), rng.choice(_ROLES)))
    t.people = tuple(people)
    t.nouns = tuple(rng.sample(_DOMAIN_PL[di], 10))
    t.projects = tuple(rng.sample(projects, 3))
    t.codeword = rng.choice(_CODEWORDS)
    t.year = 2020 + rng.randrange(9)
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    t.code = (f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(1000, 9999)}"
              f"-{rng.choice(letters)}")
    return t


# ---------------------------------------------------------------------------
# Sentence writer
# ---------------------------------------------------------------------------


class _Writer:
    """Composes sentences for one topic from one random stream."""

    def __init__(self, rng: random.Random, topic: _Topic, people) -> None:
        self.rng = rng
        self.t = topic
        self.r = rng.random
        self.people = people
        self.year = topic.year

    # -- small pieces -------------------------------------------------------
    def ch(self, seq):
        return seq[int(self.r() * len(seq))]

    def c(self, full: str) -> str:
        """Spelled-out or contracted form, chosen at random."""
        return _C[full] if self.r() < 0.5 else full

    def that(self) -> str:
        return "that " if self.r() < 0.5 else ""

    def adj(self) -> str:
        return self.ch(_ADJ)

    def noun(self) -> tuple[str, str]:
        """(singular, plural) from the topic nouns or the general nouns."""
        if self.r() < 0.45:
            return self.ch(self.t.nouns)
        return self.ch(_NOUN_PL)

    def np(self) -> str:
        """Singular noun phrase with a determiner."""
        r = self.r()
        n = self.noun()[0]
        if r < 0.45:
            return f"the {self.adj()} {n}"
        if r < 0.6:
            return f"our {self.adj()} {n}"
        if r < 0.7:
            a = self.adj()
            return f"{_article(a)} {a} {n}"
        if r < 0.8:
            return f"{self.possessor()} {n}"
        if r < 0.9:
            return f"the {n} at {self.place()}"
        return f"this {n}"

    def npl(self) -> str:
        """Plural noun phrase."""
        r = self.r()
        n = self.noun()[1]
        if r < 0.3:
            return f"the {self.adj()} {n}"
        if r < 0.45:
            return self.count(n)
        if r < 0.55:
            return f"{self.ch(('all of the', 'all the'))} {self.adj()} {n}"
        if r < 0.65:
            return f"{self.possessor()} {n}"
        if r < 0.75:
            return f"{self.adj()} {n}"
        if r < 0.85:
            return f"the {n} in {self.place()}"
        return f"some of the {self.adj()} {n}"

    def possessor(self) -> str:
        r = self.r()
        if r < 0.3:
            return _poss(self.t.org)
        if r < 0.55:
            return f"{self.ch(self.people)[0]}'s"
        if r < 0.8:
            return f"the {self.ch(_DEPTS)} team's"
        return f"{self.place()}'s"

    def num(self) -> str:
        """A small number as a word or as digits."""
        n = 2 + int(self.r() * 11)
        return _NUMWORDS[n - 2] if self.r() < 0.5 else str(n)

    def count(self, plural: str) -> str:
        if self.r() < 0.3:
            return f"{self.num()} {self.adj()} {plural}"
        return f"{self.num()} {plural}"

    def big(self) -> str:
        r = self.r()
        if r < 0.4:
            return f"{self.ch(_ABOUT)} {10 + int(self.r() * 990)}"
        if r < 0.7:
            return f"{self.ch(_ABOUT)} {1 + int(self.r() * 60)},{int(self.r() * 10)}00"
        return str(13 + int(self.r() * 400))

    def money(self) -> str:
        r = self.r()
        if r < 0.4:
            return f"£{1 + int(self.r() * 90)}.{int(self.r() * 10)} million"
        if r < 0.8:
            return f"£{1 + int(self.r() * 900)},{int(self.r() * 1000):03d}"
        return f"£{1 + int(self.r() * 99)},000"

    def pct(self) -> str:
        return f"{2 + int(self.r() * 60)} percent"

    def date(self) -> str:
        r = self.r()
        m = self.ch(_MONTHS)
        if r < 0.5:
            return f"{1 + int(self.r() * 28)} {m}"
        if r < 0.75:
            return f"{self.ch(_WEEKDAYS)} {1 + int(self.r() * 28)} {m}"
        return f"{1 + int(self.r() * 28)} {m} {self.year + int(self.r() * 3)}"

    def clock(self) -> str:
        return f"{7 + int(self.r() * 11):02d}:{self.ch(('00', '15', '30', '45', '10', '40'))}"

    def when(self) -> str:
        r = self.r()
        if r < 0.25:
            return f"by {self.date()}"
        if r < 0.4:
            return (f"{self.ch(('before', 'by'))} the end of {self.ch(_MONTHS)}"
                    f"{self.ch(('', '', ' ' + str(self.year), ' ' + str(self.year + 1)))}")
        if r < 0.55:
            return f"in the {self.ch(_ORDINALS)} quarter of {self.year + int(self.r() * 3)}"
        if r < 0.7:
            return f"over the next {self.num()} {self.ch(('weeks', 'months'))}"
        if r < 0.85:
            return f"{self.ch(_TOWARD)} the {self.ch(('end', 'middle', 'start'))} of {self.ch(_MONTHS)}"
        return f"on {self.date()}"

    def place(self) -> str:
        return self.ch(self.t.places)

    def person(self) -> str:
        f, last, role = self.ch(self.people)
        r = self.r()
        if r < 0.4:
            return f"{f} {last}"
        if r < 0.55:
            return f"{f} {last}, {_poss(self.t.org)} {role},"
        if r < 0.75:
            return f"{f} {last}, our {role},"
        if r < 0.9:
            return (f"{f} {last}, who {self.ch(('leads', 'runs', 'chairs', 'manages', 'oversees'))} "
                    f"the {self.ch(_DEPTS)} {self.ch(('team', 'function', 'group', 'review', 'workstream'))},")
        return f"{self.ch(('Dr', 'Ms', 'Mr'))} {last}"

    def subj(self) -> tuple[str, bool]:
        """A subject and whether it is plural ("we" counts as plural)."""
        r = self.r()
        if r < 0.25:
            return "we", True
        if r < 0.4:
            return self.t.org, False
        if r < 0.55:
            return f"the {self.ch(_DEPTS)} team", False
        if r < 0.65:
            return f"the {self.ch(self.t.projects)} board", False
        if r < 0.75:
            return f"staff at {self.place()}", True
        if r < 0.85:
            f, last, _ = self.ch(self.people)
            return f"{f} {last}", False
        return f"our {self.ch(_GROUPS)}", True

    def nouns3(self) -> list[str]:
        """Three different plural nouns."""
        out: list[str] = []
        while len(out) < 3:
            n = self.noun()[1]
            if n not in out:
                out.append(n)
        return out

    def list3(self, items: list[str]) -> str:
        a, b, c = items
        return f"{a}, {b}, and {c}" if self.r() < 0.5 else f"{a}, {b} and {c}"

    def verb(self):
        return self.ch(_VFORMS)

    def dash(self, inner: str) -> str:
        return f" — {inner} — " if self.r() < 0.6 else f"—{inner}—"

    def aside(self) -> str:
        r = self.r()
        if r < 0.25:
            return f"{self.ch(('at least', 'at most', 'probably', 'perhaps'))} {self.count(self.noun()[1])}"
        if r < 0.5:
            return f"and {self.ch(('this', 'that'))} {self.c('is not')} {self.ch(('a small', 'an easy', 'a cheap', 'a quick'))} {self.ch(('job', 'task', 'step', 'change'))}"
        if r < 0.75:
            return f"{self.ch(('mostly', 'largely', 'chiefly'))} {self.npl()}"
        return f"{self.ch(('as', 'just as'))} {self.person().rstrip(',')} {self.ch(('predicted', 'warned', 'proposed', 'asked'))}"

    # -- sentence patterns ----------------------------------------------------
    def s_report(self) -> str:
        b, s3, p, g = self.verb()
        aux = self.ch(("will", "would", "should", "could", "must"))
        return f"{self.person()} {self.ch(_REPORT_VERBS)} {self.that()}{self.np()} {aux} be {p} {self.when()}."

    def s_believe(self) -> str:
        b, s3, p, g = self.verb()
        v = self.ch(_BELIEF_VERBS)
        lead = _cap(self.c("we are")) + v[3:] if v.startswith("are ") else f"We {v}"
        return (f"{lead} {self.that()}{self.npl()} {self.ch(('can', 'should', 'will', 'could'))} {b} "
                f"{self.np()} {self.when()}.")

    def s_past_count(self) -> str:
        b, s3, p, g = self.verb()
        s, _ = self.subj()
        return f"{_cap(self.when_past())}, {s} {p} {self.count(self.noun()[1])} at {self.place()}."

    def when_past(self) -> str:
        r = self.r()
        if r < 0.3:
            return f"in {self.ch(_MONTHS)}"
        if r < 0.55:
            return f"last {self.ch(('week', 'month', 'quarter', 'year', 'autumn', 'spring', 'winter', 'summer'))}"
        if r < 0.8:
            return f"on {self.date()}"
        return f"between {self.ch(_MONTHS)} and {self.ch(_MONTHS)}"

    def s_not_enough(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        neg = self.c("cannot")
        return (f"{_cap(self.np())} {self.c('is not')} {self.adj()} enough, "
                f"{self.ch(_ALTHOUGH)} {s} {neg} {b} {self.npl()} until {self.date()}.")

    def s_in_order(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        need = self.ch(_NEED)
        items = self.nouns3()
        return (f"{self.ch(('In order to', 'To', 'In order to'))} {b} {self.np()}, {s} will {need} "
                f"{self.list3([f'{self.adj()} {items[0]}', items[1], f'{self.num()} {items[2]}'])}.")

    def s_start(self) -> str:
        b, s3, p, g = self.verb()
        we = self.c("we will")
        return f"{_cap(we)} {self.ch(_START)} {g} {self.npl()} {self.ch(_TOWARD)} the end of {self.ch(_MONTHS)}."

    def s_change(self) -> str:
        n = self.noun()[1]
        a, b = sorted((int(self.r() * 900) + 20, int(self.r() * 900) + 20))
        if self.r() < 0.5:
            a, b = b, a
        return (f"{_poss(self.t.org)} {self.adj()} {n} {self.ch(('rose', 'fell', 'changed', 'moved'))} "
                f"to {self.ch(_ABOUT)} {a} in {self.year}, compared with {b} the year before.")

    def s_quote(self) -> str:
        b, s3, p, g = self.verb()
        r = self.r()
        if r < 0.33:
            q = f"{_cap(self.c('we will'))} {b} {self.npl()} {self.adv()}, {self.ch(('but', 'and'))} {self.c('we have')} {p} {self.np()} already"
        elif r < 0.66:
            q = f"{_cap(self.c('do not'))} {b} {self.np()} {self.when()}"
        else:
            q = f"{_cap(self.c('it is'))} {self.adj()} work, and we {self.c('cannot')} {b} {self.npl()} on our own"
        f, last, role = self.ch(self.people)
        lq, rq = ("\u201c", "\u201d") if self.r() < 0.4 else ('"', '"')
        if self.r() < 0.5:
            return f"{lq}{q},{rq} said {f} {last}."
        return f"{f} {last}, {_poss(self.t.org)} {role}, {self.ch(_QUOTE_INTRO)}: {lq}{q}.{rq}"

    def adv(self) -> str:
        return self.ch(_ADV)

    def s_dash(self) -> str:
        b, s3, p, g = self.verb()
        return f"{_cap(self.np())}{self.dash(self.aside())}{s3} {self.np()} {self.when()}."

    def s_email(self) -> str:
        f, last, _ = self.ch(self.people)
        return (f"Please send {self.npl()} to {f} by {self.ch(_EMAIL)} {self.ch(('before', 'by', 'no later than'))} "
                f"{self.date()}, {self.ch(('copying', 'including', 'and copy'))} the {self.ch(_DEPTS)} team.")

    def s_among(self) -> str:
        b, s3, p, g = self.verb()
        n1 = self.noun()[1]
        return (f"{_cap(self.ch(_AMONG))} the {self.adj()} {n1} we {p} {self.when_past()}, "
                f"{self.num()} {self.ch(('were', 'looked', 'seemed', 'proved'))} {self.adj()}.")

    def s_while(self) -> str:
        b, s3, p, g = self.verb()
        b2 = self.verb()[0]
        s, pl = self.subj()
        return (f"{_cap(self.ch(_WHILE))} {self.np()} {s3} {self.npl()}, {s} will also {b2} {self.np()}.")

    def s_buy(self) -> str:
        s, pl = self.subj()
        verb = self.ch(_BUY)
        aux = self.ch(("will", "may", "plan to", "intend to", "hope to"))
        if not pl and aux.endswith(" to"):
            aux = _third(aux)
        return (f"{_cap(s)} {aux} {verb} {self.count(self.noun()[1])} from {self.ch(('a', 'the'))} "
                f"{self.ch(('regional', 'national', 'local', 'framework', 'preferred'))} "
                f"supplier for {self.money()}.")

    def s_shows(self) -> str:
        n = self.ch(("survey", "report", "audit", "review", "pilot", "trial", "forecast", "data"))
        v = self.ch(_SHOW)
        tense = self.r()
        if tense < 0.5:
            v = _third(v) if n != "data" else v
        else:
            v = v + ("ed" if not v.endswith("e") else "d")
        return (f"The {self.adj()} {n} {v} {self.that()}{self.npl()} {self.ch(('are', 'were', 'remain'))} "
                f"{self.adj()} {self.ch(('in', 'around', 'near', 'across'))} {self.place()}.")

    def s_each_other(self) -> str:
        r = self.r()
        if r < 0.35:
            f, last, _ = self.ch(self.people)
            s1 = f"{f} {last}"
        elif r < 0.7:
            s1 = f"the {self.ch(_DEPTS)} team"
        else:
            s1 = f"our {self.ch(_GROUPS)}"
        s2 = self.ch((f"the {self.ch(_DEPTS)} team", f"staff at {self.place()}", f"the {self.ch(_GROUPS)}"))
        h = self.ch(_HELP + ("support", "cover for"))
        tail = self.ch((f"on {self.npl()}", f"with {self.npl()}", f"during the {self.ch(self.t.projects)}",
                        self.when(), f"while {self.npl()} are {self.verb()[2]}"))
        r = self.r()
        if r < 0.4:
            aux = self.ch(("will", "have agreed to", "should", "must", "are expected to", "have promised to",
                           "need to", "can", "already"))
            if aux == "already":
                h = {"help": "helped", "assist": "assisted", "support": "supported"}.get(h, "covered for")
            return f"{_cap(s1)} and {s2} {aux} {h} each other {self.adv()} {tail}."
        if r < 0.75:
            f, last, _ = self.ch(self.people)
            ask = self.ch(("asked", "encouraged", "reminded", "told", "urged", "expects"))
            return f"{f} {last} {ask} {s1} and {s2} to {h} each other {tail}."
        return (f"{_cap(self.npl())} will only {self.ch(('work', 'succeed', 'hold up', 'stay on track'))} "
                f"if {s1} and {s2} {h} each other {self.adv()}.")

    def s_likely(self) -> str:
        b, s3, p, g = self.verb()
        return (f"{_cap(self.c('it is'))} {self.ch(('likely', 'possible', 'unlikely', 'clear', 'probable'))} "
                f"{self.that()}{self.npl()} will be {p} {self.when()}.")

    def s_cost(self) -> str:
        proj = self.ch(self.t.projects)
        ref = self.ch((f"the {proj}", f"{_poss(self.t.org)} {proj}", f"our {proj}", f"the {self.adj()} {proj}",
                       f"Project {self.t.codeword}"))
        opener = self.ch(("", "", "Overall, ", "In total, ", "At current prices, ", "On the latest estimate, ",
                          f"As of {self.ch(_MONTHS)}, "))
        return (f"{_cap(opener + ref)} {self.ch(('will cost', 'is expected to cost', 'could cost', 'is budgeted at'))} "
                f"{self.money()} over {self.num()} years, {self.ch(('with', 'and'))} {self.pct()} "
                f"{self.ch(('falling in', 'spent in', 'committed in', 'due in', 'set aside for'))} "
                f"{self.ch(('the ' + self.ch(_ORDINALS) + ' year', str(self.year + int(self.r() * 4)), 'year ' + self.ch(_NUMWORDS[:3])))}.")

    def s_followup(self) -> str:
        kind = self.ch(("follow-up", "long-term", "short-term", "one-to-one", "decision-making", "cost-benefit",
                        "half-day", "two-hour", "face-to-face", "cross-team"))
        what = self.ch(("meeting", "review", "session", "workshop", "discussion", "briefing", "walk-round"))
        return (f"{_article(kind).capitalize()} {kind} {what} on {self.noun()[1]} is scheduled for "
                f"{self.date()} at {self.clock()} in {self.place()}.")

    def s_have_done(self) -> str:
        b, s3, p, g = self.verb()
        return (f"{_cap(self.c('we have'))} {self.ch(('already', 'now', 'so far'))} {p} "
                f"{self.count(self.noun()[1])} since {self.ch(_MONTHS)}, {self.ch(('and', 'but'))} "
                f"{self.num()} {self.ch(('remain', 'are still outstanding', 'need more work', 'are on hold'))}.")

    def s_does_not(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        neg = self.c("do not") if pl else self.c("does not")
        return (f"{_cap(s)} {neg} {self.ch(('plan', 'intend', 'expect', 'want'))} to {b} {self.np()} "
                f"{self.ch(('until', 'before'))} {self.date()}.")

    def s_need(self) -> str:
        b, s3, p, g = self.verb()
        n = self.noun()[1]
        a2 = self.adj()
        return (f"{_cap(self.adj())} {n} {self.ch(_NEED)} {_article(a2)} {a2} {self.noun()[0]} "
                f"{self.ch(('in order to', 'to', 'so as to'))} {b} {self.npl()}.")

    def s_code(self) -> str:
        items = [self.place() for _ in range(3)]
        if len(set(items)) < 3:
            items = list(self.t.places[:3])
            self.rng.shuffle(items)
        return (f"Work order `{self.t.code}` {self.ch(('covers', 'includes', 'applies to'))} "
                f"{self.list3(items)}, {self.ch(('and', 'but'))} {self.ch(('excludes', 'does not cover', 'leaves out'))} "
                f"{self.npl()}.")

    def s_figures(self) -> str:
        b, s3, p, g = self.verb()
        return (f"{_cap(self.when_past())}, {self.big()} {self.noun()[1]} were {p} at {self.place()}, "
                f"{self.ch(('about', 'roughly', 'approximately'))} {self.pct()} "
                f"{self.ch(('more', 'fewer'))} than {self.ch(('forecast', 'planned', 'expected', 'budgeted'))}.")

    def s_unless(self) -> str:
        b, s3, p, g = self.verb()
        s32 = self.verb()[1]
        we = self.ch(("we", "the board", "the project office", self.t.org))
        neg = self.c("will not")
        return f"{_cap(we)} {neg} {b} {self.np()} unless {self.np()} {s32} {self.npl()} first."

    def s_ensure(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        must = self.ch(("must", "should", "will need to", "has to", "ought to", "will"))
        if must == "has to" and pl:
            must = "have to"
        return (f"{_cap(s)} {must} "
                f"{self.ch(_ENSURE_VERBS)} "
                f"{self.that()}{self.np()} {self.ch(('is', 'has been', 'was'))} {p} {self.when()}.")

    def s_use(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        aux = self.ch(("will", "could", "should", "might"))
        return (f"{_cap(s)} {aux} {self.ch(_USE)} {self.np()} to {b} "
                f"{self.list3(self.nouns3())}.")

    def s_ellipsis(self) -> str:
        return (f"{_cap(self.npl())}, {self.npl()}, {self.npl()}... {self.ch(('the list', 'it', 'the backlog'))} "
                f"{self.ch(('goes on', 'keeps growing', 'is long'))}, {self.ch(('and', 'but'))} "
                f"{self.c('it is')} {self.adj()}.")

    def s_there_is(self) -> str:
        b, s3, p, g = self.verb()
        return (f"{_cap(self.c('there is'))} {self.ch(('no', 'little', 'some', 'a real'))} "
                f"{self.ch(('appetite', 'budget', 'time', 'case', 'pressure'))} to {b} "
                f"{self.npl()} {self.ch(('at', 'near', 'around'))} {self.place()} {self.when()}.")

    def s_they_are(self) -> str:
        b, s3, p, g = self.verb()
        return (f"{_cap(self.npl())} {self.ch(('matter', 'count', 'are important', 'cost money'))}, "
                f"and {self.c('they are')} {self.ch(('often', 'rarely', 'usually', 'sometimes'))} "
                f"{p} {self.ch(('late', 'twice', 'by hand', 'in error', 'without notice'))}.")

    def s_project(self) -> str:
        b, s3, p, g = self.verb()
        p1, p2 = self.rng.sample(self.t.places, 2)
        return (f"Project {self.t.codeword} {self.ch(('will', 'should', 'is due to'))} {b} "
                f"{self.npl()} {self.ch(('across', 'in', 'around'))} {p1} "
                f"and {p2} {self.when()}.")

    def s_simple(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        return f"{_cap(s)} {p} {self.np()} {self.adv()} {self.when_past()}."

    def s_hyph(self) -> str:
        return (f"{_cap(self.c('that is'))} why the {self.ch(('long-term', 'short-term', 'cost-effective', 'company-wide', 'day-to-day', 'well-planned'))} "
                f"{self.noun()[0]} {self.ch(('matters', 'comes first', 'needs attention', 'is on the agenda'))} "
                f"{self.ch(('for', 'at', 'in'))} {self.place()}.")

    def s_didnt(self) -> str:
        b, s3, p, g = self.verb()
        s, pl = self.subj()
        return (f"{_cap(s)} {self.c('did not')} {b} {self.npl()} {self.when_past()}, "
                f"{self.ch(('so', 'and', 'which means'))} {self.np()} {self.ch(('is', 'remains', 'looks'))} {self.adj()}.")

    # -- document structure ----------------------------------------------------
    def patterns(self):
        return (
            (self.s_report, 6), (self.s_believe, 6), (self.s_past_count, 5), (self.s_not_enough, 4),
            (self.s_in_order, 4), (self.s_start, 3), (self.s_change, 3), (self.s_quote, 3),
            (self.s_dash, 5), (self.s_email, 2), (self.s_among, 3), (self.s_while, 4), (self.s_buy, 3),
            (self.s_shows, 4), (self.s_each_other, 2), (self.s_likely, 4), (self.s_cost, 2),
            (self.s_followup, 3), (self.s_have_done, 4), (self.s_does_not, 4), (self.s_need, 4),
            (self.s_code, 1), (self.s_figures, 3), (self.s_unless, 4), (self.s_ensure, 4), (self.s_use, 3),
            (self.s_ellipsis, 1), (self.s_there_is, 3), (self.s_they_are, 3), (self.s_project, 3),
            (self.s_simple, 5), (self.s_hyph, 2), (self.s_didnt, 3),
        )

    def sentence_picker(self):
        table = []
        for fn, w in self.patterns():
            table.extend([fn] * w)
        table = tuple(table)
        n = len(table)
        r = self.r

        def pick():
            return table[int(r() * n)]()

        return pick

    def heading(self) -> str:
        n1 = self.noun()[1]
        n2 = self.ch(_NOUN_PL)[1]
        r = self.r()
        if r < 0.3:
            return f"{_cap(n1)} and {n2}"
        if r < 0.55:
            return f"{_cap(self.adj())} {n1}"
        if r < 0.75:
            return f"{self.place()}: {n1}"
        return f"{_cap(self.ch(('next steps on', 'update on', 'questions about', 'risks to', 'plans for')))} {n1}"

    def title(self) -> str:
        proj = self.ch(self.t.projects)
        r = self.r()
        if r < 0.4:
            return f"{self.t.org}: {_cap(proj)}"
        if r < 0.7:
            p1, p2 = self.rng.sample(self.t.places, 2)
            return f"{_cap(proj)} for {p1} and {p2}"
        return f"Project {self.t.codeword}: {_cap(proj)} and {self.adj()} {self.ch(_NOUN_PL)[1]}"

    def header(self) -> str:
        f, last, role = self.people[0]
        return (f"**Distribution: restricted** — {self.t.org} {self.ch(('staff', 'managers', 'board members'))} "
                f"only. From {f} {last}, {role}, {self.date()}.")


def _n_sections(hw: _Writer, n_words: int) -> int:
    n = 3 + int(hw.r() * 4)  # 3..6
    if n_words < 160:
        n = max(1, min(n, n_words // 50))
    return n


def _compose(n_words: int, sw: _Writer, hw: _Writer, lay: random.Random, *,
             memo_header: bool, accept=None) -> str:
    """Lay out a document.

    ``sw`` supplies body sentences, ``hw`` the title, header and headings, and
    ``lay`` the paragraph lengths.  Keeping the three streams apart makes the
    text prefix-stable: the sentence stream and the headings do not depend on
    ``n_words``, so a longer document starts with the same sentences.
    ``accept`` (optional) may veto a candidate string; a new one is drawn.
    """
    pick = sw.sentence_picker()

    def draw(make):
        s = make()
        if accept is not None:
            tries = 0
            while not accept(s) and tries < 200:
                s = make()
                tries += 1
        return s

    parts = [f"# {draw(hw.title)}", ""]
    words = len(parts[0].split()) - 1
    if memo_header:
        hdr = draw(hw.header)
        parts += [hdr, ""]
        words += len(hdr.split())
    n_sections = _n_sections(hw, n_words)
    per_section = max(1, (n_words - words) // n_sections)
    lr = lay.random
    for si in range(n_sections):
        if words >= n_words:
            break
        h = f"## {draw(hw.heading)}"
        parts += [h, ""]
        words += len(h.split()) - 1
        target = words + per_section if si < n_sections - 1 else n_words
        while words < target:
            k = 2 + int(lr() * 4)
            para: list[str] = []
            while k and words < target:
                s = draw(pick)
                para.append(s)
                words += s.count(" ") + 1
                k -= 1
            parts += [" ".join(para), ""]
    return "\n".join(parts).rstrip() + "\n"


def _doc_writers(seed: int):
    topic = _make_topic(seed)
    sw = _Writer(random.Random(f"leaktrace-bench-doc:{seed}"), topic, topic.people)
    hw = _Writer(random.Random(f"leaktrace-bench-head:{seed}"), topic, topic.people)
    lay = random.Random(f"leaktrace-bench-lay:{seed}")
    return topic, sw, hw, lay


# ---------------------------------------------------------------------------
# Canonical tokens (used to keep same-topic negatives free of shared 6-grams)
# ---------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w'’-]+")

_CANON: dict[str, tuple[str, ...]] = {short: tuple(full.split()) for full, short in _CONTRACTIONS}
_CANON.update({"can't": ("cannot",), "towards": ("toward",), "amongst": ("among",), "whilst": ("while",),
               "e-mail": ("email",), "that": ()})
_CANON.update({w: (str(i + 2),) for i, w in enumerate(_NUMWORDS)})


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def _canon_tokens(text: str) -> list[str]:
    """Tokens with the usual marking variations undone (contractions expanded,
    spelling variants unified, number words as digits, hyphens split, "that" dropped)."""
    out: list[str] = []
    get = _CANON.get
    for t in _raw_tokens(text):
        c = get(t)
        if c is not None:
            out.extend(c)
        elif "-" in t:
            out.extend(p for p in t.split("-") if p)
        else:
            out.append(t)
    return out


def _grams(toks: list[str], k: int) -> set[tuple[str, ...]]:
    return set(zip(*[toks[i:] for i in range(k)]))


class _Avoid:
    """Accepts candidate strings that add no k-gram present in reference gram sets."""

    def __init__(self, ref_raw: set, ref_canon: set, k: int) -> None:
        self.k = k
        self.raw = ref_raw
        self.canon = ref_canon
        self.tail_raw: list[str] = []
        self.tail_canon: list[str] = []
        self.rejected = 0

    def __call__(self, s: str) -> bool:
        k = self.k
        raw = self.tail_raw + _raw_tokens(s)
        canon = self.tail_canon + _canon_tokens(s)
        ref_raw, ref_canon = self.raw, self.canon
        for i in range(len(raw) - k + 1):
            if tuple(raw[i:i + k]) in ref_raw:
                self.rejected += 1
                return False
        for i in range(len(canon) - k + 1):
            if tuple(canon[i:i + k]) in ref_canon:
                self.rejected += 1
                return False
        self.tail_raw = raw[-(k - 1):]
        self.tail_canon = canon[-(k - 1):]
        return True


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def make_document(seed: int, n_words: int) -> str:
    """Return a memo-like Markdown document of about ``n_words`` words.

    Documents are prefix-stable in ``n_words``: a longer document with the same
    seed has the same title and begins with the same sentences.
    """
    _topic, sw, hw, lay = _doc_writers(seed)
    return _compose(n_words, sw, hw, lay, memo_header=True)


def _topic_grams(topic_of: int, n_words: int, k: int) -> tuple[set, set]:
    """Raw and canonical k-grams of everything ``make_document(topic_of, m)``
    can contain for any ``m`` up to about ``n_words``: the title, the header,
    every heading it may use (at every sentence junction where it may fall)
    and the first ``n_words`` words of its sentence stream."""
    _topic, sw, hw, _lay = _doc_writers(topic_of)
    heads = [hw.title(), hw.header()]
    n_sec = _n_sections(hw, n_words)  # documents of >= 160 words use exactly this many headings
    heads += [hw.heading() for _ in range(max(n_sec, 3))]
    pick = sw.sentence_picker()
    words = 0
    body: list[str] = []
    while words < n_words:
        s = pick()
        body.append(s)
        words += s.count(" ") + 1
    out = []
    for tok in (_raw_tokens, _canon_tokens):
        sent = [tok(x) for x in body]
        hs = [tok(x) for x in heads]
        flat = [t for x in sent for t in x]
        grams = _grams(flat, k)
        grams |= _grams([t for h in hs for t in h] + flat[:k], k)  # title, header, headings in a row
        m = k - 1
        ends = [x[-m:] for x in sent]
        starts = [x[:m] for x in sent[1:]] + [[]]
        for h in hs[2:]:
            for e, st in zip(ends, starts):
                seq = e + h + st
                grams.update(zip(*[seq[i:] for i in range(k)]))
        out.append(grams)
    return out[0], out[1]


def make_same_topic_text(seed: int, n_words: int, topic_of: int) -> str:
    """Return an unrelated text on the same topic as ``make_document(topic_of, ...)``.

    It shares the organisation, places, programme names and subject nouns of
    that document, but is composed from a different random stream with other
    people in it.  Any candidate sentence or heading that would repeat a 6-word
    sequence of the topic document (as raw lower-case words, or after undoing
    contractions, number words, hyphens, spelling variants and optional
    "that") is redrawn, so the text shares no 6-word sequence with
    ``make_document(topic_of, m)`` for any ``m`` up to ``max(2 * n_words, 1000)``.
    """
    topic = _make_topic(topic_of)
    prng = random.Random(f"leaktrace-bench-other-people:{topic_of}:{seed}")
    people = tuple((prng.choice(_FIRST), prng.choice(_LAST), prng.choice(_ROLES)) for _ in range(5))
    sw = _Writer(random.Random(f"leaktrace-bench-other:{topic_of}:{seed}"), topic, people)
    hw = _Writer(random.Random(f"leaktrace-bench-other-head:{topic_of}:{seed}"), topic, people)
    lay = random.Random(f"leaktrace-bench-other-lay:{topic_of}:{seed}")
    avoid = _Avoid(*_topic_grams(topic_of, max(2 * n_words, 1000), 6), 6)
    return _compose(n_words, sw, hw, lay, memo_header=False, accept=avoid)


def make_corpus(n_docs: int, n_words: int, seed: int = 0) -> list[str]:
    """Return ``n_docs`` documents; document ``i`` is ``make_document(seed * 1_000_003 + i, n_words)``."""
    base = seed * 1_000_003
    return [make_document(base + i, n_words) for i in range(n_docs)]


# ---------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------


def _shingles(text: str, k: int) -> set[tuple[str, ...]]:
    return _grams(_raw_tokens(text), k)


def _overlap_report(docs: list[str], k: int) -> dict[str, float]:
    sets = [_shingles(d, k) for d in docs]
    owners: dict[tuple[str, ...], int] = {}
    multi: set[tuple[str, ...]] = set()
    for i, s in enumerate(sets):
        for sh in s:
            o = owners.setdefault(sh, i)
            if o != i:
                multi.add(sh)
    total_distinct = len(owners)
    doc_fracs = [len(s & multi) / len(s) for s in sets if s]
    # Pairwise: shared shingles / smaller set, over pairs that share anything.
    pair_shared: dict[tuple[int, int], int] = {}
    where: dict[tuple[str, ...], list[int]] = {sh: [] for sh in multi}
    for i, s in enumerate(sets):
        for sh in s & multi:
            where[sh].append(i)
    for ids in where.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                key = (ids[a], ids[b])
                pair_shared[key] = pair_shared.get(key, 0) + 1
    n_pairs = len(docs) * (len(docs) - 1) // 2
    max_pair = max((c / min(len(sets[a]), len(sets[b])) for (a, b), c in pair_shared.items()), default=0.0)
    return {
        "docs": len(docs),
        "distinct_shingles": total_distinct,
        "frac_distinct_in_2plus_docs": len(multi) / total_distinct if total_distinct else 0.0,
        "mean_doc_frac_shared": sum(doc_fracs) / len(doc_fracs),
        "max_doc_frac_shared": max(doc_fracs),
        "pairs_sharing_any": len(pair_shared),
        "frac_pairs_sharing_any": len(pair_shared) / n_pairs if n_pairs else 0.0,
        "max_pair_overlap": max_pair,
    }


def _main(argv: list[str]) -> int:
    n_docs = int(argv[1]) if len(argv) > 1 else 1000
    n_words = int(argv[2]) if len(argv) > 2 else 300
    print(make_document(0, n_words))
    print("-" * 72)

    t0 = time.perf_counter()
    docs = make_corpus(n_docs, n_words)
    t1 = time.perf_counter()
    lens = [len(d.split()) for d in docs]
    print(f"{n_docs} documents x ~{n_words} words generated in {t1 - t0:.2f} s "
          f"(words/doc: min {min(lens)}, mean {sum(lens) / len(lens):.0f}, max {max(lens)})")
    print(f"distinct documents: {len(set(docs))}")

    rep = _overlap_report(docs, 8)
    print("8-word shingles across the corpus:")
    for key, val in rep.items():
        print(f"  {key}: {val:.5f}" if isinstance(val, float) else f"  {key}: {val}")

    # Same-topic negatives: 6-word sequences shared with their topic document.
    n_neg = min(n_docs, 1000)
    t0 = time.perf_counter()
    hits_raw = hits_canon = 0
    for i in range(n_neg):
        other = make_same_topic_text(1, n_words, i)
        if _shingles(docs[i], 6) & _shingles(other, 6):
            hits_raw += 1
        if _grams(_canon_tokens(docs[i]), 6) & _grams(_canon_tokens(other), 6):
            hits_canon += 1
    t1 = time.perf_counter()
    print(f"same-topic negatives ({n_neg}, {t1 - t0:.2f} s): {hits_raw} share a raw 6-word sequence "
          f"with their topic document, {hits_canon} a canonical one")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
