"""mark --preview: each change is shown in its context, cut between words, never inside one."""

import numpy as np
from samples import MEMO

from leaktrace.marks.channels import find_sites
from leaktrace.marks.declared import resolve
from leaktrace.marks.embed import changes
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import tokenize


def test_the_context_of_a_change_starts_and_ends_between_words():
    base, declared = resolve(MEMO)
    sites = find_sites(tokenize(base), find_protected(base), declared)
    rng = np.random.default_rng(7)
    codeword = np.array([rng.integers(1, s.q) for s in sites])
    shown = changes(base, sites, codeword)
    assert len(shown) > 50
    for c in shown:
        if c.channel == "invisible":
            continue  # its variants are shown as <U+...>, the words around them as they are
        before, _, rest = c.context.partition("[")
        after = rest.rpartition("]")[2]
        i = base.find(before + c.original) if before else 0
        assert i >= 0, c
        assert i == 0 or base[i - 1].isspace() or not before, c.context
        j = base.find(after, i) if after else len(base)
        end = j + len(after)
        assert end == len(base) or base[end].isspace() or not after or not base[end - 1].isalnum() \
            or not base[end].isalnum(), c.context
