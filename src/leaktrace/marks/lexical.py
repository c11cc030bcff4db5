"""Lexical channel: ASCII, meaning-preserving word alternations that survive retyping.

Each rule proposes a site only where its guards show the alternation cannot change what
the sentence says (a wrong site is far worse than a missing one); sites never touch
protected text, never share a token, and keep one unchanged anchor token between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..text.protect import Protected
from ..text.tokens import Tokens
from .sites import Channel, Site, is_readable

# ---------------------------------------------------------------------------------------
# Word lists shared by the rules

_HYPHENS = frozenset({"-", "\u2010", "\u2011"})
_SENT_END = frozenset({".", "!", "?", "…", "...", ":"})
_LINE_MARKS = frozenset({"#", "-", "*", "+", ">", "•"})
_SKIP_BACK = frozenset({"*", "_", "(", "["})
_CURRENCY = frozenset({"$", "£", "€", "¥"})

_SUBJECT_PRONOUNS = frozenset({"i", "you", "we", "they", "he", "she", "it"})
_MODALS = frozenset({
    "will", "would", "can", "could", "should", "must", "may", "might", "shall",
    "did", "do", "does", "didn't", "don't", "doesn't", "won't", "can't", "cannot",
    "couldn't", "wouldn't", "shouldn't", "we'll", "they'll", "i'll", "you'll",
})
# Words after which "to" introduces an infinitive ("plan to start"), not a noun ("access to help").
_TO_INFINITIVE_HEADS = frozenset({
    "need", "needs", "needed", "want", "wants", "wanted", "able", "unable", "willing",
    "happy", "glad", "pleased", "ready", "continue", "continues", "continued", "plan", "plans",
    "planned", "planning", "going", "has", "have", "had", "offered", "offer", "offers", "agreed",
    "agree", "asked", "expect", "expects", "expected", "hope", "hopes", "hoped", "try", "tries",
    "tried", "intend", "intends", "intended", "aim", "aims", "aimed", "due", "set", "scheduled",
    "likely", "unlikely", "about", "decided", "decide", "volunteered", "available", "prepared",
    "managed", "wish", "wishes", "would", "like", "prefer", "order",
})
_IRREGULAR_PARTICIPLES = frozenset({
    "been", "done", "seen", "made", "taken", "given", "gone", "begun", "known", "shown",
    "written", "spoken", "chosen", "found", "held", "built", "sent", "spent", "lost", "met",
    "paid", "led", "kept", "brought", "bought", "thought", "told", "said", "heard", "left",
    "set", "put", "cut", "run", "won", "become", "come", "got", "gotten", "had", "felt",
    "meant", "read", "understood", "taught", "caught", "drawn", "grown", "thrown", "driven",
    "risen", "fallen", "broken", "forgotten", "hidden", "struck", "stood", "sold", "fed",
    "dealt", "let", "shut", "spread", "withdrawn", "undertaken", "overseen", "learnt",
})
# Participles (and adverbs that precede them) after which "we have" is an auxiliary.
_HAVE_AUX_NEXT = _IRREGULAR_PARTICIPLES | frozenset({
    "completed", "decided", "agreed", "started", "finished", "reviewed", "identified",
    "asked", "worked", "received", "learned", "noticed", "noted", "tried", "raised",
    "reached", "launched", "hired", "updated", "prepared", "submitted", "approved",
    "discussed", "considered", "included", "added", "removed", "reduced", "increased",
    "changed", "delivered", "introduced", "invited", "contacted", "informed", "planned",
    "allocated", "secured", "signed", "confirmed", "shared", "published", "created",
    "developed", "established", "improved", "achieved", "managed", "failed", "returned",
    "already", "also", "now", "just", "never", "always", "recently",
})
_NUMBER_WORDS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9"}
_DIGIT_WORDS = {v: k for k, v in _NUMBER_WORDS.items()}
_ALL_NUMBER_WORDS = frozenset({
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety", "hundred", "thousand", "million", "billion", "dozen",
})

# ---------------------------------------------------------------------------------------
# Per-call context


@dataclass
class _Doc:
    tokens: Tokens
    protected: Protected
    text: str
    raw: tuple[str, ...]
    skel: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    n: int
    sent: list[bool]
    apos: str

    def word(self, i: int) -> bool:
        return 0 <= i < self.n and self.raw[i][0].isalnum()

    def gap(self, i: int) -> str:
        """Text between token i-1 and token i."""
        return self.text[self.ends[i - 1]:self.starts[i]]

    def spaced(self, i: int) -> bool:
        """Token i follows token i-1 after plain white space within one paragraph."""
        if not 0 < i < self.n:
            return False
        g = self.gap(i)
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
        return self.word(i) and (self.raw[i][0].isdigit() or self.skel[i] in _ALL_NUMBER_WORDS)

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

    def replace(self, kind: str, a: int, b: int, alternatives: tuple[str, ...],
                cap: int = 0) -> Site | None:
        """A site replacing tokens [a, b) by each alternative (capitalized if cap == 1)."""
        if cap == 1:
            alternatives = tuple(_cap(x) for x in alternatives)
        s, e = self.starts[a], self.ends[b - 1]
        return self.site(kind, s, e, (self.text[s:e], *alternatives), a, b)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _sentence_starts(tokens: Tokens) -> list[bool]:
    text, raw, starts, ends = tokens.text, tokens.raw, tokens.starts, tokens.ends
    n = len(raw)
    out = [False] * n
    for i in range(n):
        k = i - 1
        while k >= 0 and raw[k] in _SKIP_BACK:
            k -= 1
        if k < 0:
            out[i] = True
            continue
        gap = text[ends[k]:starts[k + 1]]
        p = raw[k]
        if gap.count("\n") >= 2 or p in _SENT_END:
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


def _ap(doc: _Doc, s: str) -> str:
    return s.replace("'", doc.apos)


Rule = Callable[[_Doc, int], "Site | None"]

# ---------------------------------------------------------------------------------------
# Contractions

_NEGATIVE = {  # first word -> contraction of "<word> not"
    "do": "don't", "does": "doesn't", "did": "didn't", "is": "isn't", "are": "aren't",
    "was": "wasn't", "were": "weren't", "will": "won't", "could": "couldn't",
    "should": "shouldn't", "would": "wouldn't", "have": "haven't", "has": "hasn't",
    "had": "hadn't",
}
_NEGATIVE_EXPANSION = {c: f"{w} not" for w, c in _NEGATIVE.items()} | {"can't": "cannot"}
# After these, a negative contraction is an inverted question ("Don't you think").
_INVERSION_NEXT = frozenset({"i", "you", "we", "they", "he", "she", "it", "there", "that",
                             "this", "these", "those", "everyone", "anyone", "someone"})
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "our", "its", "my", "your",
                          "this", "that", "these", "those", "no", "any", "every", "each",
                          "some", "good", "free"})

_PRONOUN = {  # (subject, verb) -> contraction
    ("it", "is"): "it's", ("that", "is"): "that's", ("there", "is"): "there's",
    ("what", "is"): "what's", ("he", "is"): "he's", ("she", "is"): "she's",
    ("we", "are"): "we're", ("they", "are"): "they're", ("you", "are"): "you're",
    ("i", "am"): "I'm",
    ("we", "will"): "we'll", ("they", "will"): "they'll", ("you", "will"): "you'll",
    ("i", "will"): "I'll", ("he", "will"): "he'll", ("she", "will"): "she'll",
    ("we", "have"): "we've", ("they", "have"): "they've", ("you", "have"): "you've",
    ("i", "have"): "I've",
    ("we", "would"): "we'd", ("they", "would"): "they'd", ("you", "would"): "you'd",
    ("i", "would"): "I'd",
}
_PRONOUN_FIRST: dict[str, dict[str, str]] = {}
for (_w1, _w2), _c in _PRONOUN.items():
    _PRONOUN_FIRST.setdefault(_w1, {})[_w2] = _c
# A contracted verb cannot end a clause or precede the gap left by a moved complement.
_CONTRACTION_STOP_NEXT = frozenset({
    "and", "or", "but", "nor", "then", "than", "as", "so", "if", "because", "when", "where",
    "while", "though", "although", "since", "unless", "until", "whether", "its", "it's",
    "too", "either", "neither", "today", "here", "there",
})
# Tokens after which a pronoun certainly starts a clause as its subject.
_CLAUSE_OPENERS = frozenset({",", ";", ":", "(", "and", "but", "so", "because", "if", "when",
                             "since", "although", "though", "while", "unless", "until",
                             "once", "whether", "now"})
# Verbs that take a "that" clause which may drop "that" (forms that are rarely nouns).
_THAT_VERBS = frozenset({
    "said", "says", "say", "believe", "believes", "believed", "think", "thinks", "thought",
    "know", "knows", "knew", "confirmed", "confirm", "confirms", "agreed", "agree", "agrees",
    "noted", "note", "ensure", "ensures", "ensured", "expect", "expects", "expected", "hope",
    "hoped", "suggest", "suggests", "suggested", "found", "find", "showed", "mentioned",
    "decided", "felt", "feel", "feels", "realized", "realised", "realize", "realise",
    "assume", "assumes", "assumed", "understand", "understands", "understood", "recognize",
    "recognise", "recognized", "recognised", "accept", "accepts", "accepted", "indicated",
    "indicates", "reported", "estimated", "concluded", "argued", "argue", "argues", "stated",
    "remember", "remembered", "means", "meant", "heard", "learned", "learnt", "predicted",
    "predict", "predicts", "announced", "admitted", "acknowledged", "acknowledge",
    "acknowledges", "explained", "anticipate", "anticipated", "insisted", "emphasized",
    "emphasised",
})
_HAS_AFTER_S = frozenset({"been", "got", "gotten", "had"})
# After "it's", "they're", "you're" (often typed for its/their/your), expand only before
# words that cannot follow a possessive.
_SAFE_AFTER_SUBJECT = frozenset({
    "a", "an", "the", "not", "also", "still", "now", "too", "only", "just", "all", "very",
    "quite", "so", "more", "less", "most", "no", "never", "always", "already", "clear",
    "important", "likely", "unlikely", "possible", "impossible", "essential", "critical",
    "necessary", "worth", "our", "their", "your", "my", "this", "that", "what", "how", "why",
    "hard", "easy", "good", "better", "best", "fine", "true", "up", "in", "on", "at", "for",
    "about", "with", "from", "under", "over", "going", "unclear", "difficult", "vital",
    "crucial", "helpful", "useful", "reasonable", "fair", "early", "late", "here", "there",
    "ready", "right", "available", "responsible", "aware", "able", "confident", "happy",
    "sure", "welcome", "free", "open", "due", "part", "out", "back", "off", "unlikely",
    "time", "far", "much", "too", "getting", "doing", "working", "looking", "asking",
    "planning", "expecting", "being", "making", "taking", "moving",
})
_LET_US_NEXT = frozenset({
    "focus", "be", "consider", "remember", "recall", "hope", "turn", "move", "proceed",
    "continue", "not", "agree", "assume", "note",
})


def _subject_position(doc: _Doc, i: int) -> bool:
    """The pronoun at i starts a clause (so it is a subject, not an object)."""
    if doc.sent[i]:
        return True
    p = doc.skel[i - 1]
    if p in _CLAUSE_OPENERS:
        return True
    # "we believe that we are ..."
    return p == "that" and i >= 2 and doc.skel[i - 2] in _THAT_VERBS


def _contract_pronoun(doc: _Doc, i: int) -> Site | None:
    """'we are' -> 'we're', 'it is' -> 'it's', 'I am' -> "I'm", 'Let us' -> "Let's"."""
    first = doc.skel[i]
    if first == "let":
        return _contract_let_us(doc, i)
    table = _PRONOUN_FIRST.get(first)
    j = i + 1
    if table is None or not doc.lower(j) or not doc.spaced(j):
        return None
    contraction = table.get(doc.skel[j])
    if contraction is None:
        return None
    cap = _subject_case(doc, i, first == "i")
    if cap is None:
        return None
    k = j + 1
    if not doc.word(k) or not doc.spaced(k):
        return None  # "they are." cannot become "they're."
    nxt = doc.skel[k]
    if nxt in _CONTRACTION_STOP_NEXT:
        return None
    verb = doc.skel[j]
    if verb in ("will", "have", "would") and nxt == "not":
        return None  # "we'll not", "we've not" read oddly; "won't"/"haven't" take these
    if verb == "have" and nxt not in _HAVE_AUX_NEXT:
        return None  # "we have a plan" is not "we've a plan"
    if verb == "is" and first == "it" and nxt in ("its",):
        return None
    if first == "that" and nxt == "to":
        return None  # "that is to say"
    if not _subject_position(doc, i):
        return None
    return doc.replace("contraction", i, j + 1, (_ap(doc, contraction),), cap)


def _subject_case(doc: _Doc, i: int, first_person: bool) -> int | None:
    """Case of a subject word for `_Doc.replace`; "I" is always capital and never a name."""
    if first_person:
        return 0 if doc.raw[i][0] == "I" else None
    cap = doc.case(i)
    return None if cap < 0 else cap


def _contract_let_us(doc: _Doc, i: int) -> Site | None:
    # Only the sentence-initial exhortation: "let us know/have/see" means "allow us".
    j = i + 1
    if doc.raw[i] != "Let" or not doc.sent[i] or doc.raw[j:j + 1] != ("us",) or not doc.spaced(j):
        return None
    k = j + 1
    if not doc.lower(k) or doc.skel[k] not in _LET_US_NEXT:
        return None
    return doc.replace("contraction", i, j + 1, (_ap(doc, "Let's"),))


def _contract_negative(doc: _Doc, i: int) -> Site | None:
    """'do not' -> "don't"; 'cannot' -> "can't"."""
    w = doc.skel[i]
    cap = doc.case(i)
    if cap < 0:
        return None
    if w == "cannot":
        return doc.replace("contraction", i, i + 1, (_ap(doc, "can't"),), cap)
    j = i + 1
    if doc.raw[j:j + 1] != ("not",) or not doc.spaced(j) or w not in _NEGATIVE:
        return None
    if w == "will" and i > 0 and doc.skel[i - 1] in _DETERMINERS:
        return None  # "the will not to ..."
    if j + 1 < doc.n and doc.tight(j + 1) and doc.raw[j + 1] in _HYPHENS:
        return None  # "not-for-profit"
    return doc.replace("contraction", i, j + 1, (_ap(doc, _NEGATIVE[w]),), cap)


def _expand(doc: _Doc, i: int) -> Site | None:
    """Contractions back to full forms: "don't" -> 'do not', "it's" -> 'it is'."""
    w = doc.skel[i]
    doc.raw[i]
    cap = _subject_case(doc, i, w.startswith("i'"))
    if cap is None:
        return None
    k = i + 1
    nxt = doc.skel[k] if k < doc.n and doc.word(k) else ""
    if w in _NEGATIVE_EXPANSION:
        if nxt in _INVERSION_NEXT:
            return None  # "Don't you think" cannot become "Do not you think"
        return doc.replace("contraction", i, i + 1, (_NEGATIVE_EXPANSION[w],), cap)
    if w == "let's":
        return doc.replace("contraction", i, i + 1, ("let us",), cap)
    subject, _, suffix = w.partition("'")
    subject_text = "I" if subject == "i" else subject
    if suffix == "s":
        if subject not in ("it", "that", "there", "what", "he", "she", "here"):
            return None
        if nxt in _HAS_AFTER_S:
            verb = "has"
        elif nxt in _IRREGULAR_PARTICIPLES or nxt.endswith("ed"):
            return None  # "it's decided": is or has?
        else:
            verb = "is"
    elif suffix in ("re", "m", "ll", "ve"):
        verb = {"re": "are", "m": "am", "ll": "will", "ve": "have"}[suffix]
        if (subject, verb) not in _PRONOUN:
            return None
    else:
        return None  # 'd: would or had?
    if subject in ("it", "they", "you") and suffix in ("s", "re") and not (
        nxt in _SAFE_AFTER_SUBJECT or nxt in _HAS_AFTER_S or nxt.endswith("ly")
    ):
        return None  # perhaps a typo for its/their/your
    return doc.replace("contraction", i, i + 1, (f"{subject_text} {verb}",), cap)


# ---------------------------------------------------------------------------------------
# Number words

_NUMBER_LABELS = frozenset({
    "page", "pages", "section", "sections", "chapter", "version", "step", "phase", "figure",
    "fig", "table", "room", "no", "nos", "number", "item", "article", "rule", "level", "grade",
    "route", "line", "gate", "platform", "unit", "option", "plan", "scenario", "stage", "tier",
    "category", "type", "class", "zone", "area", "building", "floor", "week", "day", "year",
    "month", "quarter", "q", "term", "round", "wave", "group", "team", "lot", "batch", "column",
    "row", "box", "slide", "exhibit", "appendix", "annex", "schedule", "paragraph", "clause",
    "part", "volume", "issue", "edition", "release", "build", "model", "size", "score", "rank",
    "ward", "district", "region", "bay", "track", "channel", "station", "lane", "road",
    "street", "suite", "apt", "apartment", "flat", "house", "door", "pier", "dock", "hall",
    "wing", "block", "sector", "point", "priority", "p", "v", "n", "x", "site", "depot",
    "period", "lesson", "module", "session", "task", "question", "q", "test", "trial",
})
_NUMBER_BAD_PREV = frozenset({"$", "£", "€", "¥", "#", "%", ":", "/", "-", "+", "=", "×",
                              "~", "<", ">", "x", ".", "&", "^", "*"})
_RANGE_WORDS = frozenset({"or", "to", "and", "-", "–", "—", "by", "of", "in", "than", ","})
_NOT_PLURAL = frozenset({
    "was", "has", "does", "this", "its", "his", "hers", "ours", "yours", "theirs", "yes",
    "always", "perhaps", "besides", "whereas", "towards", "afterwards", "news", "plus",
    "thus", "across", "means", "series", "species", "sometimes", "lens", "gas", "bias",
    "canvas", "atlas", "alias", "chaos", "ethos", "whereabouts", "upwards", "downwards",
    "backwards", "forwards", "outwards", "nevertheless", "overseas", "hers", "goes",
})


def _plural_noun(doc: _Doc, j: int) -> bool:
    if not doc.lower(j) or not doc.spaced(j):
        return False
    w = doc.raw[j]
    return (len(w) >= 3 and w.isalpha() and w.endswith("s") and w not in _NOT_PLURAL
            and not w.endswith(("ss", "us", "is", "ous")))


def _number_word(doc: _Doc, i: int) -> Site | None:
    """'three crews' <-> '3 crews' (2 to 9, only before a plural noun)."""
    raw = doc.raw[i]
    alt = _NUMBER_WORDS.get(raw) or _DIGIT_WORDS.get(raw)
    if alt is None or doc.sent[i]:
        return None
    j = i + 1
    if not _plural_noun(doc, j):
        return None
    if j + 1 < doc.n and doc.tight(j + 1) and doc.raw[j + 1] in _HYPHENS:
        return None
    p = i - 1
    praw, pskel = doc.raw[p], doc.skel[p]
    if doc.tight(i) and praw != "(":
        return None  # "$3", "#3", "3.5", "2-3", "three-"
    if pskel in _NUMBER_LABELS or pskel in _NUMBER_BAD_PREV or doc.is_number(p):
        return None  # "page 3", "£3", "twenty two"
    if praw in _HYPHENS or praw in ("–", "—"):
        return None
    if doc.word(p) and praw[0].isupper() and not doc.sent[p]:
        return None  # "Phase 3 results"
    if pskel in _RANGE_WORDS and p >= 1 and doc.is_number(p - 1):
        return None  # "2 or 3 days", "two, three days"
    return doc.replace("number-word", i, i + 1, (alt,))


# ---------------------------------------------------------------------------------------
# Serial comma

_ITEM_STOP = frozenset({
    "we", "they", "it", "he", "she", "i", "you", "is", "are", "was", "were", "be", "been",
    "will", "would", "can", "could", "should", "must", "may", "might", "has", "have", "had",
    "do", "does", "did", "that", "which", "who", "whom", "whose", "but", "so", "then", "if",
    "when", "while", "because", "although", "though", "and", "or", "nor", "not", "there",
    "etc", "however", "therefore", "also", "too", "as", "than", "thus", "yet",
})
_AFTER_CONJ_STOP = frozenset({
    "we", "they", "it", "he", "she", "i", "you", "there", "then", "so", "also", "not", "yet",
    "thus", "therefore", "that", "this", "these", "those", "which", "who", "now", "if", "when",
    "because", "although", "though", "while", "but", "as", "hence", "still", "otherwise",
    "instead", "later", "finally", "whether",
})
# First words of an introductory phrase ("In March, costs and revenue rose").
_INTRO = frozenset({
    "in", "on", "at", "for", "by", "after", "before", "during", "since", "until", "with",
    "without", "under", "over", "from", "through", "throughout", "within", "across", "among",
    "amongst", "between", "beyond", "despite", "following", "per", "via", "unlike", "like",
    "about", "against", "around", "toward", "towards", "upon", "into", "of", "to", "as",
    "if", "when", "whenever", "while", "whilst", "although", "though", "because", "once",
    "unless", "whereas", "where", "so", "given", "assuming", "provided", "however", "finally",
    "first", "second", "third", "also", "meanwhile", "today", "now", "then", "yes", "no",
    "next", "last", "still", "instead", "otherwise", "overall", "indeed", "thus", "therefore",
    "hence", "moreover", "furthermore", "consequently", "similarly", "likewise",
    "nevertheless", "nonetheless", "this", "that", "these", "those", "but", "or", "yet",
    "even", "only", "here", "there", "again", "together", "besides",
    "tomorrow", "yesterday", "ideally", "alternatively", "regardless", "accordingly",
    "please", "thanks", "note", "sadly", "happily", "whatever", "whichever", "what", "why",
    "how", "who", "which", "whether", "unfortunately", "fortunately",
})
_TIME_WORDS = frozenset({
    "day", "days", "week", "weeks", "month", "months", "year", "years", "quarter", "morning",
    "afternoon", "evening", "night", "time", "moment", "meantime", "past", "future", "end",
    "start", "beginning", "ago", "today", "tomorrow", "yesterday", "weekend", "spring",
    "summer", "autumn", "fall", "winter", "season", "period", "later", "earlier", "meanwhile",
    "often", "way", "point", "stage",
})
_BOUNDARY = frozenset({",", ";", ":", "(", ")", "—", "–", "--", "[", "]"})


def _list_before(doc: _Doc, last: int, conj: int) -> bool:
    """Tokens up to `last` end the last-but-one item of a list "A, B and C"."""
    nxt = conj + 1
    if not doc.lower(nxt) or doc.skel[nxt] in _AFTER_CONJ_STOP or not doc.spaced(nxt):
        return False
    # B: one to three words back to the comma that follows A.
    k, words = last, 0
    while k > 0 and last - k < 6:
        t = doc.raw[k]
        if t == ",":
            break
        if doc.word(k):
            if doc.skel[k] in _ITEM_STOP or any(ch.isdigit() for ch in t):
                return False
            words += 1
        elif not (t in _HYPHENS and doc.tight(k) and doc.tight(k + 1)):
            return False
        k -= 1
    else:
        return False
    comma = k
    if doc.raw[comma] != "," or not 1 <= words <= 3 or doc.sent[comma + 1]:
        return False
    b_first = doc.skel[comma + 1]
    if not doc.tight(comma) or not doc.spaced(comma + 1):
        return False  # "1,000" or "x ,y"
    a_last = comma - 1
    if not doc.word(a_last) or any(ch.isdigit() for ch in doc.raw[a_last]):
        return False
    # A and what precedes it: refuse introductory phrases and clauses.
    m = a_last
    while m > 0 and not doc.sent[m] and doc.raw[m - 1] not in _BOUNDARY and a_last - m < 40:
        m -= 1
    if doc.skel[m] in ("and", "but") and m < a_last and not doc.sent[m]:
        m += 1  # "..., and each of them reported A, B and C"
    if b_first in _INTRO and b_first not in doc.skel[m:comma]:
        return False  # "our view, in short and simple terms, ..." is a parenthesis
    first = doc.skel[m]
    if not doc.word(m) or first in _INTRO or first.endswith(("ly", "ing", "ed")) \
            or first in _IRREGULAR_PARTICIPLES:
        return False
    if doc.sent[m] and m == a_last:
        return False  # "Overall, costs and revenue rose"
    a_word = doc.skel[a_last]
    if a_word in _ITEM_STOP or a_word.endswith("ed") or a_word in _IRREGULAR_PARTICIPLES:
        return False  # "When the plan is approved, staff and ..."
    return not any(doc.skel[x] in _TIME_WORDS for x in range(m, comma))


def _serial_insert(doc: _Doc, i: int) -> Site | None:
    """'A, B and C' -> 'A, B, and C'."""
    if not doc.lower(i) or not doc.spaced(i) or not doc.word(i - 1):
        return None
    if not _list_before(doc, i - 1, i):
        return None
    at = doc.ends[i - 1]
    return doc.site("serial-comma", at, at, ("", ","), i, i)


def _serial_remove(doc: _Doc, i: int) -> Site | None:
    """'A, B, and C' -> 'A, B and C'."""
    j = i + 1
    if j >= doc.n or doc.skel[j] not in ("and", "or") or not doc.lower(j):
        return None
    if not doc.tight(i) or not doc.spaced(j) or not doc.word(i - 1):
        return None
    if not _list_before(doc, i - 1, j):
        return None
    return doc.site("serial-comma", doc.starts[i], doc.ends[i], (",", ""), i, i + 1)


# ---------------------------------------------------------------------------------------
# Optional "that"

_CLAUSE_SUBJECTS = frozenset({
    "the", "a", "an", "we", "they", "it", "our", "this", "these", "all", "most", "some", "he",
    "she", "you", "i", "their", "its", "no", "there", "those", "many", "each", "every", "any",
    "your", "my", "both", "several", "few", "more", "none", "everyone", "everybody",
    "someone", "somebody", "nobody", "anyone", "anybody", "everything", "something", "nothing",
})
_PERSONAL = frozenset({"we", "they", "it", "he", "she", "you", "i", "there", "everyone",
                       "everybody", "someone", "somebody", "nobody", "anyone", "anybody",
                       "everything", "something", "nothing"})
_CONTRACTED_SUBJECTS = frozenset({
    "it's", "we're", "they're", "we'll", "they'll", "there's", "we've", "they've", "i'm",
    "you're", "he's", "she's", "i'll", "you'll", "i've", "you've", "we'd", "they'd", "i'd",
})
_FINITE = frozenset({
    "is", "are", "was", "were", "will", "would", "can", "could", "should", "must", "has",
    "have", "had", "may", "might", "did", "does", "do", "need", "needs", "remains", "remain",
    "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't", "cannot", "couldn't",
    "shouldn't", "hasn't", "haven't", "hadn't", "didn't", "doesn't", "don't", "shall",
})
_ADVERBS = frozenset({"also", "still", "now", "always", "never", "often", "already", "really",
                      "just", "only", "all", "both", "alone", "certainly", "probably",
                      "therefore", "then", "usually", "sometimes", "generally", "strongly",
                      "firmly", "fully", "clearly", "rightly"})
_CLAUSE_BLOCK = frozenset({
    "who", "which", "that", "whom", "whose", "we", "they", "i", "you", "he", "she", "it",
    "there", "when", "where", "if", "as", "and", "or", "but", "to", "than", "because",
})


def _looks_finite(w: str) -> bool:
    """A third-person or past-tense verb form ('closes', 'rose' excepted)."""
    return len(w) > 3 and w.isalpha() and (
        (w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")))
        or w.endswith("ed"))


def _starts_clause(doc: _Doc, d: int, relaxed: bool = False) -> bool:
    """Token d is the subject of a finite clause: 'the plan will', 'we are', "it's"."""
    w = doc.skel[d]
    if not (doc.lower(d) or doc.raw[d] == "I" or doc.raw[d].startswith(("I'", "I’"))):
        return False
    if w in _CONTRACTED_SUBJECTS:
        return True
    if w not in _CLAUSE_SUBJECTS:
        return False
    if w in _PERSONAL:
        k = d + 1
        if doc.lower(k) and doc.skel[k] in _ADVERBS:
            k += 1
        return doc.lower(k) and doc.skel[k] in _FINITE
    for k in range(d + 1, min(d + 7, doc.n)):
        if not doc.lower(k) or not doc.spaced(k):
            return False
        t = doc.skel[k]
        if t in _FINITE:
            return k > d + 1 or w in ("this", "these", "those", "all", "most", "some", "many",
                                      "both", "none", "several", "few", "each", "any")
        if t in _CLAUSE_BLOCK or t in _ADVERBS or t in _TIME_WORDS or t.endswith("ly"):
            return False  # "we expect most often are": an adverb, not a subject
        # Where the original has "that", it only has to be shown not to be a pronoun
        # ("we said that the other day"): a verb form after the noun phrase will do.
        if relaxed and k >= d + 2 and _looks_finite(t) and w not in _PERSONAL:
            return True
    return False


_SUBJECT_ADVERBS = frozenset({"also", "now", "still", "already", "all", "both", "really",
                              "strongly", "firmly", "fully", "therefore", "generally",
                              "clearly", "always", "never", "rightly", "certainly"})


def _that_verb(doc: _Doc, v: int) -> bool:
    """Token v is a verb taking a clause, in a main or subordinate clause of its own."""
    if not doc.lower(v) or doc.skel[v] not in _THAT_VERBS or doc.sent[v]:
        return False
    p = v - 1
    if doc.lower(p) and doc.skel[p] in _SUBJECT_ADVERBS and p >= 1:
        p -= 1
    sp = doc.skel[p]
    if doc.skel[v] in ("means", "meant") and sp in ("this", "that", "it"):
        return True
    if sp in _SUBJECT_PRONOUNS:
        # "the questions we expect most often ...": a relative clause, its object gone.
        return _subject_position(doc, p)
    if sp in _DETERMINERS:
        return False  # "the thought that"
    if sp in (",", ":") and doc.skel[v] in ("remember", "note", "ensure", "understand"):
        return True  # "Finally, remember that ..."
    return doc.word(p)


def _that_remove(doc: _Doc, i: int) -> Site | None:
    """'we believe that the plan is' -> 'we believe the plan is'."""
    if doc.raw[i] != "that" or not _that_verb(doc, i - 1) or not doc.spaced(i):
        return None
    j = i + 1
    if not doc.spaced(j) or not _starts_clause(doc, j, relaxed=True):
        return None  # "we said that the other day": that is a pronoun
    return doc.site("optional-that", doc.starts[i], doc.starts[j],
                    (doc.text[doc.starts[i]:doc.starts[j]], ""), i, j)


def _that_insert(doc: _Doc, i: int) -> Site | None:
    """'we believe the plan is' -> 'we believe that the plan is'."""
    if not _that_verb(doc, i - 1) or not doc.spaced(i) or not _starts_clause(doc, i):
        return None
    at = doc.starts[i]
    return doc.site("optional-that", at, at, ("", "that "), i, i)


# ---------------------------------------------------------------------------------------
# Spelling variants of one word

# Variants that are both current in one dialect. US/UK pairs (organize/organise,
# color/colour, center/centre, traveled/travelled) are left out on purpose: a copy that
# mixed them would not read like its original.
_SPELLING = {
    "toward": "towards", "afterward": "afterwards", "among": "amongst", "amid": "amidst",
    "judgment": "judgement", "judgments": "judgements", "acknowledgment": "acknowledgement",
    "acknowledgments": "acknowledgements",
}
_SPELLING_PAIRS = _SPELLING | {v: k for k, v in _SPELLING.items()}
_SPELLING_FAMILY: dict[str, str] = {}
for _a, _b in _SPELLING.items():
    _SPELLING_FAMILY[_a] = _SPELLING_FAMILY[_b] = _a


def _spelling(doc: _Doc, i: int) -> Site | None:
    w = doc.skel[i]
    cap = doc.case(i)
    if cap < 0 or (doc.tight(i) and doc.raw[i - 1] in _HYPHENS):
        return None
    if cap == 1 and w in ("labor", "labour"):
        return None  # perhaps the party
    if i + 1 < doc.n and doc.tight(i + 1) and doc.raw[i + 1] in _HYPHENS:
        return None
    return doc.replace(f"spelling:{_SPELLING_FAMILY[w]}", i, i + 1, (_SPELLING_PAIRS[w],), cap)


_WHILE_NOUN_PREV = frozenset({"a", "the", "this", "that", "little", "short", "long", "good",
                              "great", "worth", "quite", "for", "after", "once", "in",
                              "whole", "every", "some", "all", "awhile", "-"})


def _while(doc: _Doc, i: int) -> Site | None:
    """'while' <-> 'whilst', only as a conjunction (not 'a while', 'worth while')."""
    cap = doc.case(i)
    if cap < 0 or not doc.word(i + 1) or not doc.spaced(i + 1):
        return None
    if doc.skel[i - 1] in _WHILE_NOUN_PREV or doc.skel[i + 1] in ("loop", "loops"):
        return None
    alt = "whilst" if doc.skel[i] == "while" else "while"
    return doc.replace("spelling:while", i, i + 1, (alt,), cap)


_LEARN_PREV = frozenset({"have", "has", "had", "we", "they", "i", "you", "he", "she",
                         "we've", "they've", "i've", "you've", "lessons"})


def _learned(doc: _Doc, i: int) -> Site | None:
    """'we learned' <-> 'we learnt' (the verb; not 'a learned colleague')."""
    if not doc.lower(i) or doc.skel[i - 1] not in _LEARN_PREV:
        return None
    alt = "learnt" if doc.skel[i] == "learned" else "learned"
    return doc.replace("spelling:learned", i, i + 1, (alt,))


# ---------------------------------------------------------------------------------------
# Compounds: hyphenated, open and closed forms of one word ("e-mail", "email")

_MOD_STOP = frozenset({
    "and", "or", "but", "of", "to", "in", "on", "for", "with", "at", "by", "is", "are", "was",
    "were", "be", "been", "will", "would", "can", "could", "should", "has", "have", "had",
    "the", "a", "an", "this", "that", "these", "those", "it", "we", "they", "he", "she", "you",
    "i", "as", "than", "from", "into", "so", "if", "when", "while", "because", "today",
    "tomorrow", "yesterday", "now", "then", "again", "soon", "later", "instead", "too",
    "also", "only", "not", "which", "who", "where", "our", "their", "its", "his", "her",
    "there", "here", "do", "does", "did", "may", "might", "must", "all", "any", "some",
    "basis", "out", "up", "off", "over", "under", "about", "through", "per", "via", "whether",
    "either", "both", "each", "every", "more", "most", "less", "least", "very", "just",
})
_NOUN_BLOCK = frozenset({"out", "up", "forth", "aside", "apart", "off", "down", "the", "a",
                         "an", "our", "their", "its", "this", "that", "these", "those", "it",
                         "them", "us", "him", "her", "me", "you", "by", "in"})


@dataclass(frozen=True)
class _Compound:
    parts: tuple[str, ...]
    forms: str  # h: hyphenated, o: open (spaced), c: closed (one word)
    kind: str
    guard: str = ""  # "mod": must precede a noun; "noun": not followed by a verb particle

    def render(self, form: str) -> str:
        return {"h": "-", "o": " ", "c": ""}[form].join(self.parts)


def _compounds() -> list[_Compound]:
    out: list[_Compound] = []

    def add(parts: str, forms: str, kind: str, guard: str = "") -> None:
        out.append(_Compound(tuple(parts.split()), forms, kind, guard))

    for w in ("mail", "mails", "mailed", "mailing"):
        add(f"e {w}", "hc", "spelling:email")
    add("on line", "hc", "spelling:online")
    for w in ("operate", "operates", "operated", "operating", "operation", "operative"):
        add(f"co {w}", "hc", "spelling:cooperate")
    for w in ("ordinate", "ordinates", "ordinated", "ordinating", "ordination", "ordinator",
              "ordinators"):
        add(f"co {w}", "hc", "spelling:coordinate")
    for w in ("worker", "workers", "founder", "founders"):
        add(f"co {w}", "hc", "spelling:co")
    for w in ("profit", "profits"):
        add(f"non {w}", "hc", "spelling:non")
    for w in ("use", "used", "uses", "using", "evaluate", "evaluated", "evaluation", "enter",
              "entered", "examine", "examined", "establish", "established", "elect",
              "elected"):
        add(f"re {w}", "hc", "spelling:re")
    add("pre existing", "hc", "spelling:pre")
    add("multi year", "hc", "spelling:multi")
    add("well being", "hc", "spelling:wellbeing")
    add("long standing", "hc", "spelling:longstanding")
    add("on site", "hc", "spelling:onsite")
    for w in ("site", "sites"):
        add(f"web {w}", "oc", "spelling:website")
    add("health care", "oc", "spelling:healthcare", "noun")
    for w in ("frame", "frames"):
        add(f"time {w}", "oc", "spelling:timeframe", "noun")
    add("work force", "oc", "spelling:workforce", "noun")
    add("work load", "oc", "spelling:workload", "noun")
    add("work loads", "oc", "spelling:workload", "noun")
    add("work flow", "oc", "spelling:workflow", "noun")
    add("work flows", "oc", "spelling:workflow", "noun")
    add("work place", "oc", "spelling:workplace", "noun")
    add("data set", "oc", "spelling:dataset", "noun")
    add("data sets", "oc", "spelling:dataset", "noun")
    add("per cent", "oc", "percent")
    for w in ("making", "maker", "makers"):
        add(f"decision {w}", "ho", "hyphen-compound", "noun")
    for w in ("maker", "makers", "making"):
        add(f"policy {w}", "hoc", "hyphen-compound", "noun")
    for pair in ("long term", "short term", "near term", "full time", "part time",
                 "high level", "low level", "real time", "large scale", "small scale",
                 "cost effective", "high quality", "low cost", "high risk", "low risk",
                 "year end", "cross functional", "day to day", "end to end",
                 "high priority", "low priority", "fixed term"):
        add(pair, "ho", "hyphen-compound", "mod")
    return out


_COMPOUNDS = _compounds()
_COMPOUND_BY_HEAD: dict[str, list[_Compound]] = {}
_COMPOUND_BY_CLOSED: dict[str, _Compound] = {}
for _c in _COMPOUNDS:
    _COMPOUND_BY_HEAD.setdefault(_c.parts[0], []).append(_c)
    if "c" in _c.forms:
        _COMPOUND_BY_CLOSED["".join(_c.parts)] = _c


def _match_compound(doc: _Doc, i: int) -> tuple[_Compound, str, int] | None:
    """The compound starting at token i: (entry, form found, end token index)."""
    w = doc.skel[i]
    entry = _COMPOUND_BY_CLOSED.get(w)
    if entry is not None:
        return entry, "c", i + 1
    for entry in _COMPOUND_BY_HEAD.get(w, ()):
        k = len(entry.parts)
        if "h" in entry.forms:
            end = i + 2 * k - 1
            if end <= doc.n and all(
                doc.raw[i + 2 * p - 1] in _HYPHENS and doc.tight(i + 2 * p - 1)
                and doc.tight(i + 2 * p) and doc.skel[i + 2 * p] == entry.parts[p]
                and doc.lower(i + 2 * p)
                for p in range(1, k)
            ):
                return entry, "h", end
        if "o" in entry.forms:
            end = i + k
            if end <= doc.n and all(
                doc.spaced(i + p) and doc.skel[i + p] == entry.parts[p] and doc.lower(i + p)
                for p in range(1, k)
            ):
                return entry, "o", end
    return None


_MOD_PREV = frozenset({"a", "an", "our", "their", "its", "this", "these", "those", "your",
                       "my", "his", "her", "any", "every", "each", "some", "new", "no",
                       "other", "and", "or", ",", "of"})
_MOD_THE_BAD_PREV = frozenset({"in", "over", "for", "to", "at", "from", "into", "on", "during",
                               "through", "throughout", "within", "by"})


def _modifier_slot(doc: _Doc, i: int) -> bool:
    """An open compound at i follows a determiner, so it modifies the noun after it."""
    p = doc.skel[i - 1]
    if p in _MOD_PREV:
        return True
    return p == "the" and (i < 2 or doc.skel[i - 2] not in _MOD_THE_BAD_PREV)


def _compound(doc: _Doc, i: int) -> Site | None:
    found = _match_compound(doc, i)
    if found is None:
        return None
    entry, form, end = found
    cap = doc.case(i)
    if cap < 0:
        return None
    if doc.tight(i) and doc.raw[i - 1] in _HYPHENS:
        return None  # part of a longer chain: "non-long-term"
    if end < doc.n and doc.tight(end) and (doc.raw[end] in _HYPHENS or doc.word(end)):
        return None
    if entry.guard == "mod":
        if not doc.lower(end) or not doc.spaced(end) or not doc.raw[end].isalpha():
            return None
        nxt = doc.skel[end]
        if nxt in _MOD_STOP or nxt.endswith("ly") or nxt in _TIME_WORDS:
            return None
        if form == "o" and not _modifier_slot(doc, i):
            return None  # "in the long term plans change": a noun phrase, then a clause
    elif entry.guard == "noun" and form == "o":
        if doc.word(end) and doc.skel[end] in _NOUN_BLOCK:
            return None
    alts = tuple(entry.render(f) for f in entry.forms if f != form)
    return doc.replace(entry.kind, i, end, alts, cap)


# ---------------------------------------------------------------------------------------
# Synonyms and equivalent phrasings

_APPROX = {"about": ("approximately", "roughly"), "approximately": ("about", "roughly"),
           "roughly": ("about", "approximately"), "around": ("about", "approximately")}
_APPROX_PREV = frozenset({
    "of", "by", "for", "at", "in", "with", "from", "within", "to", "until", "after", "before",
    "cost", "costs", "took", "take", "takes", "spent", "spend", "spends", "saved", "save",
    "saves", "totaled", "totalled", "total", "totals", "employs", "employed", "employ",
    "reached", "reach", "reaches", "needs", "need", "needed", "requires", "required",
    "require", "has", "have", "had", "lasts", "lasted", "last", "only", "just", "now",
    "still", "remains", "remained", "and", "or", ",", "(", "—", "–", "-", "weighs",
    "weighed", "measures", "measured", "covers", "covered", "serves", "served", "affects",
    "affected", "affecting", "involving", "involves", "involved", "receive", "receives",
    "received", "expect", "expects", "expected", "estimate", "estimated", "hire", "hired",
    "add", "added", "adds", "lose", "lost", "gain", "gained", "raise", "raised", "raises",
    "rose", "fell", "grew", "dropped", "increased", "decreased", "declined", "replace",
    "replaced", "replacing", "install", "installed", "installing", "build", "built", "repair",
    "repaired", "serve", "serving", "supply", "supplies", "supplied", "produce", "produces",
    "produced", "deliver", "delivered", "process", "processed", "handle", "handled",
    "handles", "cover", "covering", "span", "spans", "spanning", "house", "houses", "housed",
    "hold", "holds", "held", "contain", "contains", "contained", "carry", "carries", "carried",
    "sell", "sold", "buy", "bought", "pay", "paid", "owe", "owed", "invest", "invested",
    "allocate", "allocated", "earn", "earned", "generate", "generated", "treat", "treated",
    "test", "tested", "inspect", "inspected", "visit", "visited", "train", "trained",
    "recruit", "recruited", "cut", "reduce", "increase", "spent", "lay", "laid", "renew",
    "renewed", "connect", "connected", "currently", "totalling", "totaling", "approve",
    "approved", "request", "requested", "employing", "affect", "impact", "impacts",
    "impacted", "support", "supports", "supported", "upgrade", "upgraded", "move", "moved",
    "relocate", "relocated", "reach", "recover", "recovered", "collect", "collected",
    "issue", "issued", "send", "sent", "print", "printed", "contact", "contacted",
    "survey", "surveyed", "interview", "interviewed", "attract", "attracted", "attended",
    "attend", "employs", "losing", "saving", "spending", "costing",
})
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_UNITS = frozenset({
    "hours", "hour", "days", "weeks", "months", "years", "minutes", "seconds", "percent",
    "per", "%", "people", "staff", "employees", "million", "billion", "thousand", "hundred",
    "times", "miles", "kilometres", "kilometers", "km", "kg", "tonnes", "tons", "dollars",
    "euros", "pounds", "metres", "meters", "litres", "liters", "households", "customers",
})


def _number_end(doc: _Doc, k: int) -> int:
    """Index after the number starting at token k ('9', '9,400', '3.5')."""
    k += 1
    while k + 1 < doc.n and doc.raw[k] in (",", ".") and doc.tight(k) and doc.tight(k + 1) \
            and doc.raw[k + 1].isdigit():
        k += 2
    return k


def _approximately(doc: _Doc, i: int) -> Site | None:
    """'about 40' <-> 'approximately 40' <-> 'roughly 40', only before a number."""
    cap = doc.case(i)
    if cap < 0:
        return None
    k = i + 1
    if k >= doc.n or not doc.spaced(k):
        return None
    if doc.raw[k] in _CURRENCY and k + 1 < doc.n and doc.tight(k + 1) \
            and doc.raw[k + 1].isdigit():
        money = True
    elif doc.raw[k].isdigit() or (doc.skel[k] in _ALL_NUMBER_WORDS
                                   and doc.skel[k] not in ("one", "zero", "hundred", "thousand",
                                                           "million", "billion", "dozen")):
        money = False
    else:
        return None
    if not doc.sent[i]:
        p = doc.skel[i - 1]
        if p in _BE:
            # "the memo is about 3 projects" is a topic; "is about $40" is an amount.
            if not money:
                e = _number_end(doc, k)
                if e >= doc.n or doc.skel[e] not in _UNITS:
                    return None
        elif p not in _APPROX_PREV:
            return None
    if doc.skel[i - 1] in _APPROX or doc.skel[i - 1] in ("than", "over", "under"):
        return None
    return doc.replace("synonym:approximately", i, i + 1, _APPROX[doc.skel[i]], cap)


def _for_example(doc: _Doc, i: int) -> Site | None:
    """'for example' <-> 'for instance'."""
    if not doc.lower(i) or doc.skel[i - 1] != "for" or not doc.spaced(i):
        return None
    k = i + 1
    if k < doc.n and doc.word(k) and doc.skel[k] not in _CLAUSE_SUBJECTS \
            and doc.skel[k] not in ("in", "on", "at", "by", "if", "when", "to", "with"):
        return None  # "for example purposes"
    alt = "instance" if doc.skel[i] == "example" else "example"
    return doc.replace("synonym:for-example", i, i + 1, (alt,))


def _prior_to(doc: _Doc, i: int) -> Site | None:
    """'prior to' -> 'before' (not the reverse: 'before the board' is a place)."""
    cap = doc.case(i)
    j = i + 1
    if cap < 0 or doc.raw[j:j + 1] != ("to",) or not doc.spaced(j):
        return None
    if not doc.word(j + 1) or doc.skel[i - 1] in _DETERMINERS:
        return None
    return doc.replace("synonym:prior-to", i, j + 1, ("before",), cap)


_IN_ORDER_BAD_PREV = frozenset({
    "put", "puts", "putting", "keep", "keeps", "kept", "keeping", "is", "are", "was", "were",
    "be", "been", "being", "get", "gets", "got", "set", "placed", "arranged", "listed",
    "sorted", "ranked", "appear", "appears", "seem", "seems", "everything", "all", "things",
    "it", "them", "affairs", "house", "papers", "files", "back",
})


def _in_order_to(doc: _Doc, i: int) -> Site | None:
    """'in order to deliver' -> 'to deliver' (one direction only)."""
    cap = doc.case(i)
    j, k = i + 1, i + 2
    if cap < 0 or doc.raw[j:k + 1] != ("order", "to") or not (doc.spaced(j) and doc.spaced(k)):
        return None
    if not doc.lower(k + 1) or not doc.spaced(k + 1):
        return None
    if not doc.sent[i] and doc.skel[i - 1] in _IN_ORDER_BAD_PREV:
        return None  # "the files are in order to ..."
    return doc.replace("in-order-to", i, k + 1, ("to",), cap)


def _despite(doc: _Doc, i: int) -> Site | None:
    """'despite' <-> 'in spite of'."""
    cap = doc.case(i)
    if cap < 0:
        return None
    if doc.skel[i] == "despite":
        end = i + 1
        alt = "in spite of"
    else:
        if doc.skel[i + 1:i + 3] != ("spite", "of") or not doc.lower(i + 1) \
                or not doc.lower(i + 2) or not (doc.spaced(i + 1) and doc.spaced(i + 2)):
            return None
        end = i + 3
        alt = "despite"
    if not doc.word(end) or not doc.spaced(end):
        return None
    return doc.replace("synonym:despite", i, end, (alt,), cap)


_UPON_PREV = frozenset({
    "based", "depend", "depends", "depended", "depending", "dependent", "rely", "relies",
    "relied", "relying", "reliant", "focus", "focused", "focuses", "focusing", "focussed",
    "agreed", "agree", "acted", "act", "acting", "built", "build", "builds", "building",
    "expand", "expanded", "expanding", "improve", "improved", "improving", "insist",
    "insisted", "insists", "embark", "embarked", "embarking", "reflect", "reflected",
    "reflecting", "touched", "touch", "touches", "decided", "decide", "call", "called",
    "calling", "calls", "impose", "imposed",
})


_UPON_BAD_NEXT = frozenset({
    "behalf", "board", "and", "or", "but", "so", "because", "when", "while", "if", "as",
    "than", "to", "in", "for", "with", "at", "by", "from", "of", "is", "are", "was", "were",
    "will", "would", "can", "could", "should", "has", "have", "had", "too", "also", "only",
    "instead", "again", "then", "there", "here", "until", "before", "after", "since",
})


def _upon(doc: _Doc, i: int) -> Site | None:
    """'based on' <-> 'based upon', 'rely on' <-> 'rely upon' (after a fixed list of verbs)."""
    if not doc.lower(i) or doc.skel[i - 1] not in _UPON_PREV or not doc.lower(i - 1):
        return None
    k = i + 1
    if not doc.lower(k) or not doc.spaced(k):
        return None
    nxt = doc.skel[k]
    if nxt in _UPON_BAD_NEXT or nxt in _TIME_WORDS or nxt.endswith("ly"):
        return None  # "the spreadsheets we rely on today": a stranded preposition
    alt = "upon" if doc.skel[i] == "on" else "on"
    return doc.replace("synonym:upon", i, i + 1, (alt,))


def _nonetheless(doc: _Doc, i: int) -> Site | None:
    cap = doc.case(i)
    if cap < 0:
        return None
    alt = "nonetheless" if doc.skel[i] == "nevertheless" else "nevertheless"
    return doc.replace("synonym:nonetheless", i, i + 1, (alt,), cap)


# Sentence-initial connectives followed by a comma; each group says the same thing.
_CONNECTIVES = [
    [("in", "addition"), ("additionally",), ("furthermore",)],
    [("similarly",), ("likewise",)],
    [("meanwhile",), ("in", "the", "meantime")],
    [("currently",), ("at", "present")],
    [("as", "a", "result"), ("consequently",)],
    [("first",), ("firstly",)],
    [("second",), ("secondly",)],
    [("third",), ("thirdly",)],
    [("in", "short"), ("in", "brief")],
    [("in", "general"), ("generally",)],
    [("to", "date"), ("so", "far")],
]
_CONNECTIVE_BY_HEAD: dict[str, list[tuple[tuple[str, ...], list[tuple[str, ...]]]]] = {}
for _group in _CONNECTIVES:
    for _phrase in _group:
        _CONNECTIVE_BY_HEAD.setdefault(_phrase[0], []).append((_phrase, _group))


def _connective(doc: _Doc, i: int) -> Site | None:
    """'In addition,' <-> 'Additionally,' at the start of a sentence."""
    if not doc.sent[i] or doc.case(i) != 1:
        return None
    for phrase, group in _CONNECTIVE_BY_HEAD.get(doc.skel[i], ()):
        end = i + len(phrase)
        if end >= doc.n or doc.raw[end] != "," or not doc.tight(end):
            continue
        if any(doc.skel[i + p] != phrase[p] or not doc.lower(i + p) or not doc.spaced(i + p)
               for p in range(1, len(phrase))):
            continue
        alts = tuple(" ".join(x) for x in group if x != phrase)
        return doc.replace("synonym:connective", i, end, alts, 1)
    return None


_RECIPROCAL_NEXT = frozenset({"and", "or", "but", "to", "in", "on", "for", "with", "about",
                              "at", "as", "from", "through", "during", "before", "after",
                              "again", "directly", "regularly", "when", "if", "while",
                              "because", "so", "than", "more", "better", "well", "often"})


def _reciprocal(doc: _Doc, i: int) -> Site | None:
    """'each other' <-> 'one another' (not 'each other team')."""
    j = i + 1
    pair = (doc.skel[i], doc.skel[j] if j < doc.n else "")
    if pair not in (("each", "other"), ("one", "another")):
        return None
    if not doc.lower(i) or not doc.lower(j) or not doc.spaced(j):
        return None
    k = j + 1
    if k >= doc.n or (doc.word(k) and doc.skel[k] not in _RECIPROCAL_NEXT):
        return None
    if doc.tight(k) and doc.raw[k] in _HYPHENS:
        return None
    alt = "one another" if pair[0] == "each" else "each other"
    return doc.replace("synonym:each-other", i, j + 1, (alt,))


_ALL_OF_DET = frozenset({"the", "our", "their", "these", "those", "its", "your", "this", "my"})
_ALL_THE_IDIOM = frozenset({"same", "more", "better", "way", "time", "best", "while", "worse",
                            "less", "rage", "world", "latest", "fun"})


def _all_of_remove(doc: _Doc, i: int) -> Site | None:
    """'all of the staff' -> 'all the staff'; 'both of the' -> 'both the'."""
    q, j = i - 1, i + 1
    if doc.raw[i] != "of" or doc.skel[q] not in ("all", "both") or doc.case(q) < 0:
        return None
    if not (doc.spaced(i) and doc.spaced(j) and doc.lower(j)) or doc.skel[j] not in _ALL_OF_DET:
        return None
    if not doc.lower(j + 1):
        return None
    if doc.skel[q] == "both" and "and" in doc.skel[j + 1:j + 6]:
        return None  # "both of the board and staff" would turn into "both ... and"
    return doc.site("synonym:all-of", doc.starts[i], doc.starts[j],
                    (doc.text[doc.starts[i]:doc.starts[j]], ""), i, j)


def _all_of_insert(doc: _Doc, i: int) -> Site | None:
    """'all the staff' -> 'all of the staff'."""
    q = i - 1
    if doc.skel[q] != "all" or doc.case(q) < 0 or not doc.spaced(i) or not doc.lower(i):
        return None
    if doc.skel[i] not in ("the", "our", "their", "these", "those"):
        return None
    k = i + 1
    if not doc.lower(k) or not doc.spaced(k) or doc.skel[k] in _ALL_THE_IDIOM:
        return None
    if q >= 1 and doc.skel[q - 1] in ("at", "above", "after", "once", "for"):
        return None  # "not at all the case", "after all the"
    at = doc.starts[i]
    return doc.site("synonym:all-of", at, at, ("", "of "), i, i)


_START_NEXT = frozenset({
    "to", "on", "in", "with", "by", "work", "working", "next", "tomorrow", "today",
    "immediately", "now", "soon", "again", "shortly", "early", "earlier", "later", "when",
    "after", "before", "once", "at", "as", "last", "planning", "preparing", "promptly",
})
_START = {"start": "begin", "begin": "start"}
_STARTS = {"starts": "begins", "begins": "starts"}
# After these, "starts" is a noun ("false starts", "new starts").
_STARTS_NOUN_PREV = frozenset({
    "false", "new", "fresh", "good", "strong", "slow", "quick", "flying", "head", "several",
    "many", "few", "the", "a", "these", "those", "some", "early", "late", "bad", "multiple",
    "repeated", "standing", "housing", "project", "job", "two", "three", "four", "five",
    "more", "fewer", "of", "and", "or", "with", "for", "in", "on", "at", "no", "any", "all",
})
_STARTS_NEXT = frozenset({"in", "on", "at", "next", "tomorrow", "today", "soon", "when",
                          "after", "before", "once", "this", "shortly", "immediately", "again",
                          "with", "by"})
_STARTED_PAST = {"started": "began", "began": "started"}
_STARTED_PERFECT = {"started": "begun", "begun": "started"}
_PERFECT_PREV = frozenset({"has", "have", "had", "we've", "they've", "i've", "you've",
                           "haven't", "hasn't", "hadn't"})
_PAST_SUBJECT = frozenset({"we", "they", "i", "he", "she", "it", "who", "which", "that"})


def _verb_slot(doc: _Doc, i: int) -> bool:
    """Token i is a base-form verb: after a modal or an infinitive 'to' ('plan to start')."""
    p = doc.skel[i - 1]
    if p in _MODALS:
        return True
    return p == "to" and i >= 2 and doc.skel[i - 2] in _TO_INFINITIVE_HEADS


def _begin(doc: _Doc, i: int) -> Site | None:
    """'start' <-> 'begin' (intransitive, or before -ing / to / a time)."""
    if not doc.lower(i):
        return None
    w = doc.skel[i]
    k = i + 1
    if k >= doc.n:
        return None
    if doc.word(k):
        nxt = doc.skel[k]
        if not (nxt in _START_NEXT or (nxt.endswith("ing") and not nxt.endswith("thing"))):
            return None  # "start the engine", "start up"
    elif doc.raw[k] not in (".", ",", ";", ")"):
        return None
    p = doc.skel[i - 1]
    if w in _STARTS:
        # "the lease starts in October"; refuse "false starts in March".
        if not doc.word(k) or doc.skel[k] not in _STARTS_NEXT or p in _STARTS_NOUN_PREV \
                or not doc.lower(i - 1) or doc.is_number(i - 1):
            return None
        alt = _STARTS[w]
    elif w in _START and _verb_slot(doc, i):
        alt = _START[w]
    elif w in _STARTED_PERFECT and p in _PERFECT_PREV:
        alt = _STARTED_PERFECT[w]
    elif w in _STARTED_PAST and p in _PAST_SUBJECT and doc.lower(i - 1):
        alt = _STARTED_PAST[w]
    else:
        return None
    return doc.replace("synonym:begin", i, i + 1, (alt,))


_BUY_NEXT = frozenset({"a", "an", "new", "more", "additional", "extra", "our", "their",
                       "some", "any", "several", "enough", "replacement", "these", "those",
                       "the", "spare", "two", "three", "four", "five", "six", "seven",
                       "eight", "nine", "ten", "pipe", "equipment", "vehicles", "supplies",
                       "materials", "software", "licences", "licenses", "laptops", "stock"})
_BUY_IDIOM = frozenset({"idea", "argument", "story", "line", "claim", "premise", "notion",
                        "excuse", "explanation", "time"})
_BUY = {"buy": "purchase", "purchase": "buy", "bought": "purchased", "purchased": "bought"}


def _buy(doc: _Doc, i: int) -> Site | None:
    """'buy' <-> 'purchase' as a verb with a material object ('to buy new vans')."""
    if not doc.lower(i):
        return None
    w = doc.skel[i]
    k = i + 1
    if not doc.word(k) or not doc.spaced(k):
        return None
    nxt = doc.skel[k]
    if not (nxt in _BUY_NEXT or doc.raw[k].isdigit()):
        return None
    if nxt == "the" and (k + 1 >= doc.n or doc.skel[k + 1] in _BUY_IDIOM):
        return None
    p = doc.skel[i - 1]
    if w in ("buy", "purchase"):
        if not (_verb_slot(doc, i) or (p in _SUBJECT_PRONOUNS and p not in ("he", "she", "it"))):
            return None
    elif not (p in _PAST_SUBJECT or p in _PERFECT_PREV):
        return None
    return doc.replace("synonym:buy", i, i + 1, (_BUY[w],))


_ASSIST = {"help": "assist", "assist": "help", "helped": "assisted", "assisted": "helped"}


def _assist(doc: _Doc, i: int) -> Site | None:
    """'help with' <-> 'assist with' (as a verb: 'we can help with the move')."""
    if not doc.lower(i) or doc.raw[i + 1:i + 2] != ("with",) or not doc.spaced(i + 1):
        return None
    w = doc.skel[i]
    p = doc.skel[i - 1]
    if w in ("help", "assist"):
        if not (_verb_slot(doc, i) or (p in _SUBJECT_PRONOUNS and p not in ("he", "she", "it"))):
            return None
    elif not (p in _PAST_SUBJECT or p in _PERFECT_PREV):
        return None
    return doc.replace("synonym:assist", i, i + 1, (_ASSIST[w],))


_HELP_OBJECTS = frozenset({"us", "you", "them", "me", "him", "her", "everyone", "everybody",
                           "staff", "customers", "managers", "teams", "people", "employees"})
_HELP_VERBS = frozenset({
    "decide", "understand", "prepare", "plan", "learn", "find", "make", "get", "improve",
    "reduce", "avoid", "manage", "meet", "keep", "stay", "see", "answer", "identify",
    "deliver", "build", "choose", "reach", "complete", "move", "adapt", "cope", "focus",
    "respond", "recover", "grow", "achieve", "hire", "develop", "review", "assess", "track",
    "save", "share", "use", "communicate", "settle", "finish", "resolve", "fix", "explain",
    "support", "protect", "prioritize", "prioritise", "navigate", "estimate", "compare",
    "contain", "cut", "lower", "limit", "ensure", "set", "shape", "design", "test", "spot",
    "catch", "close", "fill", "cover", "handle", "run", "serve", "speed", "streamline",
})
_HELP = frozenset({"help", "helps", "helped", "helping"})


_HELP_NOUN_PREV = _DETERMINERS | frozenset({"with", "for", "of", "extra", "more", "additional",
                                            "little", "much", "without", "further", "expert"})


def _help_is_verb(doc: _Doc, i: int) -> bool:
    """The 'help' before token i (and its object) is a verb, not 'the help you get'."""
    h = i - 1
    if doc.skel[h] in _HELP_OBJECTS:
        h -= 1
    while h > 0 and doc.skel[h] not in _HELP and i - h < 3:
        h -= 1
    return h >= 1 and doc.skel[h] in _HELP and doc.skel[h - 1] not in _HELP_NOUN_PREV


def _help_to(doc: _Doc, i: int) -> Site | None:
    """'help us decide' <-> 'help us to decide' (and without an object after a modal)."""
    w = doc.skel[i]
    if w == "to":
        if not _help_is_verb(doc, i):
            return None
        # removal: "help (us) to decide" -> "help (us) decide"
        v = i + 1
        if not doc.lower(i) or not doc.lower(v) or doc.skel[v] not in _HELP_VERBS \
                or not doc.spaced(v):
            return None
        h = i - 1
        if doc.lower(h) and doc.skel[h] in _HELP_OBJECTS:
            h -= 1
        elif not (doc.skel[h] == "help" and _verb_slot(doc, h)):
            return None
        if not doc.lower(h) or doc.skel[h] not in _HELP or not doc.spaced(i):
            return None
        return doc.site("synonym:help-to", doc.starts[i], doc.starts[v],
                        (doc.text[doc.starts[i]:doc.starts[v]], ""), i, v)
    # insertion before the verb
    if w not in _HELP_VERBS or not doc.lower(i) or not doc.spaced(i) or not _help_is_verb(doc, i):
        return None
    h = i - 1
    if doc.lower(h) and doc.skel[h] in _HELP_OBJECTS:
        h -= 1
        if not doc.lower(h) or doc.skel[h] not in _HELP:
            return None
    elif not (doc.skel[h] == "help" and doc.lower(h) and _verb_slot(doc, h)):
        return None
    k = i + 1
    if k < doc.n and doc.tight(k) and doc.raw[k] in _HYPHENS:
        return None
    at = doc.starts[i]
    return doc.site("synonym:help-to", at, at, ("", "to "), i, i)


_PRONOUN_SYNONYMS = {"everyone": "everybody", "everybody": "everyone", "anyone": "anybody",
                     "anybody": "anyone", "someone": "somebody", "somebody": "someone",
                     "nobody": "no one"}


def _everyone(doc: _Doc, i: int) -> Site | None:
    """'everyone' <-> 'everybody', 'anyone' <-> 'anybody', 'nobody' -> 'no one'."""
    cap = doc.case(i)
    if cap < 0 or doc.skel[i - 1] in _DETERMINERS:
        return None  # "a nobody"
    if doc.tight(i) and doc.raw[i - 1] in _HYPHENS:
        return None
    if i + 1 < doc.n and doc.tight(i + 1) and doc.raw[i + 1] in ("'", "’"):
        return None
    return doc.replace("synonym:everyone", i, i + 1, (_PRONOUN_SYNONYMS[doc.skel[i]],), cap)


def _although(doc: _Doc, i: int) -> Site | None:
    """'although' <-> 'though' as a conjunction opening a clause."""
    cap = doc.case(i)
    if cap < 0 or not doc.word(i + 1) or not doc.spaced(i + 1):
        return None
    if not (doc.sent[i] or doc.raw[i - 1] in (",", ";") or doc.skel[i - 1] in ("and", "but")):
        return None  # "even though", "as though"
    alt = "though" if doc.skel[i] == "although" else "although"
    return doc.replace("synonym:although", i, i + 1, (alt,), cap)


def _regarding(doc: _Doc, i: int) -> Site | None:
    """'regarding the plan' -> 'concerning the plan' (not 'regarding it as')."""
    cap = doc.case(i)
    k = i + 1
    if cap < 0 or not doc.lower(k) or doc.skel[k] not in _ALL_OF_DET | {"a", "an", "any"}:
        return None
    if not doc.sent[i] and doc.skel[i - 1] in _BE:
        return None
    if "as" in doc.skel[k:k + 6]:
        return None
    return doc.replace("synonym:regarding", i, i + 1, ("concerning",), cap)


_PER_UNITS = frozenset({"year", "month", "week", "day", "hour", "minute", "person", "head",
                        "night", "quarter", "fortnight"})
_PER_AFTER_STOP = frozenset({"ago", "later", "earlier", "before", "after", "from", "of", "or",
                             "and", "to", "in", "on", "at", "since", "old", "long", "away",
                             "or", "early", "late", "has", "was", "is", "will", "that", "when"})


def _per(doc: _Doc, i: int) -> Site | None:
    """'£40 per month' <-> '£40 a month', 'twice per week' <-> 'twice a week'."""
    k = i + 1
    if not doc.lower(i) or not doc.lower(k) or not doc.spaced(k) or doc.skel[k] not in _PER_UNITS:
        return None
    unit = doc.skel[k]
    if k + 1 < doc.n and ((doc.tight(k + 1) and doc.raw[k + 1] in _HYPHENS)
                          or (doc.word(k + 1) and doc.skel[k + 1] in _PER_AFTER_STOP)):
        return None  # "a year ago", "a year-long pilot"
    p = i - 1
    if not (doc.is_number(p) or doc.skel[p] in ("once", "twice")
            or (_plural_noun(doc, p) and doc.is_number(p - 1))):
        return None  # "for a year" is not a rate
    w = doc.skel[i]
    if w == "per":
        alt = "an" if unit == "hour" else "a"
    elif (w == "an") == (unit == "hour"):
        alt = "per"
    else:
        return None
    return doc.replace("synonym:per", i, i + 1, (alt,))


_COMPARATIVES = frozenset({
    "more", "better", "worse", "easier", "harder", "greater", "higher", "lower", "larger",
    "smaller", "faster", "slower", "cheaper", "quicker", "longer", "shorter", "earlier",
    "later", "safer", "simpler", "stronger", "weaker", "bigger", "wider", "closer", "further",
    "costlier", "riskier", "broader", "deeper", "clearer",
})
_FAR_BAD_PREV = frozenset({"so", "as", "how", "too", "very", "by", "thus", "not", "this",
                           "that", "without", "the", "a", "however", "from", "twice", "far",
                           "much"})


def _far_much(doc: _Doc, i: int) -> Site | None:
    """'far easier' <-> 'much easier' before a comparative."""
    cap = doc.case(i)
    k = i + 1
    if cap < 0 or not doc.lower(k) or not doc.spaced(k) or doc.skel[k] not in _COMPARATIVES:
        return None
    if not doc.sent[i] and doc.skel[i - 1] in _FAR_BAD_PREV:
        return None  # "so much more", "how far further"
    if k + 1 < doc.n and doc.tight(k + 1) and doc.raw[k + 1] in _HYPHENS:
        return None
    alt = "much" if doc.skel[i] == "far" else "far"
    return doc.replace("synonym:far", i, i + 1, (alt,), cap)


_PHRASES = [
    (("in", "the", "event", "that"), ("if",)),
    (("due", "to", "the", "fact", "that"), ("because",)),
    (("with", "regard", "to"), ("with respect to",)),
    (("with", "respect", "to"), ("with regard to",)),
    (("so", "as", "to"), ("to",)),
    (("subsequent", "to"), ("after",)),
]
_PHRASE_BY_HEAD: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _phrase, _alts in _PHRASES:
    _PHRASE_BY_HEAD.setdefault(_phrase[0], []).append((_phrase, _alts))


def _phrase(doc: _Doc, i: int) -> Site | None:
    """Wordy fixed phrases and their plain equivalents: 'in the event that' -> 'if'."""
    cap = doc.case(i)
    if cap < 0:
        return None
    for phrase, alts in _PHRASE_BY_HEAD.get(doc.skel[i], ()):
        end = i + len(phrase)
        if end >= doc.n or not doc.word(end) or not doc.spaced(end):
            continue
        if any(doc.skel[i + p] != phrase[p] or not doc.lower(i + p) or not doc.spaced(i + p)
               for p in range(1, len(phrase))):
            continue
        return doc.replace("synonym:phrase", i, end, alts, cap)
    return None


# Sentence openers whose comma is optional ("Last year we hired" = "Last year, we hired").
# Not "However" (without a comma it means "in whatever way"), "Finally" or "Then" (at last).
_INTRO_ADVERBS = frozenset({
    "currently", "today", "unfortunately", "fortunately", "initially", "ideally", "overall",
    "instead", "therefore", "thus", "hence", "meanwhile", "consequently", "recently",
    "previously", "historically", "traditionally", "separately", "typically", "usually",
    "normally", "originally", "later", "earlier", "afterwards", "afterward", "yesterday",
    "tomorrow", "occasionally", "increasingly", "accordingly", "sadly", "happily",
})
_INTRO_PHRASES = frozenset({
    ("in", "practice"), ("in", "principle"), ("in", "particular"), ("in", "total"),
    ("so", "far"), ("to", "date"), ("for", "now"), ("at", "present"), ("in", "general"),
    ("in", "the", "meantime"), ("as", "a", "result"), ("in", "short"), ("in", "brief"),
    ("at", "the", "moment"), ("at", "first"), ("in", "addition"), ("on", "balance"),
    ("in", "future"), ("in", "the", "future"), ("in", "the", "past"), ("last", "year"),
})
_INTRO_TIME_HEADS = frozenset({"last", "next", "this", "each", "every", "earlier", "later"})
# Not "time": "Every time we meet, ..." is a clause, not an opener.
_INTRO_TIME_NOUNS = frozenset({"year", "month", "week", "quarter", "spring", "summer",
                               "autumn", "fall", "winter", "morning", "afternoon", "evening",
                               "season", "term"})
_INTRO_YEAR_PREPS = frozenset({"in", "during", "by", "since", "until", "through", "throughout"})
_MAIN_SUBJECTS = frozenset({"we", "they", "i", "you", "he", "she", "it", "there", "the",
                            "our", "their", "this", "these", "those", "all", "most", "many",
                            "some", "each", "every", "no", "staff", "everyone", "nobody"})


def _intro_end(doc: _Doc, i: int) -> int:
    """Index after the sentence-opening adverbial starting at token i, or -1."""
    if not doc.sent[i] or doc.case(i) != 1:
        return -1
    w = doc.skel[i]
    j = i + 1
    if j < doc.n and doc.spaced(j):
        # "Later this year we ...": the longest opener first
        if w in _INTRO_TIME_HEADS and doc.lower(j) and j + 1 < doc.n:
            if doc.skel[j] in _INTRO_TIME_NOUNS:
                return j + 1
            if doc.skel[j] == "this" and doc.lower(j + 1) and doc.spaced(j + 1) \
                    and doc.skel[j + 1] in _INTRO_TIME_NOUNS:
                return j + 2
        if w in _INTRO_YEAR_PREPS and len(doc.raw[j]) == 4 and doc.raw[j].isdigit():
            return j + 1
    for size in (3, 2):
        words = doc.skel[i:i + size]
        if words in _INTRO_PHRASES and all(doc.lower(i + p) and doc.spaced(i + p)
                                           for p in range(1, size)):
            return i + size
    if w in _INTRO_ADVERBS:
        if j < doc.n and doc.skel[j] in ("this", "next", "last", "that", "in", "on", "at"):
            return -1  # "Later this ...", "Earlier in the year ..." are longer openers
        return i + 1
    return -1


def _intro_comma(doc: _Doc, i: int) -> Site | None:
    """'Last year we hired' <-> 'Last year, we hired' after a short opening adverbial."""
    end = _intro_end(doc, i)
    if end < 0 or end >= doc.n - 1:
        return None
    if doc.raw[end] == ",":
        subject = end + 1
        if not doc.tight(end) or not doc.spaced(subject):
            return None
    else:
        subject = end
        if not doc.spaced(subject):
            return None
    if not doc.lower(subject) and doc.raw[subject] != "I":
        return None
    if doc.skel[subject] not in _MAIN_SUBJECTS and doc.skel[subject] not in _CONTRACTED_SUBJECTS:
        return None
    if subject == end:
        at = doc.ends[end - 1]
        return doc.site("intro-comma", at, at, ("", ","), end, end)
    return doc.site("intro-comma", doc.starts[end], doc.ends[end], (",", ""), end, end + 1)


_BUT_SUBJECTS = frozenset({"we", "they", "i", "you", "he", "she", "it", "there"})
# "all but one", "nothing but", "every team but ours": there "but" means "except".
_BUT_EXCEPT = frozenset({"all", "nothing", "anything", "everything", "none", "everyone",
                         "anyone", "nobody", "everybody", "anybody", "no", "every", "each",
                         "any", "last", "cannot", "can't", "help", "one"})


def _but_comma(doc: _Doc, i: int) -> Site | None:
    """'We met, but they left' <-> 'We met but they left' (two clauses)."""
    if doc.raw[i] == ",":
        comma, conj = i, i + 1
        if conj >= doc.n or doc.raw[conj] != "but" or not doc.tight(comma):
            return None
    elif doc.raw[i] == "but":
        comma, conj = -1, i
    else:
        return None
    subject = conj + 1
    if not doc.spaced(conj) or not doc.spaced(subject) or doc.skel[subject] not in _BUT_SUBJECTS:
        return None
    if not (doc.lower(subject) or doc.raw[subject] == "I") or not doc.word(subject + 1):
        return None
    # A clause of at least three words before, with no "except" reading.
    first = comma if comma >= 0 else conj
    k, words = first - 1, 0
    while k >= 0 and doc.word(k) and words < 3:
        if doc.skel[k] in _BUT_EXCEPT:
            return None
        words += 1
        k -= 1
    if words < 3:
        return None
    if comma >= 0:
        return doc.site("clause-comma", doc.starts[comma], doc.ends[comma], (",", ""),
                        comma, comma + 1)
    at = doc.ends[conj - 1]
    return doc.site("clause-comma", at, at, ("", ","), conj, conj)


# ---------------------------------------------------------------------------------------
# Dispatch: the rules to try at each token, by its skeleton

_DISPATCH: dict[str, list[Rule]] = {}


def _on(words, rule: Rule) -> None:
    for w in words:
        _DISPATCH.setdefault(w, []).append(rule)


_on(["let"] + sorted({w1 for w1, _ in _PRONOUN}), _contract_pronoun)
_on(list(_NEGATIVE) + ["cannot"], _contract_negative)
_on(list(_NEGATIVE_EXPANSION) + ["let's"]
    + [c.lower() for c in _PRONOUN.values() if not c.endswith("'d")]
    + ["here's"], _expand)
_on(["that"], _that_remove)
_on(sorted(_CLAUSE_SUBJECTS | _CONTRACTED_SUBJECTS), _that_insert)
_on(list(_NUMBER_WORDS) + list(_DIGIT_WORDS), _number_word)
_on(["and", "or"], _serial_insert)
_on([","], _serial_remove)
_on([",", "but"], _but_comma)
_on(_SPELLING_PAIRS, _spelling)
_on(["while", "whilst"], _while)
_on(["learned", "learnt"], _learned)
_on(set(_COMPOUND_BY_HEAD) | set(_COMPOUND_BY_CLOSED), _compound)
_on(_APPROX, _approximately)
_on(["example", "instance"], _for_example)
_on(["prior"], _prior_to)
_on(["in"], _in_order_to)
_on(["despite", "in"], _despite)
_on(["on", "upon"], _upon)
_on(["nevertheless", "nonetheless"], _nonetheless)
_on(_CONNECTIVE_BY_HEAD, _connective)
_on(["each", "one"], _reciprocal)
_on(["of"], _all_of_remove)
_on(["the", "our", "their", "these", "those"], _all_of_insert)
_on(["start", "begin", "started", "began", "begun", "starts", "begins"], _begin)
_on(_BUY, _buy)
_on(_ASSIST, _assist)
_on(_PRONOUN_SYNONYMS, _everyone)
_on(["to"] + sorted(_HELP_VERBS), _help_to)
_on(_INTRO_ADVERBS | {p[0] for p in _INTRO_PHRASES} | _INTRO_TIME_HEADS | _INTRO_YEAR_PREPS,
    _intro_comma)
_on(["although", "though"], _although)
_on(["regarding"], _regarding)
_on(["per", "a", "an"], _per)
_on(["far", "much"], _far_much)
_on(_PHRASE_BY_HEAD, _phrase)


def find(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    """Lexical sites of a text, in order, none sharing a token or an anchor's neighbour."""
    n = len(tokens)
    if n < 3:
        return
    doc = _Doc(tokens, protected, tokens.text, tokens.raw, tokens.skel, tokens.starts,
               tokens.ends, n, _sentence_starts(tokens), _apostrophe(tokens.text))
    dispatch = _DISPATCH
    skel = tokens.skel
    last_b = 0  # end of the last window: the next one starts at last_b + 1 or later
    for i in range(1, n - 1):
        if i <= last_b:
            continue
        rules = dispatch.get(skel[i])
        if rules is None:
            continue
        for rule in rules:
            site = rule(doc, i)
            if site is None or not is_readable(site, tokens):
                continue
            yield site
            last_b = site.windows[0][1]
            break
