"""A review sample of lexical sites on real prose (issue 13, part 2): bench/REVIEW.md.

    python bench/review_sample.py              # writes bench/REVIEW.md, keeping the judgments in it
    python bench/review_sample.py --n 200 --seed leaktrace-review-v1 --out bench/REVIEW.md
    python bench/review_sample.py --seed leaktrace-review-v2 --out bench/REVIEW-v2.md
    python bench/review_sample.py --n 120 --families coordination,relative,phrasing,opener-comma \
        --seed leaktrace-review-new-v1 --out bench/REVIEW-new-families.md

The 171 pages of the 18F handbook (public domain; ``../shared/corpora/18f-handbook``, listed
in its MANIFEST.tsv) are read in place by the loader of bench/real.py (front matter and Liquid
tags stripped: ``{{a|b}}`` would be an author-declared alternative), and the lexical sites of
each page are found exactly as ``Marking._find_sites`` finds them for a Markdown document:
``declared.resolve`` -> ``find_protected`` -> ``tokenize`` -> ``channels.find_sites(...,
channels=(LEXICAL,), fmt="md")``.  ``--n`` sites are drawn uniformly over all the lexical sites
of the handbook (``random.Random(seed).sample``), listed in page order, each with its page,
kind, the sentence that holds it as the original says it, and the same sentence with every
other variant in place (the words that change in **bold**; an inserted or removed comma or
word is shown with its neighbouring words).

Each item has a judgment slot (``- **judgment**: ok | doubtful: why | WRONG: why``).  Running
the script again re-renders the file and keeps every judgment already written in it (matched
by the site's page and offset), and recomputes the summary table from them, so a reviewer
writes judgments into REVIEW.md itself.  Sites are found by the working tree's rules: a sample
drawn after the tables changed can differ, and its new items come with an empty slot.

``--families a,b`` draws only from the sites of those families (the part of a site's kind
before ``:``).  A reviewer's own prose between ``## Summary`` and its table (what was found,
on which rules) is kept as written when the file is re-rendered, like the judgments;
``--summary-note TEXT`` replaces it (an empty TEXT removes it).  A new file has none, so a
sample drawn on other rules never repeats an older sample's findings.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import random
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT / "src")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from real import CORPUS, corpus_pages  # noqa: E402  (the handbook loader shared with bench/real.py)

from leaktrace.marks.channels import find_sites  # noqa: E402
from leaktrace.marks.declared import resolve  # noqa: E402
from leaktrace.marks.sites import Channel, Site  # noqa: E402
from leaktrace.text.protect import find_protected  # noqa: E402
from leaktrace.text.tokens import tokenize  # noqa: E402

SEED = "leaktrace-review-v1"
N = 200
OUT = HERE / "REVIEW.md"
TABLES = ROOT / "src" / "leaktrace" / "marks" / "lexical"
CONTEXT = 280            # characters of a long sentence kept on each side of the site


# ---------------------------------------------------------------------------- the sites

@dataclass(frozen=True)
class Found:
    page: str            # path in MANIFEST.tsv
    base: str            # the page's base text
    site: Site

    @property
    def family(self) -> str:
        return self.site.kind.split(":", 1)[0]

    @property
    def id(self) -> str:
        return f"{self.page}@{self.site.start}"


def lexical_sites(corpus: Path) -> tuple[list[Found], int, str]:
    """Every lexical site of every page, in page order; the number of pages; the source commit."""
    pages, texts, commits = corpus_pages(corpus)
    out: list[Found] = []
    for page in pages:
        original = texts[page.path]
        base, declared = resolve(original)
        protected = find_protected(base)       # Markdown: no format-fixed spans (fixed_spans is HTML only)
        sites = find_sites(tokenize(base), protected, declared, (Channel.LEXICAL,), fmt="md")
        out += [Found(page.path, base, s) for s in sites]
    return out, len(pages), commits


# ---------------------------------------------------------------------------- the sentence

_STARTER = re.compile(r"[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#{1,6}[ \t]|>|\||</?[A-Za-z])")
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
# a sentence ends at . ! ? (closing quotes, brackets or emphasis may follow) before white space
# and a capital, a digit, an opening quote, bracket or emphasis
_BREAK = re.compile(r"[.!?][\"'”’)\]*_]*\s+(?=[A-Z0-9\"“‘(\[*_])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|Mr|Ms|Mrs|Dr|St|No|approx|U\.S|a\.m|p\.m)|\b[A-Z])\.$")


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def block_bounds(base: str, a: int, b: int) -> tuple[int, int]:
    """The Markdown block (paragraph, list item, heading, table row) holding [a, b)."""
    lines = _lines(base)
    i = next(k for k, (s, e) in enumerate(lines) if s <= a <= e)
    j = next(k for k, (s, e) in enumerate(lines) if s <= max(a, b - 1) <= e or (k == len(lines) - 1))
    line = lambda k: base[lines[k][0]:lines[k][1]]  # noqa: E731
    while (i > 0 and not _STARTER.match(line(i)) and line(i - 1).strip()
           and not _HEADING.match(line(i - 1))):
        i -= 1
    while (j + 1 < len(lines) and line(j + 1).strip() and not _STARTER.match(line(j + 1))
           and not _HEADING.match(line(j))):
        j += 1
    return lines[i][0], lines[j][1]


def sentence_bounds(base: str, a: int, b: int) -> tuple[int, int]:
    """The sentence holding [a, b), inside its Markdown block."""
    lo, hi = block_bounds(base, a, b)
    block = base[lo:hi]
    start, end = lo, hi
    for m in _BREAK.finditer(block):
        if _ABBREV.search(block[:m.start() + 1]):
            continue
        cut = lo + m.end()
        if cut <= a:
            start = cut
        elif lo + m.start() + 1 >= b:
            end = lo + m.start() + 1 + len(m.group(0)[1:].rstrip())
            break
    return start, end


def flags(base: str, a: int, b: int, lo: int, hi: int) -> list[str]:
    """Where the site sits, as far as Markdown says: heading, list item, link text, emphasis."""
    out = []
    blo, _ = block_bounds(base, a, b)
    head = base[blo:blo + 12]
    if _HEADING.match(head):
        out.append("heading")
    elif re.match(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]", head):
        out.append("list item")
    elif re.match(r"[ \t]*>[ \t]*\w", head):
        out.append("block quote")
    elif head.lstrip().startswith("|"):
        out.append("table")
    for m in re.finditer(r"\[([^\]]*)\]\(", base[lo:hi]):
        if lo + m.start(1) <= a and b <= lo + m.end(1):
            out.append("link text")
    for m in re.finditer(r"(\*\*|__)(.+?)\1", base[lo:hi], re.S):
        if lo + m.start(2) <= a and b <= lo + m.end(2):
            out.append("bold")
    if any(s < a and b < e for s, e in quotations(base)):
        out.append("inside a quotation")
    if "heading" in out:
        slug = _slug(base[blo:base.find("\n", blo) if "\n" in base[blo:] else len(base)])
        if slug and re.search(r"\]\(#" + re.escape(slug[:40]), base):
            out.append("its anchor is linked on the page")
    return out


# quotations as a reader sees them: also across a soft line break (not a blank line), and opened
# by ‘ but closed by ” (a typo leaktrace's own patterns do not take for a quotation)
_QUOTES = (re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n)){1,2000}”"),
           re.compile(r"\"(?:[^\"\n]|\n(?![ \t]*\n)){1,2000}\""),
           re.compile(r"(?:(?<=\s)|^)‘(?:[^’”\n]|’(?=\w)|\n(?![ \t]*\n)){1,2000}[’”](?=[\s.,;:!?)]|$)", re.M))


@functools.lru_cache(maxsize=4)
def quotations(base: str) -> tuple[tuple[int, int], ...]:
    return tuple((m.start(), m.end()) for q in _QUOTES for m in q.finditer(base))


def _slug(heading: str) -> str:
    """A heading's anchor as Jekyll/kramdown writes it, near enough: lower case, runs of other
    characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"^[ \t]*#+", "", heading).lower()).strip("-")


# ---------------------------------------------------------------------------- rendering

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")


def esc(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", s))


def bold(s: str) -> str:
    s = re.sub(r"\s+", " ", s)
    core = s.strip()
    if not core:
        return esc(s)
    lead = s[:len(s) - len(s.lstrip())]
    trail = s[len(s.rstrip()):]
    return lead + "**" + esc(core) + "**" + trail


def shown_span(base: str, a: int, b: int, variants: list[str], lo: int, hi: int) -> tuple[int, int]:
    """The stretch shown in bold: the span, widened to the words on either side when it or a
    variant has no letter or digit (an inserted or removed comma, an inserted word)."""
    if all(re.search(r"[A-Za-z0-9]", v) for v in variants):
        return a, b
    s = a
    while s > lo and base[s - 1].isspace():
        s -= 1
    while s > lo and not base[s - 1].isspace():
        s -= 1
    e = b
    while e < hi and base[e].isspace():
        e += 1
    while e < hi and not base[e].isspace():
        e += 1
    return s, e


def render(base: str, lo: int, hi: int, span: tuple[int, int], shown: tuple[int, int], rep: str) -> str:
    """The sentence [lo, hi) with the span replaced by rep, the shown stretch in bold; a long
    sentence cut to CONTEXT characters on each side."""
    a, b = span
    s, e = shown
    before, after = base[lo:s], base[e:hi]
    if len(before) > CONTEXT:
        before = "…" + before[len(before) - CONTEXT:].split(" ", 1)[-1]
        before = before if before.startswith("…") else "… " + before
    if len(after) > CONTEXT:
        after = after[:CONTEXT].rsplit(" ", 1)[0] + " …"
    middle = base[s:a] + rep + base[b:e]
    return (esc(before) + bold(middle) + esc(after)).strip()


def item_lines(k: int, f: Found, judgment: str) -> list[str]:
    site = f.site
    (a, b), = site.spans            # every lexical site varies one span
    variants = [v[0] for v in site.variants]
    lo, hi = sentence_bounds(f.base, a, b)
    shown = shown_span(f.base, a, b, variants, lo, hi)
    where = flags(f.base, a, b, lo, hi)
    change = " / ".join("“" + " ".join(v.split()) + "”" if v else "(nothing)" for v in variants)
    head = f"{k}. `{f.page}` · **{site.kind}** · {change}" + (f" · _{', '.join(where)}_" if where else "")
    out = [head, f"     - original: {render(f.base, lo, hi, (a, b), shown, variants[0])}"]
    for i, v in enumerate(variants[1:], start=1):
        out.append(f"     - variant {i}: {render(f.base, lo, hi, (a, b), shown, v)}")
    out.append(f"     - **judgment**: {judgment}")
    out.append(f"     - site: `{f.id}`")
    return out


# ---------------------------------------------------------------------------- judgments

_ITEM = re.compile(r"^\d+\. ")
_JUDGMENT = re.compile(r"^\s+- \*\*judgment\*\*: ?(.*)$")
_SITE = re.compile(r"^\s+- site: `([^`]+)`")
BLANK = "…"


def read_judgments(path: Path) -> dict[str, str]:
    """The judgments already written in a REVIEW.md, by site id."""
    if not path.exists():
        return {}
    out, pending = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if _ITEM.match(line):
            pending = None
        elif (m := _JUDGMENT.match(line)):
            pending = m.group(1).strip()
        elif (m := _SITE.match(line)) and pending is not None:
            if pending and pending != BLANK:
                out[m.group(1)] = pending
            pending = None
    return out


def verdict(j: str | None) -> str:
    if not j or j == BLANK:
        return "unjudged"
    head = j.split(":", 1)[0].strip().lower()
    return {"ok": "ok", "wrong": "wrong", "doubtful": "doubtful"}.get(head, "unjudged")


# ---------------------------------------------------------------------------- the file

def rules_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(TABLES.rglob("*")):
        if p.suffix in (".toml", ".py") and "__pycache__" not in p.parts:
            h.update(p.relative_to(TABLES).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def git_state() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return rev + (" (with uncommitted changes in src/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def md_table(header: list[str], rows: list[list], right: bool = True) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 or not right else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def read_summary_note(path: Path) -> list[str]:
    """The reviewer's prose between ``## Summary`` and its table in an existing file, as lines."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        i = lines.index("## Summary") + 1
    except ValueError:
        return []
    note = []
    for line in lines[i:]:
        if line.startswith("|") or line.startswith("## "):
            break
        note.append(line)
    while note and not note[0].strip():
        note.pop(0)
    while note and not note[-1].strip():
        note.pop()
    return note


def command(out: Path, n: int, seed: str, families: list[str] | None) -> str:
    """The command that (re-)renders this file: the options that differ from the defaults."""
    parts = ["python bench/review_sample.py"]
    if n != N:
        parts.append(f"--n {n}")
    if families:
        parts.append("--families " + ",".join(families))
    if seed != SEED:
        parts.append(f"--seed {seed}")
    if out.resolve() != OUT.resolve():
        try:
            shown = out.resolve().relative_to(ROOT).as_posix()
        except ValueError:
            shown = str(out)
        parts.append(f"--out {shown}")
    return " ".join(parts)


def write(path: Path, found: list[Found], sample: list[Found], pages: int, commits: str, seed: str,
          judgments: dict[str, str], note: list[str] | None = None, families: list[str] | None = None,
          total: int | None = None, cmd: str = "python bench/review_sample.py") -> Counter:
    fam_all = Counter(f.family for f in found)
    fam_sample = Counter(f.family for f in sample)
    kind_all = Counter(f.site.kind for f in found)
    kind_sample = Counter(f.site.kind for f in sample)
    tally: Counter = Counter()
    for f in sample:
        tally[(f.family, verdict(judgments.get(f.id)))] += 1
    order = sorted(fam_all, key=lambda k: (-fam_all[k], k))

    lines = [
        "# Review sample: lexical sites of the 18F handbook",
        "",
        "Issue 13, part 2. Does every lexical variant leaktrace would write into a copy say exactly what the",
        "original says (same facts, names, quotations, code, titles, link texts, headings and technical terms;",
        f"same register; grammatical)? Generated by `{cmd}`, which keeps the judgments",
        "written below when it re-renders this file; the summary is computed from them.",
        "",
        "## How the sample was drawn",
        "",
        f"- Corpus: the {pages} pages of the 18F handbook listed in `../shared/corpora/18f-handbook/MANIFEST.tsv`"
        f" (source {commits}), read in place by the loader of `bench/real.py` (YAML front matter and Liquid tags"
        " stripped), registered as Markdown.",
        "- Sites: the lexical channel only, found as `Marking._find_sites` finds them (`declared.resolve`,"
        " `find_protected`, `tokenize`, `channels.find_sites(..., channels=(LEXICAL,), fmt=\"md\")`);"
        f" leaktrace at commit {git_state()}, lexical rules digest `{rules_digest()}`"
        " (sha256 of `src/leaktrace/marks/lexical/**/*.{toml,py}`).",
        (f"- {len(found):,} lexical sites in the handbook; {len(sample)} drawn uniformly without replacement:"
         f" `random.Random({seed!r}).sample(all sites in page order, {len(sample)})`, then listed in page order."
         if not families else
         f"- {len(found):,} lexical sites of the families {', '.join(families)} in the handbook (of {total:,}"
         f" lexical sites in all); {len(sample)} drawn uniformly without replacement:"
         f" `random.Random({seed!r}).sample(those sites in page order, {len(sample)})`, then listed in page order."),
        "- Each item: page, kind, its variants (variant 0 first: the original), where it sits (heading, list item,"
        " link text, bold) when Markdown says so, the sentence as the original says it and with each other"
        " variant, the words that change in **bold** (an inserted or removed comma or word is shown with its"
        " neighbouring words); Markdown characters of the page are shown escaped, as typed.",
        "- Judgment: `ok`; `doubtful: why` (a reasonable editor could object); `WRONG: why` (the variant changes"
        " what is said, its register, its grammar, or text that must not change).",
        "",
        "## Summary",
        "",
    ]
    if note:
        lines += note + [""]
    rows = []
    for fam in order:
        n = fam_sample[fam]
        rows.append([fam, f"{fam_all[fam]:,}", n, tally[(fam, "ok")], tally[(fam, "doubtful")],
                     tally[(fam, "wrong")], tally[(fam, "unjudged")]])
    rows.append(["**all**", f"{len(found):,}", len(sample),
                 sum(tally[(f, "ok")] for f in order), sum(tally[(f, "doubtful")] for f in order),
                 sum(tally[(f, "wrong")] for f in order), sum(tally[(f, "unjudged")] for f in order)])
    lines += md_table(["family", "sites in handbook", "in sample", "ok", "doubtful", "WRONG", "not judged"], rows)
    lines += ["", "Sites per kind (handbook / sample):", ""]
    lines += md_table(["kind", "handbook", "sample"],
                      [[k, kind_all[k], kind_sample[k]] for k in sorted(kind_all, key=lambda k: (-kind_all[k], k))])

    where_all: Counter = Counter()
    for f in found:
        (a, b), = f.site.spans
        lo, hi = sentence_bounds(f.base, a, b)
        for w in flags(f.base, a, b, lo, hi):
            where_all[(w, f.family)] += 1
    places = ["inside a quotation", "block quote", "link text", "heading", "its anchor is linked on the page"]
    fams = [fam for fam in order if any(where_all[(w, fam)] for w in places)]
    lines += ["", "Where the handbook's lexical sites sit, by family (all sites, not only the sample): inside a quotation"
              " as a reader sees one (also across a soft line break, or opened by ‘ and closed by ”), in a Markdown"
              " block quote, link text or heading, and headings whose anchor a link on the page points to:", ""]
    lines += md_table(["place"] + fams + ["all"],
                      [[w] + [where_all[(w, fam)] for fam in fams] + [sum(where_all[(w, fam)] for fam in fams)]
                       for w in places])

    numbered = list(enumerate(sample, start=1))
    problems = [(k, f) for k, f in numbered if verdict(judgments.get(f.id)) in ("wrong", "doubtful")]
    if problems:
        lines += ["", "## WRONG and doubtful items", ""]
        lines += md_table(["#", "page", "kind", "judgment"],
                          [[k, f"`{f.page}`", f.site.kind, judgments[f.id].replace("|", "\\|")]
                           for k, f in problems], right=False)
    lines += ["", "## The sample", ""]
    for k, f in numbered:
        lines += item_lines(k, f, judgments.get(f.id, BLANK))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tally


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--n", type=int, default=N)
    ap.add_argument("--seed", default=SEED)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--families", default=None,
                    help="comma-separated families to draw from (e.g. coordination,relative); default: all")
    ap.add_argument("--summary-note", default=None,
                    help="the prose above the summary table (default: the one already in --out, if any)")
    args = ap.parse_args(argv)
    found, pages, commits = lexical_sites(args.corpus)
    total = len(found)
    families = None
    if args.families is not None:
        families = [f.strip() for f in args.families.split(",") if f.strip()]
        known = {f.family for f in found}
        unknown = [f for f in families if f not in known]
        if unknown or not families:
            ap.error(f"--families: no lexical sites of {', '.join(unknown) or '(none given)'} in the corpus;"
                     f" families: {', '.join(sorted(known))}")
        found = [f for f in found if f.family in families]
    picked = sorted(random.Random(args.seed).sample(range(len(found)), min(args.n, len(found))))
    sample = [found[i] for i in picked]
    judgments = read_judgments(args.out)
    note = (read_summary_note(args.out) if args.summary_note is None
            else args.summary_note.strip().splitlines())
    tally = write(args.out, found, sample, pages, commits, args.seed, judgments, note=note,
                  families=families, total=total, cmd=command(args.out, args.n, args.seed, families))
    kept = sum(1 for f in sample if f.id in judgments)
    print(f"{args.out}: {len(sample)} of {len(found)} lexical sites on {pages} pages; "
          f"{kept} judgments kept; ok {sum(v for (_, j), v in tally.items() if j == 'ok')}, "
          f"doubtful {sum(v for (_, j), v in tally.items() if j == 'doubtful')}, "
          f"WRONG {sum(v for (_, j), v in tally.items() if j == 'wrong')}", file=sys.stderr)


if __name__ == "__main__":
    main()
