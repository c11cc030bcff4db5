"""Investigations: cases with artifacts under chain of custody, traces, the exposure set,
pseudonyms and reveals, protected channels, and the evidence report.

    from leaktrace.cases.book import Cases
    cases = Cases(ws)
    c = cases.open("Depot plan in the Gazette", purpose="Find the copy the article quotes")
    cases.add_artifact(c.id, "article.html", obtained_from="gazette.example", obtained_at="2024-05-02T10:00Z",
                       first_seen="2024-05-01T06:00Z")
    cases.trace(c.id)
    cases.view(c.id)                       # the three evidence columns, under pseudonyms

Nothing is imported here: the tables are registered by `leaktrace.store.db`, and the rest is
loaded when a command runs.
"""
