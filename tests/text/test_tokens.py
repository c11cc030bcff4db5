from leaktrace.text.tokens import (
    invisible_chars,
    skeleton,
    skeletons,
    strip_invisible,
    tokenize,
)


def test_words_keep_inner_apostrophes_and_offsets():
    t = tokenize("We don’t plan—today… “ok”")
    assert t.raw == ("We", "don’t", "plan", "—", "today", "…", "“", "ok", "”")
    for raw, s, e in zip(t.raw, t.starts, t.ends):
        assert t.text[s:e] == raw


def test_skeleton_folds_typography_case_and_confusables():
    assert skeleton("Don’t") == "don't"
    assert skeleton("—") == skeleton("--") == skeleton("-") == "-"
    assert skeleton("…") == "..."
    assert skeleton("раy") == "pay"  # Cyrillic р and а fold to Latin


def test_invisible_characters_are_not_tokens():
    text = "a \u200b\u200cb\u2060 c"
    assert tokenize(text).raw == ("a", "b", "c")
    assert invisible_chars(text) == "\u200b\u200c\u2060"
    assert strip_invisible(text) == "a b c"


def test_skeletons_are_those_of_the_tokens():
    text = "We don’t plan—today… “ok” -- ... раy a\u200bb ＡＢＣ café"
    assert skeletons(text) == list(tokenize(text).skel)
