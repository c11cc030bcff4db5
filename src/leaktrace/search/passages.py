"""The passage index: every document cut into passages of a few sentences, in SQLite FTS5
with BM25 ranking.

Fingerprints find copied text; this index finds text that shares a passage's distinctive
words in any order, which is what a paraphrase or a summary keeps. It only proposes
candidates: every claim of reuse is decided afterwards by aligning the leak to the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlalchemy.engine import Connection, Engine

MAX_WORDS = 80
# a full stop followed directly by a letter or digit (46.8, example.org, e.g.) ends nothing
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\w))+(?:[.!?]+[\"'”’)]*|\n|$)")
_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)
# content words: words of three letters or more, and numbers (46.8, 2026, 12): a reworded
# passage keeps its figures
_CONTENT = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_][^\W_]{2,}", re.UNICODE)
STOPWORDS = frozenset("""
a about above after again against all also although am an and any are as at be because been before
being below between both but by can could did do does doing down during each either else ever every
few for from further had has have having he her here hers herself him himself his how however i if
in into is it its itself just least less let like made make many may me might more most much must my
myself neither no nor not now of off often on once one only or other others our ours ourselves out
over own per perhaps rather same several shall she should since so some such than that the their
theirs them themselves then there these they this those though through thus to too under until up
upon us very was we were what when where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves
""".split())


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    text: str


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every sentence-like piece with at least one word."""
    for m in _SENTENCE.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a and _WORD.search(text, a, b):
            yield a, b


def chunks(text: str) -> list[Chunk]:
    """Passages of whole sentences, up to about MAX_WORDS words each, never across a paragraph."""
    out: list[Chunk] = []
    cur: list[tuple[int, int]] = []
    words = 0
    for a, b in sentences(text):
        n = len(text[a:b].split())
        if cur and (words + n > MAX_WORDS or "\n\n" in text[cur[-1][1]:a]):
            out.append(Chunk(cur[0][0], cur[-1][1], text[cur[0][0]:cur[-1][1]]))
            cur, words = [], 0
        cur.append((a, b))
        words += n
    if cur:
        out.append(Chunk(cur[0][0], cur[-1][1], text[cur[0][0]:cur[-1][1]]))
    return out


def available(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    return conn.execute(sql("SELECT 1 FROM sqlite_master WHERE name = 'passages'")).first() is not None


def add(conn: Connection, docs: Iterable[tuple[int, str]]) -> None:
    """Index the passages of documents, given as (doc, base text) pairs, in that order."""
    if not available(conn):
        return
    rows = [{"body": c.text, "doc": doc, "start": c.start, "end": c.end}
            for doc, base in docs for c in chunks(base)]
    if rows:
        conn.execute(sql("INSERT INTO passages (body, doc, start, end) VALUES (:body, :doc, :start, :end)"), rows)


def backfill(engine: Engine) -> None:
    """Index every document that has no passages yet (after an upgrade)."""
    with engine.begin() as conn:
        if not available(conn):
            return
        have = {r[0] for r in conn.execute(sql("SELECT DISTINCT doc FROM passages"))}
        add(conn, [(doc, base) for doc, base in conn.execute(sql("SELECT id, base FROM documents")).all()
                   if doc not in have])


def content_words(text: str) -> list[str]:
    return [w for w in (m.group(0).casefold() for m in _CONTENT.finditer(text)) if w not in STOPWORDS]


QUERY_TERMS = 16


def document_frequencies(conn: Connection, words: Iterable[str]) -> tuple[dict[str, int], int]:
    """How many passages contain each word, and how many passages there are."""
    if not available(conn):
        return {}, 0
    words = list(dict.fromkeys(words))
    df: dict[str, int] = {}
    for i in range(0, len(words), 500):
        part = words[i:i + 500]
        marks = ",".join(f":w{k}" for k in range(len(part)))
        df.update(conn.execute(sql(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})"),
                               {f"w{k}": w for k, w in enumerate(part)}).all())
    total = conn.execute(sql("SELECT count(*) FROM passages_docsize")).scalar() or 0
    return df, int(total)


def rarest(conn: Connection, words: Iterable[str], n: int = QUERY_TERMS) -> list[str]:
    """The n words of the text that fewest passages contain (words no passage has are useless)."""
    words = list(dict.fromkeys(words))[:400]
    if not words:
        return []
    marks = ",".join(f":w{i}" for i in range(len(words)))
    rows = conn.execute(sql(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})"),
                        {f"w{i}": w for i, w in enumerate(words)}).all()
    return [t for t, _ in sorted(rows, key=lambda r: (r[1], r[0]))[:n]]


def query(conn: Connection, text: str, limit: int = 20) -> list[tuple[int, int, int, float]]:
    """Passages sharing the text's most distinctive words: (doc, start, end, bm25 score; higher
    is better)."""
    if not available(conn):
        return []
    words = rarest(conn, content_words(text))
    if not words:
        return []
    # every word quoted: the leak is hostile text and must not be read as FTS5 query syntax
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    rows = conn.execute(sql("SELECT doc, start, end, -bm25(passages) AS score FROM passages "
                            "WHERE passages MATCH :q ORDER BY bm25(passages) LIMIT :n"),
                        {"q": match, "n": limit}).all()
    return [(int(d), int(s), int(e), float(sc)) for d, s, e, sc in rows]


def candidates(conn: Connection, windows: Iterable[str], per_window: int = 10) -> dict[int, float]:
    """Documents whose passages best match any window of the leak, with summed BM25 scores."""
    scores: dict[int, float] = {}
    for w in windows:
        best: dict[int, float] = {}
        for doc, _, _, score in query(conn, w, per_window):
            best[doc] = max(best.get(doc, 0.0), score)
        for doc, score in best.items():
            scores[doc] = scores.get(doc, 0.0) + score
    return scores
