from leaktrace.text.protect import find_protected


def covered(text: str) -> str:
    p = find_protected(text)
    return "".join(c for c, m in zip(text, p.mask) if m)


def test_quotations_urls_emails_code_identifiers_and_names_are_protected():
    text = ('We met Maria Lopez. She said "we do not agree" about WO-2291-B and `run_job` '
            "at https://x.example.org/a or ops@example.org with the NATO team.")
    c = covered(text)
    for part in ['"we do not agree"', "WO-2291-B", "`run_job`", "https://x.example.org/a",
                 "ops@example.org", "Maria Lopez", "NATO"]:
        assert part in c, part
    assert "met" not in c and "about" not in c


def test_markdown_structure_is_protected():
    text = "# Title\n\n- item one\n\n| a | b |\n\n    indented code\n"
    c = covered(text)
    assert "# " in c and "- " in c and "| a | b |" in c and "indented code" in c


def test_sentence_initial_capital_is_not_a_name():
    assert covered("The plan works. Nobody minds.") == ""


def test_names_of_several_words_are_protected_even_at_sentence_start():
    c = covered("It worked. Priya Natarajan ran the pilot. Harrow Valley Water agreed.")
    assert "Priya Natarajan" in c and "Harrow Valley Water" in c and "ran" not in c


def test_dates_times_and_money_are_protected_whole():
    text = "On 14 March 2025 at 09:30 we spent £46.8 million, and on March 3, 2026 another 12 million pounds."
    c = covered(text)
    for part in ["14 March 2025", "09:30", "£46.8 million", "March 3, 2026", "12 million pounds"]:
        assert part in c, part
    assert "spent" not in c and "another" not in c


def test_link_text_wrapped_over_lines_is_protected():
    # the handbook wraps long link texts; a wrapped one was open to marks (review sample items 73, 87)
    text = ("Please [contact the help\ndesk](/tools/#desk) today.\n\n"
            "- [Our values and principles at\n  TTS](/classes/#values)\n\n"
            "A [broken\n\nlink](/x) is two paragraphs.")
    c = covered(text)
    assert "contact the help\ndesk" in c and "values and principles at\n  TTS" in c
    assert "Please" not in c and "today" not in c
    assert "broken" not in c  # a link text never runs over a blank line
