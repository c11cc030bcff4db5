"""The engine of the lexical tables (tables/*.toml, described in tables/README.md): it reads
a rule's forms at a token, checks the rule's guards, and proposes a site. Rules are data; the
few guards that are procedures live in guards.py, named from the tables.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...text.protect import Protected
from ...text.tokens import Tokens, tokenize
from ..sites import Channel, Site
from . import tagger

TABLES = Path(__file__).parent / "tables"
HYPHENS = frozenset({"-", "\u2010", "\u2011"})
_SENT_END = frozenset({".", "!", "?", "…", "...", ":"})
_LINE_MARKS = frozenset({"#", "-", "*", "+", ">", "•"})
_SKIP_BACK = frozenset({"*", "_", "(", "["})


def _read_tables() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(TABLES.glob("*.toml"))}


TABLE = _read_tables()


def _word_list(value: str | list[str]) -> frozenset:
    """A list written as one string of words, or as a list of phrases (tuples of words)."""
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(tuple(p.split()) for p in value)


WORDS: dict[str, frozenset] = {}
for _name, _table in TABLE.items():
    for _list, _value in _table.get("words", {}).items():
        if _list in WORDS:
            raise ValueError(f"lexical tables: word list {_list!r} is defined twice ({_name}.toml)")
        WORDS[_list] = _word_list(_value)
_NUMBER_WORDS = WORDS["all_number_words"]


# ---------------------------------------------------------------------------------------
# A text as the rules see it


@dataclass
class Doc:
    """A text as the rules see it: its tokens, where sentences start, its apostrophe."""

    protected: Protected
    text: str
    raw: tuple[str, ...]
    skel: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    n: int
    sent: list[bool]
    apos: str
    _tags: tuple[str, ...] | None = None

    @classmethod
    def of(cls, tokens: Tokens, protected: Protected) -> Doc:
        return cls(protected, tokens.text, tokens.raw, tokens.skel, tokens.starts,
                   tokens.ends, len(tokens), _sentence_starts(tokens), _apostrophe(tokens.text))

    def word(self, i: int) -> bool:
        return 0 <= i < self.n and self.raw[i][0].isalnum()

    def sentence(self, i: int, end: int | None = None, reach: int | None = None) -> tuple[int, int]:
        """The tokens [lo, hi) of the sentence holding tokens [i, end), at most `reach` tokens
        either side of them when given."""
        end = i + 1 if end is None else end
        lo, hi = i, end
        while lo > 0 and not self.sent[lo] and (reach is None or i - lo < reach):
            lo -= 1
        while hi < self.n and not self.sent[hi] and (reach is None or hi - end < reach - 1):
            hi += 1
        return lo, hi

    def tag(self, i: int) -> str:
        """Token i's part-of-speech tag (CLAWS5, tagger.py); the text is tagged on first use."""
        if self._tags is None:
            self._tags = tagger.tag(self.raw, self.sent)
        return self._tags[i]

    def spaced(self, i: int) -> bool:
        """Token i follows token i-1 after plain white space within one paragraph."""
        if not 0 < i < self.n:
            return False
        g = self.text[self.ends[i - 1]:self.starts[i]]
        return bool(g) and g.isspace() and g.count("\n") < 2

    def tight(self, i: int) -> bool:
        return 0 < i < self.n and self.ends[i - 1] == self.starts[i]

    def lower(self, i: int) -> bool:
        """A lower-case word (letters, possibly with an apostrophe)."""
        return self.word(i) and self.raw[i].islower()

    def case(self, i: int) -> int:
        """0: lower case; 1: capitalized first word of a sentence; -1: refuse (a name?)."""
        if not self.word(i):
            return -1
        w = self.raw[i]
        if w.islower():
            return 0
        if w[0].isupper() and (len(w) == 1 or w[1:].islower()) and self.sent[i]:
            # "Toward Tomorrow Fund": a capitalized word followed by another is a title.
            j = i + 1
            if self.word(j) and self.raw[j][0].isupper() and self.raw[j] != "I":
                return -1
            return 1
        return -1

    def is_number(self, i: int) -> bool:
        return self.word(i) and (self.raw[i][0].isdigit() or self.skel[i] in _NUMBER_WORDS)

    def site(self, kind: str, start: int, end: int, variants: tuple[str, ...],
             a: int, b: int) -> Site | None:
        if not (1 <= a <= b < self.n) or len(set(variants)) != len(variants):
            return None
        if self.text[start:end] != variants[0]:
            return None
        if self.protected.overlaps(start, end):
            return None
        if a < b and self.protected.overlaps(self.starts[a], self.ends[b - 1]):
            return None
        return Site(Channel.LEXICAL, kind, ((start, end),), tuple((v,) for v in variants),
                    ((a, b),), "tokens")


def _sentence_starts(tokens: Tokens) -> list[bool]:
    text, raw, starts, ends = tokens.text, tokens.raw, tokens.starts, tokens.ends
    out = [False] * len(raw)
    for i in range(len(raw)):
        k = i - 1
        while k >= 0 and raw[k] in _SKIP_BACK:
            k -= 1
        if k < 0:
            out[i] = True
            continue
        p = raw[k]
        if text[ends[k]:starts[k + 1]].count("\n") >= 2 or p in _SENT_END:
            out[i] = True
        elif p in _LINE_MARKS and (k == 0 or "\n" in text[ends[k - 1]:starts[k]]):
            out[i] = True
    return out


_CURLY_APOS_RE = re.compile(r"(?<=\w)’(?=\w)")
_STRAIGHT_APOS_RE = re.compile(r"(?<=\w)'(?=\w)")


def _apostrophe(text: str) -> str:
    """The document's own apostrophe, so that a new contraction looks like the others."""
    curly = len(_CURLY_APOS_RE.findall(text))
    straight = len(_STRAIGHT_APOS_RE.findall(text))
    return "’" if curly > straight else "'"


# ---------------------------------------------------------------------------------------
# Forms of an alternation, and how a rule reads them at a token


@dataclass(frozen=True)
class Form:
    """A written form: its words (skeletons and as written), each later one after a hyphen or
    a space."""

    text: str
    words: tuple[str, ...]
    raws: tuple[str, ...]
    hyphenated: tuple[bool, ...]
    open: bool


def parse_form(text: str) -> Form:
    tokens = tokenize(text)
    words: list[str] = []
    raws: list[str] = []
    hyphenated: list[bool] = []
    after_hyphen = False
    for raw, skel in zip(tokens.raw, tokens.skel):
        if raw in HYPHENS:
            after_hyphen = True
            continue
        if words:
            hyphenated.append(after_hyphen)
        words.append(skel)
        raws.append(raw)
        after_hyphen = False
    return Form(text, tuple(words), tuple(raws), tuple(hyphenated), " " in text)


def match(d: Doc, i: int, form: Form, exact: bool) -> int:
    """Index after `form` read at token i (whose skeleton is its first word), or -1. Later
    words are lower case (or as written, if exact), after a space or a joined hyphen."""
    k = i
    for word, raw, hyphenated in zip(form.words[1:], form.raws[1:], form.hyphenated):
        if hyphenated:
            k += 2
            if k >= d.n or d.raw[k - 1] not in HYPHENS or not d.tight(k - 1) or not d.tight(k):
                return -1
        else:
            k += 1
            if not d.spaced(k):
                return -1
        if (d.raw[k] != raw) if exact else (d.skel[k] != word or not d.lower(k)):
            return -1
    return k + 1


def capitalizer(case: str, form: Form) -> Callable[[Doc, int], int | None]:
    """How a rule's `case` reads the first word of `form` at token i: whether the alternatives
    are capitalized (1) or not (0), or None if the word may not change as written (a name)."""
    if case == "lower":
        return lambda d, i: 0 if d.lower(i) else None
    if case == "exact":
        first = form.raws[0]
        return lambda d, i: 0 if d.raw[i] == first else None
    if case == "sentence":
        return lambda d, i: 1 if d.sent[i] and d.case(i) == 1 else None
    if case == "subject" and (form.words[0] == "i" or form.words[0].startswith("i'")):
        return lambda d, i: 0 if d.raw[i][0] == "I" else None  # "I": always capital, never a name
    if case not in ("any", "subject"):
        raise ValueError(f"lexical tables: unknown case {case!r}")
    return lambda d, i: None if (c := d.case(i)) < 0 else c


# ---------------------------------------------------------------------------------------
# Guards


# The tokens [start, end) a site varies (start == end: an insertion before start), and whether
# the form read there is open (spaced).
Span = tuple[int, int, bool]

Test = Callable[[Doc, int, Span], bool]
Guard = Callable[[Doc, Span], bool]


class _Method:
    """A test that is a method of Doc (a clause of this test alone calls it directly)."""

    def __init__(self, method: Callable[[Doc, int], bool]):
        self.method = method

    def __call__(self, d: Doc, k: int, s: Span) -> bool:
        return self.method(d, k)


class _In:
    """A test that a token's skeleton (or its text, if raw) is one of some words."""

    def __init__(self, words: frozenset[str], raw: bool = False):
        self.words, self.raw = words, raw

    def __call__(self, d: Doc, k: int, s: Span) -> bool:
        return (d.raw if self.raw else d.skel)[k] in self.words


TESTS: dict[str, Test] = {
    "word": _Method(Doc.word),
    "lower": _Method(Doc.lower),
    "spaced": _Method(Doc.spaced),
    "joined": _Method(Doc.tight),
    "number": _Method(Doc.is_number),
    "hyphen": lambda d, k, s: d.tight(k) and d.raw[k] in HYPHENS,
    "after-hyphen": lambda d, k, s: d.tight(k) and d.raw[k - 1] in HYPHENS,
    "digit": lambda d, k, s: d.raw[k].isdigit(),
    "alpha": lambda d, k, s: d.raw[k].isalpha(),
    "capital": lambda d, k, s: d.word(k) and d.raw[k][0].isupper(),
    "common": lambda d, k, s: d.case(k) >= 0,
    "starts-sentence": lambda d, k, s: d.sent[k],
    "open": lambda d, k, s: s[2],
}


def words_of(spec: str) -> frozenset[str]:
    """The words of a guard argument: "in LIST|LIST" or "is W|W"."""
    how, arg = spec.split()
    if how == "in":
        return frozenset().union(*(WORDS[name] for name in arg.split("|")))
    if how == "is":
        return frozenset(arg.split("|"))
    raise ValueError(f"lexical tables: {spec!r} is neither 'in LIST' nor 'is WORD|WORD'")


def _test(item: str, named: dict[str, Test]) -> Test:
    name, _, arg = item.partition(" ")
    if name in ("in", "is"):
        return _In(words_of(item))
    if name == "raw":
        return _In(frozenset(arg.split("|")), raw=True)
    if name == "tag":  # a tag or a tag's start: "tag NN" is any noun, "tag NN1|AJ0" either
        prefixes = tuple(arg.split("|"))
        return lambda d, k, s: d.tag(k).startswith(prefixes)
    if name == "ends":
        suffixes = tuple(arg.split("|"))
        return lambda d, k, s: d.skel[k].endswith(suffixes)
    if name in TESTS:
        return TESTS[name]
    if name in named:
        return named[name]
    raise ValueError(f"lexical tables: unknown test {name!r}")


_POSITION = re.compile(r"here|(prev|next)(\d*)(?:\.\.(prev|next)(\d*))?")


def _position(word: str) -> tuple[int, int, int] | None:
    """(0: counted from the span's start, 1: from its end; first offset; last offset)."""
    m = _POSITION.fullmatch(word)
    if m is None:
        return None
    if word == "here":
        return 0, 0, 0
    side, lo = m.group(1), int(m.group(2) or 1)
    hi = int(m.group(4) or 1) if m.group(3) else lo
    return (0, -lo, -hi) if side == "prev" else (1, lo - 1, hi - 1)


def _clause(items: list[str], named: dict[str, Test]) -> Guard:
    """One clause: [not] [POSITION] [not] TEST ..."""
    negated = items[:1] == ["not"]
    items = items[negated:]
    position = _position(items[0]) if items else None
    side, lo, hi = position or (0, 0, 0)
    tests: list[Test] = []
    negate = False
    for item in items[position is not None:]:
        if item == "not":
            negate = True
            continue
        t = _test(item, named)
        tests.append((lambda t: lambda d, k, s: not t(d, k, s))(t) if negate else t)
        negate = False
    if not tests:
        raise ValueError("lexical tables: a guard's clause has no test")
    if len(tests) == 1:
        test = tests[0]
    else:
        def test(d: Doc, k: int, s: Span) -> bool:
            for t in tests:
                if not t(d, k, s):
                    return False
            return True
    if lo == hi:  # one position; the commonest clauses (a word list, a method) made cheap
        if isinstance(test, _In):
            words = test.words
            if test.raw:
                return lambda d, s: (0 <= (k := s[side] + lo) < d.n and d.raw[k] in words) != negated
            return lambda d, s: (0 <= (k := s[side] + lo) < d.n and d.skel[k] in words) != negated
        if isinstance(test, _Method):
            method = test.method
            return lambda d, s: (0 <= (k := s[side] + lo) < d.n and method(d, k)) != negated
        return lambda d, s: (0 <= (k := s[side] + lo) < d.n and test(d, k, s)) != negated

    def holds(d: Doc, s: Span) -> bool:
        base = s[side]
        for k in range(max(base + lo, 0), min(base + hi + 1, d.n)):
            if test(d, k, s):
                return not negated
        return negated

    return holds


def compile_guard(text: str, named: dict[str, Test]) -> Guard:
    """A guard of a table (tables/README.md) as a function of a text and a span."""
    branches: list[list[Guard]] = [[]]  # clauses joined by "and", the lists by "or"
    clause: list[str] = []
    try:
        words = iter(text.split())
        for w in words:
            if w in ("in", "is", "raw", "ends", "tag"):
                clause.append(f"{w} {next(words)}")
            elif w in ("and", "or"):
                branches[-1].append(_clause(clause, named))
                clause = []
                if w == "or":
                    branches.append([])
            else:
                clause.append(w)
        branches[-1].append(_clause(clause, named))
    except (ValueError, KeyError, StopIteration) as e:
        raise ValueError(f"lexical tables: guard {text!r}: {e}") from None
    if len(branches) == 1 and len(branches[0]) == 1:
        return branches[0][0]

    def holds(d: Doc, s: Span) -> bool:
        for clauses in branches:
            for c in clauses:
                if not c(d, s):
                    break
            else:
                return True
        return False

    return holds


# ---------------------------------------------------------------------------------------
# Rules


Finder = Callable[[Doc, int], int]
Proposer = Callable[[Doc, int], "Site | None"]  # a rule tried at a token


@dataclass(frozen=True)
class Rule:
    family: str
    kind: str
    case: str
    exact: bool
    guards: tuple[Guard, ...]
    word: Form | None  # the word or comma an insert/remove rule varies
    inserts: bool
    after: Finder | None
    apply: tuple[tuple[str, str], ...]
    refuse: tuple[str, ...]

    def holds(self, d: Doc, s: Span) -> bool:
        for g in self.guards:
            if not g(d, s):
                return False
        return True


_FIELDS = {"kind", "case", "exact", "alone", "alternations", "insert", "remove", "swap", "at", "after", "when",
           "apply", "refuse"}


def load_family(family: str, named: dict[str, Test], finders: dict[str, tuple[Finder, frozenset[str]]]
                ) -> list[tuple[str, Rule, Proposer]]:
    """A family's rules in table order, as (skeleton of the token tried, rule, proposer)."""
    out: list[tuple[str, Rule, Proposer]] = []
    for entry in TABLE[family].get("rule", []):
        if set(entry) - _FIELDS:
            raise ValueError(f"lexical tables: {family}.toml: unknown field(s) {set(entry) - _FIELDS}")
        alternations = entry.get("alternations", [])
        kinds = alternations if isinstance(alternations, dict) else {entry.get("kind", family): ()}
        if any(k.split(":")[0] != family for k in kinds):
            raise ValueError(f"lexical tables: {family}.toml: a kind of another family in {list(kinds)}")
        variable = entry.get("insert", entry.get("remove"))
        finder, triggers = finders[entry["after"]] if "after" in entry else (None, frozenset())
        rule = Rule(
            family=family, kind=entry.get("kind", family),
            case=entry.get("case", "exact" if "remove" in entry else "any"),
            exact=entry.get("exact", False),
            guards=tuple(compile_guard(g, named) for g in entry.get("when", ())),
            word=None if variable is None else parse_form(variable), inserts="insert" in entry,
            after=finder, apply=tuple(tuple(x) for x in entry.get("apply", ())),
            refuse=tuple(entry.get("refuse", ())))
        if "swap" in entry:
            out.extend((t, rule, _swapper(rule)) for t in sorted(entry["swap"].split("|")))
            continue
        if rule.word is not None:
            if finder is None:
                triggers = words_of(entry["at"]) if rule.inserts else {rule.word.words[0]}
            propose = _varier(rule)
            out.extend((t, rule, propose) for t in sorted(triggers))
            continue
        if isinstance(alternations, list):
            alternations = {rule.kind: alternations}
        for kind, items in alternations.items():
            # alone: no form of the kind elsewhere in the sentence ("email ... e-mails" would
            # spell one word two ways in a copy)
            kin = frozenset(w for item in items for x in re.split(r"[>|]", item)
                            for w in parse_form(x.strip()).words) if entry.get("alone") else None
            for item in items:
                source, _, target = item.rpartition(">")
                forms = [parse_form(x.strip()) for x in target.split("|")]
                for f in [parse_form(source.strip())] if source else forms:
                    others = tuple(x.text for x in forms if x.text != f.text)
                    out.append((f.words[0], rule, _replacer(rule, f, kind, others, kin)))
    return out


def _alone(d: Doc, i: int, end: int, kin: frozenset[str]) -> bool:
    """No word of `kin` in the sentence of tokens [i, end) outside them."""
    lo, hi = d.sentence(i, end)
    return not any(d.skel[k] in kin for k in range(lo, hi) if not i <= k < end)


def _replacer(rule: Rule, form: Form, kind: str, alternatives: tuple[str, ...],
              kin: frozenset[str] | None = None) -> Proposer:
    """Proposes to replace `form`, read at a token, by each alternative."""
    exact, is_open = rule.exact, form.open
    capital, holds = capitalizer(rule.case, form), rule.holds
    # the skeleton of the token after the first word, if any: a cheap first test
    second = None if not form.hyphenated else "-" if form.hyphenated[0] else form.words[1]

    def propose(d: Doc, i: int) -> Site | None:
        if second is None:
            end = i + 1
        elif d.skel[i + 1] != second or (end := match(d, i, form, exact)) < 0:
            return None
        cap = capital(d, i)
        if cap is None or not holds(d, (i, end, is_open)):
            return None
        if kin is not None and not _alone(d, i, end, kin):
            return None
        alts = tuple(a.replace("'", d.apos) for a in alternatives)  # a contraction like the others
        if cap:
            alts = tuple(a[:1].upper() + a[1:] for a in alts)
        s, e = d.starts[i], d.ends[end - 1]
        return d.site(kind, s, e, (d.text[s:e], *alts), i, end)

    return propose


def _varier(rule: Rule) -> Proposer:
    """Proposes to insert or remove a word (before a token, with its space) or a comma (after
    a token), at the token tried or after the phrase that the rule's finder reads there."""
    word, kind, after, inserts, holds = rule.word, rule.kind, rule.after, rule.inserts, rule.holds
    capital = capitalizer(rule.case, word)
    is_word = word.text[0].isalnum()

    def propose(d: Doc, i: int) -> Site | None:
        start = i if after is None else after(d, i)
        if start < 0:
            return None
        if inserts:
            if d.raw[start] == word.text:
                return None  # already there: a removal
            end = start
        elif capital(d, start) is None:
            return None
        else:
            end = start + 1
        if not holds(d, (start, end, False)):
            return None
        if inserts:
            if is_word:
                return d.site(kind, d.starts[start], d.starts[start], ("", word.text + " "), start, start)
            return d.site(kind, d.ends[start - 1], d.ends[start - 1], ("", word.text), start, start)
        s, e = d.starts[start], d.starts[end] if is_word else d.ends[start]
        return d.site(kind, s, e, (d.text[s:e], ""), start, end)

    return propose


def _swapper(rule: Rule) -> Proposer:
    """Proposes to swap the words on either side of the conjunction at a token ("policies and
    procedures" -> "procedures and policies"); the rule's guards see the span A conj B."""
    kind, holds = rule.kind, rule.holds

    def propose(d: Doc, i: int) -> Site | None:
        a, b = i - 1, i + 1
        if a < 1 or b >= d.n - 1 or not (d.spaced(i) and d.spaced(b)):
            return None
        if not holds(d, (a, b + 1, False)):
            return None
        s, e = d.starts[a], d.ends[b]
        swapped = d.text[d.starts[b]:e] + d.text[d.ends[a]:d.starts[b]] + d.text[s:d.ends[a]]
        return d.site(kind, s, e, (d.text[s:e], swapped), a, b + 1)

    return propose
