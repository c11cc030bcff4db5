from leaktrace.formats.html import html_to_text


def test_visible_text_only_with_entities_decoded_and_blocks_separated():
    page = """<html><head><title>T</title><style>p{color:red}</style><script>alert('x')</script></head>
    <body><nav><a href="/">Home</a></nav><p>First &amp; <b>bold</b> text.</p>
    <blockquote><p>Quoted   words&rsquo; here.</p></blockquote><!-- hidden comment --></body></html>"""
    text = html_to_text(page)
    assert "alert" not in text and "color" not in text and "hidden comment" not in text
    assert "First & bold text." in text
    assert "Quoted words’ here." in text
    assert text.split("\n\n")[-1] == "Quoted words’ here."
