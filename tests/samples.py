"""Sample texts and recipients written for the tests."""

from __future__ import annotations

import csv
import random
from pathlib import Path

MEMO = """# Depot consolidation plan

Distribution: restricted to the operations leadership group.

## Why we are doing this

The western depots have grown apart over the last decade. Each one keeps its own stores, its own rota and its own way of logging faults, and we don't think that is sustainable. Crews at Millbrook wait for parts that sit unused at Fenwick, while Fenwick borrows vans from Millbrook every winter. We believe the two sites should share one stores system — and one rota — before the next storm season.

The finance team has reviewed the figures. It is not a large saving in the first year, but the long-term effect on overtime is significant. We will publish the detailed model on the intranet at https://intranet.example.org/depots once the board has seen it.

## What changes

From {{1 June|2 June}} the two depots will report to a single manager. Three teams will move their morning briefing to Millbrook, and the fault desk will use one queue for both sites. Nobody will lose their job because of this change; we have said that clearly to the union, and we will say it again at every briefing.

We're also going to replace the paper job sheets with tablets. The pilot showed that crews closed jobs faster, logged better notes and spent less time on the phone… though it also showed that training takes longer than anyone expected. Priya Natarajan, who ran the pilot, put it plainly: "the tablets only help if people trust them."

## Timing and risks

The move should take about six weeks. The main risks are the stores migration, the rota change and the winter peak, and we'll track all three at the weekly review. If the migration slips, we will delay the rota change rather than run both changes in the same week. Questions should go to ops-planning@example.org, not to the wider staff list, until the announcement on {{14 May|15 May}}.

It's important that this plan stays inside the group until then. Please don't forward it, print it or discuss it with contractors. We know that rumours are already circulating at Fenwick, and we'd rather people heard the facts from their own managers than from a leaked copy.
"""


def people_rows(n: int) -> list[dict]:
    rng = random.Random(7)
    first = ["ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jo", "kai", "lena"]
    last = ["ashby", "brook", "cole", "dunn", "ellis", "frost", "grant", "hale", "irwin", "joyce"]
    rows = []
    for i in range(n):
        f, l = rng.choice(first), rng.choice(last)
        rid = f"{f}.{l}.{i:03d}"
        rows.append({"id": rid, "name": f"{f.title()} {l.title()}", "email": f"{rid}@example.org",
                     "team": rng.choice(["field", "stores", "office"])})
    return rows


def write_people(path: Path, n: int = 40) -> Path:
    rows = people_rows(n)
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "name", "email", "team"])
        w.writeheader()
        w.writerows(rows)
    return path


# A longer memo for the tests of evidence across a series of leaks: places, crews and figures
# make every sentence distinct.
PLACES = ["Ashby", "Brook Lane", "Cole Street", "Dunmore", "Ellis Park", "Frost Hill", "Grantham Road", "Hale End",
          "Irwin Quay", "Joyce Mill", "Kestrel Way", "Linden Row", "Marsh Gate", "Norbury", "Oakfield", "Pilton",
          "Quarry Bank", "Redmarsh", "Selby Cross", "Tanner Yard", "Upton Weir", "Vale Road", "Wexcombe", "Yarrow Green"]
CREWS = ["north", "south", "east", "west", "night", "relief", "pipe", "valve", "meter", "survey", "tanker", "repair"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
TEMPLATES = [
    "The {crew} crew will {{{{begin|start}}}} the work at {place} in {month}, once the permits for {n} sites arrive.",
    "Our engineers will {{{{check|inspect}}}} the valves near {place} before the {crew} shift hands over in {month}.",
    "Residents of {place} were told {{{{quickly|promptly}}}} that {n} homes would lose pressure for one night in {month}.",
    "The {crew} team said the pumps at {place} {{{{usually|normally|generally}}}} cope, but {n} older meters may fail in {month}.",
    "A survey at {place} found {{{{about|roughly|around}}}} {n} joints that the {crew} crew must {{{{repair|fix}}}} before {month} ends.",
    "Contractors near {place} asked us to {{{{tell|inform}}}} the {crew} team when {n} trucks can pass in {month}.",
    "The {crew} depot at {place} will {{{{need|require}}}} {n} new hydrants, and the order goes out in {month}.",
    "Staff at {place} {{{{also|likewise}}}} reported {n} leaks to the {crew} desk during {month}.",
]
def series_memo(n_paras: int = 9, per_para: int = 6) -> str:
    """A works memo whose every sentence carries an author-declared alternative (two or three
    phrasings that say the same), so that short retyped excerpts still carry marks."""
    paras, k = [], 0
    for p in range(n_paras):
        sents = []
        for s in range(per_para):
            t = TEMPLATES[(k * 3 + p) % len(TEMPLATES)]
            sents.append(t.format(crew=CREWS[k % len(CREWS)], place=PLACES[k % len(PLACES)],
                                  month=MONTHS[(k * 3) % len(MONTHS)], n=11 + 7 * k))
            k += 1
        paras.append(" ".join(sents))
    return "# Network works in the northern zone\n\n" + "\n\n".join(paras) + "\n"
