"""Invisible, typographic and declared channels: correct and refused applications."""

import numpy as np

from leaktrace.marks import declared, invisible, typographic
from leaktrace.marks.embed import render
from leaktrace.marks.channels import ALL_CHANNELS, find_sites
from leaktrace.marks.sites import Channel, is_readable
from leaktrace.text.protect import find_protected
from leaktrace.text.tokens import strip_invisible, tokenize
from samples import MEMO


def sites_of(text, module):
    t = tokenize(text)
    return t, list(module.find(t, find_protected(text)))


def apply(text, site, v):
    out = text
    for (s, e), rep in sorted(zip(site.spans, site.variants[v]), reverse=True):
        out = out[:s] + rep + out[e:]
    return out


def test_invisible_sites_sit_after_spaces_between_words_and_render_invisibly():
    text = "We met the crews at the depot on Monday and then went home."
    t, sites = sites_of(text, invisible)
    assert sites and all(s.channel is Channel.INVISIBLE and s.q == 16 for s in sites)
    for s in sites:
        assert is_readable(s, t)
        (pos, end), = s.spans
        assert pos == end and text[pos - 1] == " "
        for v in range(s.q):
            assert strip_invisible(apply(text, s, v)) == text


def test_invisible_refuses_quotations_urls_and_punctuation_gaps():
    text = 'She wrote "keep the valves shut" at https://a.example.org/x today, and left.'
    t, sites = sites_of(text, invisible)
    protected_ranges = [(text.index('"'), text.rindex('"')), (text.index("https"), text.index(" today"))]
    for s in sites:
        pos = s.spans[0][0]
        assert not any(a < pos < b for a, b in protected_ranges)  # beside is fine, inside is not
    # no site in the gap after the comma (punctuation before the space)
    assert all(text[s.spans[0][0] - 2] != "," for s in sites)


def test_typographic_apostrophe_hyphen_ellipsis_dash_and_quote_pairs():
    text = ('The plan isn’t final. It is a long-term fix… We agreed—quietly—to wait. '
            'Then Sam said "we wait" and left — slowly.')
    t, sites = sites_of(text, typographic)
    kinds = {s.kind for s in sites}
    assert {"apostrophe", "hyphen", "ellipsis", "dash-spacing", "double-quotes"} <= kinds
    by_kind = {}
    for s in sites:
        by_kind.setdefault(s.kind, s)
    assert apply(text, by_kind["apostrophe"], 1).startswith("The plan isn't final.")
    assert "long\u2010term" in apply(text, by_kind["hyphen"], 1)
    assert "fix... We" in apply(text, by_kind["ellipsis"], 1)
    assert "agreed — quietly" in apply(text, by_kind["dash-spacing"], 1)
    # quote marks change together; the quotation itself is untouched
    assert '“we wait”' in apply(text, by_kind["double-quotes"], 1)
    assert all(is_readable(s, t) for s in sites)


def test_typographic_refuses_hyphens_in_identifiers_and_dashes_in_number_ranges():
    text = "Ticket WO-2291-B covers pages 10–12 of the plan and that is final here."
    t, sites = sites_of(text, typographic)
    assert not sites


def test_declared_markup_resolves_to_first_alternative_and_becomes_a_site():
    original = "Crews start at {{05:00|05:15}} on the {{first|opening}} day of the works."
    base, decl = declared.resolve(original)
    assert base == "Crews start at 05:00 on the first day of the works."
    t = tokenize(base)
    sites = list(declared.find(t, decl))
    assert [s.variants for s in sites] == [(("05:00",), ("05:15",)), (("first",), ("opening",))]
    assert all(is_readable(s, t) for s in sites)
    assert "at 05:15 on" in apply(base, sites[0], 1)


def test_text_without_markup_or_with_single_braces_is_left_alone():
    base, decl = declared.resolve("Use {{only}} and {a|b} literally.")
    assert base == "Use {{only}} and {a|b} literally." and decl == []


def test_find_sites_gives_disjoint_readable_sites_in_every_channel():
    base, decl = declared.resolve(MEMO)
    t = tokenize(base)
    sites = find_sites(t, find_protected(base), decl, ALL_CHANNELS)
    assert {s.channel for s in sites} >= {Channel.INVISIBLE, Channel.TYPOGRAPHIC, Channel.DECLARED}
    spans = sorted(sp for s in sites for sp in s.spans)
    for (a, b), (c, d) in zip(spans, spans[1:]):
        assert b <= c and (a, b) != (c, d)
    assert all(is_readable(s, t) for s in sites)
    # restricting channels restricts sites
    only = find_sites(t, find_protected(base), decl, (Channel.DECLARED,))
    assert {s.channel for s in only} == {Channel.DECLARED} and len(only) == 2


def test_render_applies_every_chosen_variant_and_variant_zero_is_the_original():
    base, decl = declared.resolve(MEMO)
    t = tokenize(base)
    sites = find_sites(t, find_protected(base), decl, ALL_CHANNELS)
    assert render(base, sites, np.zeros(len(sites), dtype=np.int8)) == base
    ones = np.ones(len(sites), dtype=np.int8)
    copy = render(base, sites, ones)
    assert copy != base
    # quotations, URLs and e-mail addresses are untouched in the copy
    for kept in ['the tablets only help if people trust them.', "https://intranet.example.org/depots",
                 "ops-planning@example.org", "Priya Natarajan"]:
        assert kept in copy


def test_sentence_spacing_one_or_two_spaces_but_not_after_abbreviations():
    text = "We met Dr. Okafor at noon. The plan held! Then we left. See p. 4 today."
    t, sites = sites_of(text, typographic)
    spacing = [s for s in sites if s.kind == "sentence-spacing"]
    assert [text[s.spans[0][0] - 5:s.spans[0][0]] for s in spacing] == ["noon.", "held!", "left."]
    assert "noon.  The plan" in apply(text, spacing[0], 1)
    assert all(is_readable(s, t) for s in spacing)


def test_styles_missing_from_the_whole_leak_are_erased_not_read():
    from leaktrace.marks.read import read
    from leaktrace.text.align import DocIndex, align

    base = ("Fine. The utility’s plan isn’t final and the crews’ rota won’t change. "
            "We think it’s fair and that’s that, so the depot’s team can rest.")
    t = tokenize(base)
    sites = [s for s in typographic.find(t, find_protected(base)) if s.kind == "apostrophe"]
    assert len(sites) >= 4
    leak = base.replace("’", "'")  # retyped: every apostrophe straight
    lt = tokenize(leak)
    assert (read(sites, t, lt, align(DocIndex(t), lt)) == -1).all()
    # with curly apostrophes present somewhere, straight ones are real readings
    mixed = leak.replace("isn't", "isn’t")
    lm = tokenize(mixed)
    got = read(sites, t, lm, align(DocIndex(t), lm))
    assert (got >= 0).any()
