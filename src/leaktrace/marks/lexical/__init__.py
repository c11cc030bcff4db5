"""Lexical channel: ASCII, meaning-preserving word alternations that survive retyping.

Each family of alternations is one table (tables/<family>.toml): its alternations, the guards
that show an alternation cannot change what the sentence says (a wrong site is far worse than a
missing one), and examples of correct and refused applications, which the tests run. Sites
never touch protected text, never share a token, and keep one unchanged anchor token between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...text.protect import Protected
from ...text.tokens import Tokens
from ..sites import Site, is_readable
from .engine import Doc, Proposer, Rule, load_family
from .guards import FINDERS, NAMED

# Where rules of two families could apply at one word, the earlier family's is tried first.
# Site lists are part of every stored code, so this order (and each table's) must not change.
FAMILIES = ("contraction", "optional-that", "number-word", "serial-comma", "clause-comma",
            "spelling", "percent", "hyphen-compound", "synonym", "in-order-to", "intro-comma",
            "coordination", "relative", "phrasing", "opener-comma")

_DISPATCH: dict[str, list[Proposer]] = {}  # the rules to try at a token, by its skeleton
RULES: list[Rule] = []
for _family in FAMILIES:
    for _skeleton, _rule, _propose in load_family(_family, NAMED, FINDERS):
        _DISPATCH.setdefault(_skeleton, []).append(_propose)
        if not RULES or RULES[-1] is not _rule:
            RULES.append(_rule)


@dataclass(frozen=True)
class Example:
    family: str
    kind: str
    text: str
    expected: str | None  # None: no site of the family


def examples() -> list[Example]:
    """Every example of every table: where a rule applies (and its result), where it refuses."""
    out: list[Example] = []
    for rule in RULES:
        out += [Example(rule.family, rule.kind, t, e) for t, e in rule.apply]
        out += [Example(rule.family, rule.kind, t, None) for t in rule.refuse]
    return out


def find(tokens: Tokens, protected: Protected) -> Iterator[Site]:
    """Lexical sites of a text, in order, none sharing a token or an anchor's neighbour."""
    n = len(tokens)
    if n < 3:
        return
    doc = Doc.of(tokens, protected)
    dispatch = _DISPATCH
    skel = tokens.skel
    last_b = 0  # end of the last window: the next one starts at last_b + 1 or later
    for i in range(1, n - 1):
        if i <= last_b:
            continue
        proposers = dispatch.get(skel[i])
        if proposers is None:
            continue
        for propose in proposers:
            site = propose(doc, i)
            # a swap's window starts before the token tried: it too keeps an anchor free
            if site is None or site.windows[0][0] <= last_b or not is_readable(site, tokens):
                continue
            yield site
            last_b = site.windows[0][1]
            break
