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
