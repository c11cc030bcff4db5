"""Named guards of the lexical tables: the few conditions that are procedures, not word lists
(where a clause starts, whether commas make a list, how far an opening adverbial runs). The
tables name them ("next clause-start"); their word lists live in the tables too.
"""

from __future__ import annotations

from .engine import HYPHENS, WORDS, Doc, Finder, Span, Test

_W = WORDS


def subject_position(d: Doc, k: int, s: Span | None = None) -> bool:
    """The pronoun at k starts a clause (so it is a subject, not an object)."""
    if d.sent[k]:
        return True
    p = d.skel[k - 1]
    if p in _W["clause_openers"]:
        return True
    # "we believe that we are ..."
    return p == "that" and k >= 2 and d.skel[k - 2] in _W["that_verbs"]


def verb_slot(d: Doc, k: int, s: Span | None = None) -> bool:
    """Token k is a base-form verb: after a modal or an infinitive 'to' ('plan to start')."""
    p = d.skel[k - 1]  # at the first token, the last one: stored codes keep this reading
    if p in _W["modals"]:
        return True
    return p == "to" and k >= 2 and d.skel[k - 2] in _W["to_infinitive_heads"]


def plural_noun(d: Doc, k: int, s: Span | None = None) -> bool:
    """Token k looks like a plural noun ("crews", not "was", "bus" or "news")."""
    if not d.lower(k) or not d.spaced(k):
        return False
    w = d.raw[k]
    return (len(w) >= 3 and w.isalpha() and w.endswith("s") and w not in _W["not_plural"]
            and not w.endswith(("ss", "us", "is", "ous")))


def that_verb(d: Doc, v: int, s: Span | None = None) -> bool:
    """Token v is a verb taking a clause, in a main or subordinate clause of its own."""
    if d.skel[v] not in _W["that_verbs"]:
        return False
    if d.sent[v]:
        # an imperative opening the sentence ("Ensure that ...", "Remember that ..."), where
        # the tagger reads a verb
        return d.case(v) == 1 and d.tag(v).startswith("VV")
    if not d.lower(v):
        return False
    p = v - 1
    if d.lower(p) and d.skel[p] in _W["subject_adverbs"] and p >= 1:
        p -= 1
    sp = d.skel[p]
    if d.skel[v] in ("means", "meant") and sp in ("this", "that", "it"):
        return True
    if sp in _W["subject_pronouns"]:
        # "the questions we expect most often ...": a relative clause, its object gone.
        return subject_position(d, p)
    if sp in _W["determiners"]:
        return False  # "the thought that"
    if sp in (",", ":") and d.skel[v] in ("remember", "note", "ensure", "understand"):
        return True  # "Finally, remember that ..."
    return d.word(p)


def _looks_finite(w: str) -> bool:
    """A third-person or past-tense verb form ('closes', 'rose' excepted)."""
    return len(w) > 3 and w.isalpha() and (
        (w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")))
        or w.endswith("ed"))


def clause_start(d: Doc, k: int, s: Span | None = None, loose: bool = False) -> bool:
    """Token k is the subject of a finite clause: 'the plan will', 'we are', "it's"."""
    w = d.skel[k]
    if not (d.lower(k) or d.raw[k] == "I" or d.raw[k].startswith(("I'", "I’"))):
        return False
    if w in _W["contracted_subjects"]:
        return True
    if w not in _W["clause_subjects"]:
        return False
    personal = _W["personal"]
    if w in personal:
        j = k + 1
        if d.lower(j) and d.skel[j] in _W["adverbs"]:
            j += 1
        # an auxiliary, or a verb the tagger reads as past or third person ("they submitted")
        return d.lower(j) and (d.skel[j] in _W["finite"] or d.tag(j) in ("VVD", "VVZ"))
    for j in range(k + 1, min(k + 7, d.n)):
        if not d.lower(j) or not d.spaced(j):
            return False
        t = d.skel[j]
        if t in _W["finite"]:
            return j > k + 1 or w in ("this", "these", "those", "all", "most", "some", "many",
                                      "both", "none", "several", "few", "each", "any")
        if t in _W["clause_block"] or t in _W["adverbs"] or t in _W["time_words"] or t.endswith("ly"):
            return False  # "we expect most often are": an adverb, not a subject
        # Where the original has "that", it only has to be shown not to be a pronoun
        # ("we said that the other day"): a verb form after the noun phrase will do.
        if loose and j >= k + 2 and _looks_finite(t) and w not in personal:
            return True
    return False


def serial_list(d: Doc, k: int, s: Span) -> bool:
    """The tokens before the span end the last-but-one item of a list "A, B and C", and the
    token after it is the conjunction."""
    last, conj = s[0] - 1, s[1]
    nxt = conj + 1
    if not d.lower(nxt) or d.skel[nxt] in _W["after_conj_stop"] or not d.spaced(nxt):
        return False
    # B: one to three words back to the comma that follows A.
    item_stop = _W["item_stop"]
    j, words = last, 0
    while j > 0 and last - j < 6:
        t = d.raw[j]
        if t == ",":
            break
        if d.word(j):
            if d.skel[j] in item_stop or any(ch.isdigit() for ch in t):
                return False
            words += 1
        elif not (t in HYPHENS and d.tight(j) and d.tight(j + 1)):
            return False
        j -= 1
    else:
        return False
    comma = j
    if d.raw[comma] != "," or not 1 <= words <= 3 or d.sent[comma + 1]:
        return False
    b_first = d.skel[comma + 1]
    if not d.tight(comma) or not d.spaced(comma + 1):
        return False  # "1,000" or "x ,y"
    a_last = comma - 1
    if not d.word(a_last) or any(ch.isdigit() for ch in d.raw[a_last]):
        return False
    # A and what precedes it: refuse introductory phrases and clauses.
    m = a_last
    while m > 0 and not d.sent[m] and d.raw[m - 1] not in _W["boundary"] and a_last - m < 40:
        m -= 1
    if d.skel[m] in ("and", "but") and m < a_last and not d.sent[m]:
        m += 1  # "..., and each of them reported A, B and C"
    intro = _W["intro"]
    if b_first in intro and b_first not in d.skel[m:comma]:
        return False  # "our view, in short and simple terms, ..." is a parenthesis
    first = d.skel[m]
    if not d.word(m) or first in intro or first.endswith(("ly", "ing", "ed")) \
            or first in _W["irregular_participles"]:
        return False
    if d.sent[m] and m == a_last:
        return False  # "Overall, costs and revenue rose"
    if words == 1 and d.tag(last)[:3] in ("NN1", "AJ0") and nxt + 1 < d.n and d.word(nxt + 1) \
            and d.tag(nxt + 1) == "NN2" and d.tag(nxt)[:2] in ("AJ", "NN"):
        return False  # "offices, state or local governments": B and C share the noun after C
    a_word = d.skel[a_last]
    if a_word in item_stop or a_word.endswith("ed") or a_word in _W["irregular_participles"]:
        return False  # "When the plan is approved, staff and ..."
    return not any(d.skel[x] in _W["time_words"] for x in range(m, comma))


def unit_after(d: Doc, k: int, s: Span | None = None) -> bool:
    """The number at k ('9', '9,400', '3.5') is followed by a unit ('weeks', 'percent')."""
    k += 1
    while k + 1 < d.n and d.raw[k] in (",", ".") and d.tight(k) and d.tight(k + 1) \
            and d.raw[k + 1].isdigit():
        k += 2
    return k < d.n and d.skel[k] in _W["units"]


def intro_opener(d: Doc, i: int) -> int:
    """Index after the short adverbial that opens a sentence at token i, or -1 (also when
    fewer than two tokens follow it)."""
    end = _intro_end(d, i)
    return -1 if end < 0 or end >= d.n - 1 else end


def _intro_end(d: Doc, i: int) -> int:
    if not d.sent[i] or d.case(i) != 1:
        return -1
    w = d.skel[i]
    j = i + 1
    time_nouns = _W["intro_time_nouns"]
    if j < d.n and d.spaced(j):
        # "Later this year we ...": the longest opener first
        if w in _W["intro_time_heads"] and d.lower(j) and j + 1 < d.n:
            if d.skel[j] in time_nouns:
                return j + 1
            if d.skel[j] == "this" and d.lower(j + 1) and d.spaced(j + 1) \
                    and d.skel[j + 1] in time_nouns:
                return j + 2
        if w in _W["intro_year_preps"] and len(d.raw[j]) == 4 and d.raw[j].isdigit():
            return j + 1
    for size in (3, 2):
        if d.skel[i:i + size] in _W["intro_phrases"] and all(d.lower(i + p) and d.spaced(i + p)
                                                            for p in range(1, size)):
            return i + size
    if w in _W["intro_adverbs"]:
        if j < d.n and d.skel[j] in ("this", "next", "last", "that", "in", "on", "at"):
            return -1  # "Later this ...", "Earlier in the year ..." are longer openers
        return i + 1
    return -1


def _vowel_start(w: str) -> bool:
    """The word may start with a vowel sound ('h' and 'u' counted: 'an hour', 'a user')."""
    return w[:1] in "aeiouh"


def coordinate_pair(d: Doc, k: int, s: Span) -> bool:
    """The span is "A and B" (or "A or B") whose two words can change places without changing
    what is said: two common nouns or two adjectives (tagged so, of one number), each of one
    word, neither bound to a word outside the pair, not a fixed phrase ("pros and cons")."""
    a, b = s[0], s[1] - 1
    if not (d.lower(a) and d.lower(b) and d.raw[a].isalpha() and d.raw[b].isalpha() and d.spaced(a)):
        return False
    wa, wb = d.skel[a], d.skel[b]
    if wa == wb or (wa, d.skel[a + 1], wb) in _W["fixed_pairs"]:
        return False
    ta, tb = d.tag(a), d.tag(b)
    if ta != tb or ta not in ("NN1", "NN2", "AJ0"):
        return False
    if wa in _W["pair_stop"] or wb in _W["pair_stop"]:
        return False
    if wa.endswith("ing") or wb.endswith("ing"):
        return False  # "ways of working and differing viewpoints": a gerund or a participle
    p = a - 1
    if d.skel[p] in ("a", "an") and (_vowel_start(wa) or _vowel_start(wb)):
        return False  # "an injury or disability": the article agrees with A only
    if d.skel[p] == "the" and wa in _W["nominal_adjectives"]:
        return False  # "the public or federal employees": "the public" is a noun
    # The word before A must not bind to A alone ("open source and design": "open source" is
    # one thing) nor end a list ("x, A and B"); determiners, prepositions and verbs are shared.
    if d.raw[p] in (",", ";") or (d.word(p) and d.tag(p)[:2] in ("NN", "AJ", "CR", "NP", "OR", "AV")):
        return False
    if d.word(p) and d.skel[p] in _W["pair_prev_stop"]:
        return False  # "between A and B" keeps an order; "both A and B" is fine
    n = b + 1
    if n < d.n:
        if d.raw[n] in ("'", "\u2019") or d.skel[n] in _W["pair_next_stop"]:
            return False  # "A and B's", "A and B respectively", "part of a project"
        if d.skel[n] in _W["relative_heads"]:
            return False  # "topics and acronyms that require ...": the clause binds to B
        if d.word(n) and d.tag(n)[0] == "V":
            return False  # "... of event and reimbursement may be requested": B opens a clause
        if ta != "AJ0" and d.word(n) and d.tag(n)[:2] in ("NN", "NP", "AJ"):
            return False  # "team and project lead": the last noun may head B alone
        if d.raw[n] in (",", "-") and n + 1 < d.n and d.skel[n + 1] in ("and", "or"):
            return False  # a list goes on
    return not (d.tight(n) if n < d.n else False) or d.raw[n] in (".", ",", ";", ":", ")", "!", "?")


def lone_relative(d: Doc, k: int, s: Span | None = None) -> bool:
    """The relative pronoun at k is not one of coordinated relative clauses ("tools that help
    and that fit", "who don't have access -- or who don't feel ..."): no relative pronoun of its
    sentence follows 'and', 'or' or 'but' (a dash or a comma between), so a copy never breaks
    their parallel."""
    a, b = d.sentence(k, reach=80)
    for j in range(a + 1, b):
        if d.skel[j] not in _W["relative_pronouns"]:
            continue
        p = j - 1
        while p > a and d.raw[p] in (",", "-", "\u2013", "\u2014", "--"):
            p -= 1
        if d.skel[p] in ("and", "or", "but"):
            return False
    return True


def opener_comma(d: Doc, i: int) -> int:
    """Index of the comma that ends a short clause or phrase opening a sentence at token i
    ("If you have questions, ...", "In most cases, ..."): two to five words, nothing but words
    before it; or -1. A longer opener keeps its comma ("To request 80 hours or less of LWOP,
    you must ..." would run "LWOP you" together)."""
    if not d.sent[i] or d.case(i) != 1:
        return -1
    for j in range(i + 1, min(i + 6, d.n - 1)):
        t = d.raw[j]
        if t == ",":
            return j if j >= i + 2 and d.tight(j) else -1
        if not (d.word(j) and d.spaced(j)):
            return -1
    return -1


NAMED: dict[str, Test] = {
    "subject-position": subject_position,
    "verb-slot": verb_slot,
    "plural-noun": plural_noun,
    "that-verb": that_verb,
    "clause-start": clause_start,
    "clause-start-loose": lambda d, k, s: clause_start(d, k, s, loose=True),
    "serial-list": serial_list,
    "unit-after": unit_after,
    "coordinate-pair": coordinate_pair,
    "lone-relative": lone_relative,
}

FINDERS: dict[str, tuple[Finder, frozenset[str]]] = {
    "intro-opener": (intro_opener, _W["intro_adverbs"] | _W["intro_time_heads"]
                     | _W["intro_year_preps"] | {p[0] for p in _W["intro_phrases"]}),
    "opener-comma": (opener_comma, _W["openers"]),
}
