"""Lexical channel: each rule applies where the alternation keeps the meaning, and refuses
where it would not; sites are readable, disjoint, ordered, and never touch protected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.marks.declared import resolve
from leaktrace.marks.lexical import FAMILIES, RULES, examples, find
from leaktrace.marks.lexical.engine import compile_guard
from leaktrace.marks.lexical.guards import NAMED
from leaktrace.marks.sites import Channel, SiteSet, is_readable
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import tokenize

# A site needs an unchanged anchor token on each side, so test sentences start after one.
LEAD = "Fine. "


def sites_of(text: str):
    tokens = tokenize(text)
    sites = list(find(tokens, find_protected(text)))
    for site in sites:
        assert is_readable(site, tokens), site
    return sites


def render(text: str, site, v: int) -> str:
    ((start, end),) = site.spans
    return text[:start] + site.variants[v][0] + text[end:]


def family(site) -> str:
    return site.kind.split(":")[0]


def alternatives(text: str, fam: str) -> list[str]:
    """Every text obtained by switching one site of family `fam` to another variant."""
    return [render(text, s, v) for s in sites_of(text) if family(s) == fam
            for v in range(1, s.q)]


# The examples live in the family tables (src/leaktrace/marks/lexical/tables/*.toml).
EXAMPLES = examples()
APPLY = [(e.family, e.text, e.expected) for e in EXAMPLES if e.expected is not None]
REFUSE = [(e.family, e.text) for e in EXAMPLES if e.expected is None]


@pytest.mark.parametrize("fam, text, expected", APPLY)
def test_rule_applies(fam, text, expected):
    assert expected in alternatives(text, fam)


@pytest.mark.parametrize("fam, text", REFUSE)
def test_rule_refuses(fam, text):
    assert alternatives(text, fam) == []


def test_every_family_has_examples_of_applying_and_refusing():
    assert {e.family for e in EXAMPLES} == set(FAMILIES)
    for fam in FAMILIES:
        assert any(f == fam for f, _, _ in APPLY), fam
        assert any(f == fam for f, _ in REFUSE), fam


def test_every_rule_has_an_example_of_applying():
    for rule in RULES:
        assert rule.apply, (rule.family, rule.kind, rule.word)


@pytest.mark.parametrize("guard", ["next lowr", "prev in no_such_list", "next in", "not", "prev or next"])
def test_a_misspelt_guard_is_refused_when_the_tables_load(guard):
    with pytest.raises(ValueError):
        compile_guard(guard, NAMED)


def test_sites_have_the_lexical_shape():
    text = ("Fine. We do not believe that the three crews, the vans and the depot are "
            "ready toward the end of the year, and we'll review it about 2 weeks later.")
    tokens = tokenize(text)
    sites = sites_of(text)
    assert len(sites) >= 5
    for site in sites:
        assert site.channel is Channel.LEXICAL
        assert site.reader == "tokens"
        assert len(site.spans) == len(site.windows) == 1
        assert site.q >= 2 and all(len(v) == 1 for v in site.variants)
        ((s, e),), ((a, b),) = site.spans, site.windows
        assert site.variants[0][0] == text[s:e]
        assert 1 <= a <= b < len(tokens)
        assert tokens.ends[a - 1] <= s <= e <= tokens.starts[b]


def test_sites_are_ordered_disjoint_and_keep_an_anchor_between():
    text = "\n\n".join(t for _, t, *_ in APPLY)  # many sites close together
    tokens = tokenize(text)
    sites = sites_of(text)
    assert len(sites) > len(APPLY) // 2
    starts = [s.start for s in sites]
    assert starts == sorted(starts)
    for prev, nxt in zip(sites, sites[1:]):
        assert nxt.windows[0][0] >= prev.windows[0][1] + 1
    accepted = SiteSet(tokens)
    assert all(accepted.add(s) for s in sites)


def test_deterministic():
    text = "\n\n".join(t for _, t, *_ in APPLY)
    first = [s.to_json() for s in sites_of(text)]
    assert first == [s.to_json() for s in sites_of(text)]
    assert first == [s.to_json() for s in sites_of(str(text))]


@pytest.mark.parametrize("text", [
    'Fine. The director wrote: "We do not plan to move three crews toward the depot."',
    "Fine. See https://example.org/we-do-not-track/about-3-weeks for details.",
    "Fine. Write to do.not.reply@example.org about it.",
    "Fine. Run `we do not stop` at once.",
    "Fine. We met Ashcombe Toward Group.",
])
def test_protected_text_is_never_touched(text):
    protected = find_protected(text)
    for site in sites_of(text):
        ((s, e),) = site.spans
        assert not protected.overlaps(s, e), site
    # the quoted, linked or named words themselves carry no site
    assert all(site.kind != "spelling:toward" for site in sites_of(text))
    assert all(site.variants[0][0] != "do not" for site in sites_of(text))


def test_protected_quotation_refused_but_same_words_outside_accepted():
    text = 'Fine. We do not agree. She said "we do not agree" twice.'
    sites = [s for s in sites_of(text) if family(s) == "contraction"]
    assert [s.start for s in sites] == [text.index("do not")]


def test_capitalized_word_mid_sentence_is_a_name():
    assert alternatives("Fine. We met Nobody Else Ltd today.", "synonym") == []
    assert alternatives("Fine. We met the Among Trust.", "spelling") == []


def test_contraction_keeps_the_documents_apostrophe():
    curly = "Fine. We don’t agree, and we can’t wait. We do not plan to stay."
    assert "Fine. We don’t agree, and we can’t wait. We don’t plan to stay." in \
        alternatives(curly, "contraction")
    straight = "Fine. We don't agree. We do not plan to stay."
    assert "Fine. We don't agree. We don't plan to stay." in alternatives(straight, "contraction")


def test_insertion_sites_are_empty_spans():
    text = "Fine. We believe the plan is sound, cheap and quick."
    inserts = [s for s in sites_of(text) if s.spans[0][0] == s.spans[0][1]]
    assert {family(s) for s in inserts} == {"optional-that", "serial-comma"}
    for s in inserts:
        assert s.variants[0] == ("",)
        assert s.windows[0][0] == s.windows[0][1]


SAMPLE = """\
We do not expect the new billing system to go live before the end of the quarter. The \
vendor has confirmed that the data migration is on track, but we are still waiting for the \
final test results. In the meantime, the support team will continue to handle about 40 \
percent of requests by e-mail, and we will review the backlog toward the end of each week.

Based on the pilot, we believe the new workflow is far more cost-effective than the current \
one. Three regional offices took part, and each of them reported fewer errors, faster \
approvals, and better feedback from customers. However, it is clear that staff need more \
training. We will organize two workshops in March in order to help everyone learn the new \
tools, and we'll share the slides on the team website afterward.

Although the budget is tight, we don't think that the rollout should be delayed. Finance \
has agreed the extra cost can be absorbed this year. If you are planning leave during the \
launch, please let your manager know as soon as possible. For example, the Denver office \
cannot spare more than two analysts at once. We know that some teams are already \
stretched, and we are grateful for the work you have done so far.
"""

PLAIN = """\
Thank you all for attending the planning session on Thursday. This note summarizes what \
we agreed and what happens next. The finance team will send the revised forecast by \
Friday, and department heads should check it against their own figures. We are not \
changing the hiring freeze, but we will allow exceptions for roles that are critical to \
customer service. If you think a role qualifies, please send a short justification to \
your director. It is likely that travel will stay restricted until the second half of \
the year. Managers should keep meetings online where possible and combine trips when \
they cannot be avoided. We also discussed the office move. The new lease starts in \
October, and the facilities team has asked for volunteers to help with the planning. \
We don't have final floor plans yet, but each team will get roughly the same space as \
today. Finally, remember that the annual survey closes next week. It takes about ten \
minutes, and the results help us decide where to invest. We know everyone is busy, and \
we appreciate the effort that has gone into this quarter.
"""


def density(text: str) -> float:
    return 100 * len(sites_of(text)) / len(text.split())


def test_density_on_memo_prose():
    # Ordinary business prose carries several lexical sites per 100 words.
    assert density(SAMPLE) >= 6
    assert density(PLAIN) >= 6


def test_example_memo_sites_are_readable_and_disjoint():
    memo = Path(__file__).resolve().parents[2] / "examples" / "memo.md"
    if not memo.exists():
        pytest.skip("no example memo")
    base, _ = resolve(memo.read_text(encoding="utf-8"))
    tokens = tokenize(base)
    sites = sites_of(base)
    assert len(sites) >= 30
    accepted = SiteSet(tokens)
    assert all(accepted.add(s) for s in sites)
