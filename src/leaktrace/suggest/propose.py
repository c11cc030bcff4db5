"""Proposals for author-approved alternatives, sentence by sentence: phrasings that keep the
meaning (rules.toml's groups, reordered pairs, number, date and time formats) and, labelled
apart, details the author may choose to vary (a time, a date, a quantity, a room, a code name).

Pure: a text in, proposals out. A proposal never touches the text's structure (code, links,
quotations, block quotes, headings), never a place the automatic channels already mark
(`occupied`), and a keeps-meaning phrasing never a protected name, number or identifier.
"""

from __future__ import annotations

import bisect
import calendar
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..text.protect import Protected
from ..text.tokens import Tokens, tokenize

KEEPS = "keeps-meaning"
DETAIL = "changes-detail"
LABELS = (KEEPS, DETAIL)
# Formats of a number, date or time: they go where numbers are protected from automatic marks,
# since the value stays and the author approves the writing.
_FORMATS = frozenset({"number-format", "date-format", "time-format"})
MAX_VARIANTS = 4          # the original's words and up to three alternatives
RULES_FILE = Path(__file__).parent / "rules.toml"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Proposal:
    """Alternatives for text[start:end]; variants[0] is the document's own words."""

    id: str
    label: str
    kind: str
    start: int
    end: int
    variants: tuple[str, ...]
    sentence: Sentence
    line: int
    cosines: tuple[float, ...] = ()     # of variants[1:], when the semantic check ran

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "kind": self.kind, "start": self.start, "end": self.end,
                "line": self.line, "original": self.variants[0], "variants": list(self.variants[1:]),
                "cosines": list(self.cosines), "sentence": self.sentence.text}


# ------------------------------------------------------------------ the rule tables
@dataclass(frozen=True)
class Group:
    kind: str
    forms: tuple[tuple[str, ...], ...]
    match: tuple[tuple[str, ...], ...]
    prev_in: frozenset[str] | None = None
    prev_not: frozenset[str] = frozenset()
    next_in: frozenset[str] | None = None
    next_not: frozenset[str] = frozenset()
    next_number: bool = False
    apply: tuple[tuple[str, str], ...] = ()
    refuse: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    groups: tuple[Group, ...]
    words: dict[str, frozenset[str]] = field(default_factory=dict)


def _words(value: str, lists: dict[str, frozenset[str]]) -> frozenset[str]:
    """A guard's words: names of [words] lists, or words written out."""
    out: set[str] = set()
    for w in value.split():
        out |= lists.get(w, {w})
    return frozenset(out)


def load_rules(path: Path = RULES_FILE, extra: Iterable[dict] = ()) -> Rules:
    """The groups of a rules table (plus `extra` groups written as the table's entries)."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    lists = {k: frozenset(v.split()) for k, v in table.get("words", {}).items()}
    groups = []
    for g in [*table.get("group", []), *extra]:
        forms = tuple(tuple(f.lower().split()) for f in g["forms"])
        match = tuple(tuple(f.lower().split()) for f in g.get("match", g["forms"]))
        groups.append(Group(
            g["kind"], forms, match,
            _words(g["prev_in"], lists) if "prev_in" in g else None, _words(g.get("prev_not", ""), lists),
            _words(g["next_in"], lists) if "next_in" in g else None, _words(g.get("next_not", ""), lists),
            bool(g.get("next_number", False)), tuple(tuple(x) for x in g.get("apply", ())),
            tuple(g.get("refuse", ()))))
    return Rules(tuple(groups), lists)


RULES = load_rules()

# Pairs whose order is fixed by idiom or carries meaning ("before and after").
_FIXED_PAIRS = frozenset(tuple(p.split()) for p in """
pros cons|terms conditions|trial error|back forth|up down|more more|again again|now then|by large|
safe sound|black white|rock roll|law order|salt pepper|bread butter|give take|first second|
before after|cause effect|supply demand|question answer|questions answers|beginning end|start finish|
old new|north south|east west|left right|men women|ladies gentlemen|arts crafts|research development|
checks balances|odds ends|name address|loud clear|pick choose|hit miss|sooner later|less less|
planning execution|plan execute|design build|test learn|search rescue|track trace|trial errors
""".replace("\n", "").split("|") if p.strip())
# Words before "A and B" that make it a noun or adjective pair (not two verbs in sequence).
_PAIR_PREV = frozenset("""
the a an our their your his her its this these those both all any each many several some of for
with in on by from about among between across at into like including such as
""".split())
# Words after "A and B" that end the pair.
_PAIR_NEXT = frozenset("""
is are was were will would can could should must may might have has had who that which of for in
on at with by from to across within under during
""".split())
_FUNCTION = frozenset("""
the a an and or but not no nor of to in on at by for with from as is are was were be been being
this that these those it its they them their there here more most less least very also only then than
one two three four five six seven eight nine ten first second third last next other others such same
own many much few some any all both each every either neither
""".split())

_MONTHS = list(calendar.month_name)[1:]
_MONTH_RE = "|".join(_MONTHS)
_NUM_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
_WORD_NUMS = {v: k for k, v in _NUM_WORDS.items()}
_CODE_WORDS = ("Kestrel", "Osprey", "Harrier", "Juniper", "Granite", "Meridian", "Halcyon", "Lantern",
               "Cobalt", "Sentinel", "Tamarack", "Bluestone")
_PLACE_RE = re.compile(r"\b(Room|Building|Floor|Suite|Gate|Bay|Hangar|Pier|Dock|Level|Wing)\s+(\d{1,4})\b")
_CODE_RE = re.compile(r"\b(Operation|Project|Exercise|Codename|Code name)\s+([A-Z][a-z]{2,})\b")
_TIME_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(a\.m\.|p\.m\.|am\b|pm\b|AM\b|PM\b)")
_DATE_MDY_RE = re.compile(r"\b(" + _MONTH_RE + r")\s+(\d{1,2}),\s+(\d{4})\b")
_DATE_DMY_RE = re.compile(r"\b(\d{1,2})\s+(" + _MONTH_RE + r")\s+(\d{4})\b")
_DATE_ISO_RE = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")
_DAY_RE = re.compile(r"\b(" + _MONTH_RE + r")\s+(\d{1,2})\b(?!:)")
_WEEKDAY_RE = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_PERCENT_RE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)(\s?%|\s+percent\b|\s+per cent\b)")
_COMMA_NUM_RE = re.compile(r"(?<![\w.,$£€])(\d{1,3}(?:,\d{3})+)(?![\w]|[.,]\d)")
_QUANTITY_RE = re.compile(r"(?<![\w.,:/#-])([$£€]\s?)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
                          r"(\s?(?:million|billion|thousand)\b)?(\s?%|\s+[a-z][a-z-]+)")
_NO_QUANTITY_BEFORE = frozenset("page pages section sections chapter step steps version item items "
                                "figure table line lines appendix part phase tier level grade".split())
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#|>|\|))")


# ------------------------------------------------------------------ sentences
def sentences(text: str) -> list[Sentence]:
    """The sentences of a text: blocks (paragraphs, list items, headings) cut at sentence ends."""
    out: list[Sentence] = []
    pos = 0
    for block in [*_BLOCK_SPLIT.finditer(text), None]:
        end = block.start() if block is not None else len(text)
        start = pos
        for m in [*_SENT_SPLIT.finditer(text, pos, end), None]:
            stop = m.start() if m is not None else end
            piece = text[start:stop]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                s, e = start + lead, start + len(piece.rstrip())
                out.append(Sentence(s, e, " ".join(text[s:e].split())))
            if m is not None:
                start = m.end()
        pos = block.end() if block is not None else len(text)
    return out


# ------------------------------------------------------------------ the proposers
@dataclass
class _Context:
    text: str
    tokens: Tokens
    protected: Protected       # everything automatic marks never touch
    structure: Protected       # where not even the author's alternatives go
    occupied: Protected        # automatic sites (with their anchors) and declarations

    def free(self, start: int, end: int, *, words: bool) -> bool:
        """Whether an alternative may replace text[start:end] (with its neighbouring words as
        anchors, which the automatic sites must not use either); words: a change of wording,
        kept off names, numbers and identifiers too."""
        if "\n" in self.text[start:end] or "{" in self.text[start:end] or "|" in self.text[start:end]:
            return False
        t = self.tokens
        i = t.index_at(start)
        j = max(i, t.index_at(max(end - 1, start)))
        if i == 0 or j + 1 >= len(t):
            return False
        lo, hi = t.starts[i - 1], t.ends[j + 1]
        if self.occupied.overlaps(lo, hi) or self.structure.overlaps(start, end):
            return False
        return not (words and self.protected.overlaps(start, end))


def _case_like(template: str, words: tuple[str, ...]) -> str:
    s = " ".join(words)
    return s[:1].upper() + s[1:] if template[:1].isupper() else s


def _groups(ctx: _Context, rules: Rules) -> Iterable[tuple[str, int, int, tuple[str, ...]]]:
    t = ctx.tokens
    by_first: dict[str, list[tuple[tuple[str, ...], Group]]] = {}
    for g in rules.groups:
        for form in g.match:
            by_first.setdefault(form[0], []).append((form, g))
    for lst in by_first.values():
        lst.sort(key=lambda x: -len(x[0]))
    i = 1
    while i < len(t) - 1:
        found = None
        for form, g in by_first.get(t.skel[i], ()):
            k = len(form)
            if i + k >= len(t) or tuple(t.skel[i:i + k]) != form:
                continue
            if any(t.starts[x + 1] - t.ends[x] != 1 or t.text[t.ends[x]] != " " for x in range(i, i + k - 1)):
                continue
            prev, nxt = t.skel[i - 1], t.skel[i + k]
            if g.prev_in is not None and prev not in g.prev_in or prev in g.prev_not:
                continue
            if g.next_in is not None and nxt not in g.next_in or nxt in g.next_not:
                continue
            if g.next_number and not t.raw[i + k][0].isdigit():
                continue
            start, end = t.starts[i], t.ends[i + k - 1]
            original = ctx.text[start:end]
            alts = [_case_like(original, f) for f in g.forms if f != form][:MAX_VARIANTS - 1]
            found = (g.kind, start, end, (original, *alts))
            break
        if found is not None:
            yield found
            i = ctx.tokens.index_at(found[2]) + 1
        else:
            i += 1


def _pairs(ctx: _Context) -> Iterable[tuple[str, int, int, tuple[str, ...]]]:
    """"A and B" -> "B and A" where A and B are single words after a determiner or preposition,
    and the pair ends there: a pair of nouns or adjectives, not of actions in sequence."""
    t = ctx.tokens
    for i in range(2, len(t) - 3):
        if t.skel[i] not in ("and", "or"):
            continue
        a, b = i - 1, i + 1
        ra, rb = t.raw[a], t.raw[b]
        if not (ra.isalpha() and rb.isalpha() and ra.islower() and rb.islower()):
            continue
        if len(ra) < 3 or len(rb) < 3 or ra == rb or ra in _FUNCTION or rb in _FUNCTION:
            continue
        if (ra, rb) in _FIXED_PAIRS or (rb, ra) in _FIXED_PAIRS:
            continue
        if t.skel[a - 1] not in _PAIR_PREV:
            continue
        nxt = t.raw[b + 1]
        if not (nxt in (".", ",", ";", ":", ")") or t.skel[b + 1] in _PAIR_NEXT):
            continue
        if b + 2 < len(t) and t.skel[b + 2] == "respectively":
            continue
        start, end = t.starts[a], t.ends[b]
        if ctx.text[t.ends[a]:t.starts[b]] != f" {t.raw[i]} ":
            continue
        yield "reorder", start, end, (ctx.text[start:end], f"{rb} {t.raw[i]} {ra}")


def _hour24(h: int, marker: str) -> int:
    pm = marker.lower().startswith("p")
    return (h % 12) + (12 if pm else 0)


def _time_text(h24: int, m: int, marker: str, with_minutes: bool = True) -> str:
    pm = h24 >= 12
    h = h24 % 12 or 12
    mk = {"a.m.": ("a.m.", "p.m."), "am": ("am", "pm"), "AM": ("AM", "PM")}[
        {"p.m.": "a.m.", "pm": "am", "PM": "AM"}.get(marker.strip(), marker.strip())]
    return (f"{h}:{m:02d}" if with_minutes or m else f"{h}") + " " + mk[pm]


def _times(ctx: _Context) -> Iterable[tuple[str, str, int, int, tuple[str, ...]]]:
    for m in _TIME_RE.finditer(ctx.text):
        h, mins, marker = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if not 1 <= h <= 12 or mins > 59:
            continue
        h24 = _hour24(h, marker)
        original = m.group(0)
        formats = [_time_text(h24, mins, marker, with_minutes=True), f"{h24:02d}:{mins:02d}"]
        if mins == 0:
            formats.insert(1, _time_text(h24, 0, marker, with_minutes=False))
        alts = tuple(dict.fromkeys(f for f in formats if f != original))
        yield KEEPS, "time-format", m.start(), m.end(), (original, *alts[:MAX_VARIANTS - 1])
        shifted = []
        for d in (15, -15):
            total = (h24 * 60 + mins + d) % (24 * 60)
            shifted.append(_time_text(total // 60, total % 60, marker))
        yield DETAIL, "time", m.start(), m.end(), (original, *shifted)


def _dates(ctx: _Context) -> Iterable[tuple[str, str, int, int, tuple[str, ...]]]:
    seen: set[int] = set()

    def forms(y: int, mo: int, d: int) -> tuple[str, str, str]:
        name = _MONTHS[mo - 1]
        return f"{name} {d}, {y}", f"{d} {name} {y}", f"{y:04d}-{mo:02d}-{d:02d}"

    for rx, order in ((_DATE_MDY_RE, "mdy"), (_DATE_DMY_RE, "dmy"), (_DATE_ISO_RE, "iso")):
        for m in rx.finditer(ctx.text):
            if order == "mdy":
                mo, d, y = _MONTHS.index(m.group(1)) + 1, int(m.group(2)), int(m.group(3))
            elif order == "dmy":
                d, mo, y = int(m.group(1)), _MONTHS.index(m.group(2)) + 1, int(m.group(3))
            else:
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]):
                continue
            seen.add(m.start())
            original = m.group(0)
            alts = tuple(f for f in forms(y, mo, d) if f != original)
            yield KEEPS, "date-format", m.start(), m.end(), (original, *alts)
    for m in _DAY_RE.finditer(ctx.text):
        mo, d = _MONTHS.index(m.group(1)) + 1, int(m.group(2))
        if not 1 <= d <= calendar.monthrange(2024, mo)[1]:
            continue
        # a weekday beside the date would contradict a day moved
        near = ctx.text[max(0, m.start() - 15):m.end() + 15]
        if _WEEKDAY_RE.search(near):
            continue
        alts = [f"{m.group(1)} {x}" for x in (d + 1, d - 1) if 1 <= x <= calendar.monthrange(2024, mo)[1]]
        yield DETAIL, "date", m.start(), m.end(), (m.group(0), *alts)


def _numbers(ctx: _Context) -> Iterable[tuple[str, str, int, int, tuple[str, ...]]]:
    text = ctx.text
    for m in _PERCENT_RE.finditer(text):
        n = m.group(1)
        forms = [f"{n}%", f"{n} percent", f"{n} per cent"]
        yield KEEPS, "number-format", m.start(), m.end(), (m.group(0), *[f for f in forms if f != m.group(0)])
    for m in _COMMA_NUM_RE.finditer(text):
        yield KEEPS, "number-format", m.start(), m.end(), (m.group(1), m.group(1).replace(",", ""))
    t = ctx.tokens
    for i in range(2, len(t) - 2):
        raw = t.raw[i]
        nxt = t.raw[i + 1]
        if not (nxt.isalpha() and nxt.islower()) or nxt in ("and", "or", "to", "am", "pm", "percent", "per"):
            continue
        near = (t.raw[i - 2], t.raw[i - 1], t.raw[i + 2] if i + 2 < len(t) else "")
        if any(x.isdigit() or x.lower() in _WORD_NUMS for x in near) or t.skel[i - 1] in _NO_QUANTITY_BEFORE:
            continue
        if raw.isdigit() and len(raw) == 1 and int(raw) in _NUM_WORDS:
            if t.raw[i - 1] in (".", ",", "$", "£", "€", "#", ":", "-"):
                continue
            yield KEEPS, "number-format", t.starts[i], t.ends[i], (raw, _NUM_WORDS[int(raw)])
        elif raw.lower() in _WORD_NUMS and raw.islower():
            yield KEEPS, "number-format", t.starts[i], t.ends[i], (raw, str(_WORD_NUMS[raw]))


def _nudge(num: str) -> tuple[str, str] | None:
    """Two neighbouring values of a number, written the same way ("40" -> "39", "41";
    "1,200" -> "1,100", "1,300"; "2.5" -> "2.4", "2.6")."""
    if "." in num:
        whole, frac = num.split(".")
        step = 10 ** -len(frac)
        v = float(num)
        out = [f"{v + d:.{len(frac)}f}" for d in (-step, step)]
        return (out[0], out[1]) if float(out[0]) > 0 else None
    v = int(num.replace(",", ""))
    digits = len(str(v))
    step = 1 if digits <= 2 else 10 ** (digits - 2)
    if v - step <= 0:
        return None
    fmt = (lambda x: f"{x:,}") if "," in num else str
    return fmt(v - step), fmt(v + step)


def _quantities(ctx: _Context) -> Iterable[tuple[str, str, int, int, tuple[str, ...]]]:
    t = ctx.tokens
    for m in _QUANTITY_RE.finditer(ctx.text):
        cur, num, scale, unit = m.group(1) or "", m.group(2), m.group(3) or "", m.group(4)
        v = num.replace(",", "")
        if not cur and not scale and "%" not in unit and len(v) == 4 and 1900 <= float(v) <= 2100:
            continue   # a year
        i = t.index_at(m.start(2))
        if i > 0 and t.skel[i - 1] in _NO_QUANTITY_BEFORE:
            continue
        if unit.strip() in ("am", "pm", "and", "or", "to", "of", "per", "percent", "in", "on", "at"):
            continue
        alts = _nudge(num)
        if alts is None:
            continue
        s, e = m.start(1) if cur else m.start(2), m.end(3) if scale else m.end(2)
        if "%" in unit:
            e = m.end(4)
        original = ctx.text[s:e]
        yield DETAIL, "quantity", s, e, (original, *(original.replace(num, a, 1) for a in alts))


def _places_and_codes(ctx: _Context) -> Iterable[tuple[str, str, int, int, tuple[str, ...]]]:
    for m in _PLACE_RE.finditer(ctx.text):
        n = int(m.group(2))
        alts = [f"{m.group(1)} {x}" for x in (n + 1, n + 2) if x > 0]
        yield DETAIL, "place", m.start(), m.end(), (m.group(0), *alts)
    for m in _CODE_RE.finditer(ctx.text):
        name = m.group(2)
        h = int(hashlib.sha256(name.encode()).hexdigest(), 16)
        picks = [w for w in (_CODE_WORDS[(h + k) % len(_CODE_WORDS)] for k in range(3)) if w != name][:2]
        yield DETAIL, "code-name", m.start(2), m.end(2), (name, *picks)


# ------------------------------------------------------------------ all together
def propose(text: str, *, protected: Protected, structure: Protected, occupied: Protected,
            rules: Rules = RULES, tokens: Tokens | None = None) -> list[Proposal]:
    """Every proposal for a text, in document order, numbered P1, P2, ...; proposals with one
    label never overlap each other (one of each label may stand at one place)."""
    tokens = tokens or tokenize(text)
    ctx = _Context(text, tokens, protected, structure, occupied)
    found: list[tuple[str, str, int, int, tuple[str, ...]]] = []
    found += [(KEEPS, k, s, e, v) for k, s, e, v in _groups(ctx, rules)]
    found += [(KEEPS, k, s, e, v) for k, s, e, v in _pairs(ctx)]
    for gen in (_times, _dates, _numbers, _quantities, _places_and_codes):
        found += list(gen(ctx))
    # a detail said more than once would vary at one place and not the others: left out
    counts: dict[str, int] = {}
    for label, _, s, e, _ in found:
        if label == DETAIL:
            counts[text[s:e]] = counts.get(text[s:e], 0) + 1
    sents = sentences(text)
    starts = [x.start for x in sents]
    kept: list[Proposal] = []
    last_end = {KEEPS: -1, DETAIL: -1}
    for label, kind, s, e, variants in sorted(found, key=lambda f: (f[2], -f[3], LABELS.index(f[0]))):
        variants = tuple(dict.fromkeys(v for v in variants if v))
        if len(variants) < 2 or not ctx.free(s, e, words=label == KEEPS and kind not in _FORMATS):
            continue
        if label == DETAIL and (counts.get(text[s:e], 0) > 1 or text.count(text[s:e]) > 1):
            continue
        if any(c in v for v in variants[1:] for c in "{}|\n"):
            continue
        # one token between two sites of one label: each keeps its own anchors
        if tokens.index_at(s) <= last_end[label]:
            continue
        last_end[label] = tokens.index_at(max(e - 1, s)) + 1
        k = bisect.bisect_right(starts, s) - 1
        sent = sents[k] if k >= 0 and sents[k].start <= s < sents[k].end else Sentence(s, e, text[s:e])
        kept.append(Proposal("", label, kind, s, e, variants[:MAX_VARIANTS], sent, text.count("\n", 0, s) + 1))
    return [Proposal(f"P{n}", p.label, p.kind, p.start, p.end, p.variants, p.sentence, p.line)
            for n, p in enumerate(kept, 1)]
