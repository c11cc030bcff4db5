"""The passage index: every document cut into passages of a few sentences, in full-text
search with BM25 ranking: SQLite FTS5 in the embedded database, PostgreSQL's text search on
a server.

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

from ..store.bulk import copy_rows

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


# ---------------------------------------------------------------------------- storage
# The passage index lives in the workspace database, behind the few calls below: SQLite's FTS5
# (BM25 ranking) in the embedded database, PostgreSQL's text search (tsvector, GIN index) on a
# server. Both store the same passages; the vocabulary (how many passages hold each word)
# weighs words by rarity for the query and for the stem matcher.


class _Backend:
    DDL: tuple[str, ...] = ()

    def create(self, conn: Connection) -> None:
        for stmt in self.DDL:
            conn.execute(sql(stmt))

    def indexed(self, conn: Connection) -> set[int]:
        """Documents that have passages in the index."""
        return {r[0] for r in conn.execute(sql("SELECT DISTINCT doc FROM passages"))}


class _Fts5(_Backend):
    """SQLite: an FTS5 table of passages and its fts5vocab view."""

    DDL = ("CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5("
           "body, doc UNINDEXED, start UNINDEXED, end UNINDEXED, tokenize='unicode61 remove_diacritics 2')",
           "CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages, 'row')")

    def exists(self, conn: Connection) -> bool:
        return conn.execute(sql("SELECT 1 FROM sqlite_master WHERE name = 'passages'")).first() is not None

    def add(self, conn: Connection, rows: list[dict]) -> None:
        conn.execute(sql("INSERT INTO passages (body, doc, start, end) VALUES (:body, :doc, :start, :end)"), rows)

    def frequencies(self, conn: Connection, words: list[str]) -> tuple[dict[str, int], int]:
        df: dict[str, int] = {}
        for part in _parts(words):
            marks = ",".join(f":w{k}" for k in range(len(part)))
            df.update(conn.execute(sql(f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})"),
                                   {f"w{k}": w for k, w in enumerate(part)}).all())
        total = conn.execute(sql("SELECT count(*) FROM passages_docsize")).scalar() or 0
        return df, int(total)

    def search(self, conn: Connection, words: list[str], limit: int, df: dict[str, int],
               total: int) -> list[tuple[int, int, int, float]]:
        # every word quoted: the leak is hostile text and must not be read as FTS5 query syntax
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = conn.execute(sql("SELECT doc, start, end, -bm25(passages) AS score FROM passages "
                                "WHERE passages MATCH :q ORDER BY bm25(passages) LIMIT :n"),
                            {"q": match, "n": limit}).all()
        return [(int(d), int(a), int(b), float(sc)) for d, a, b, sc in rows]


class _PgText(_Backend):
    """PostgreSQL: passages with a tsvector column under a GIN index, and a table of word
    frequencies kept by leaktrace (PostgreSQL's ts_stat would read the whole index per query).
    Ranking is BM25 computed here over the passages the index returns, so that both backends
    rank alike."""

    DDL = ("CREATE TABLE IF NOT EXISTS passages (id BIGSERIAL PRIMARY KEY, doc INTEGER NOT NULL, "
           "start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, words INTEGER NOT NULL, body TEXT NOT NULL, "
           "tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)",
           "CREATE INDEX IF NOT EXISTS ix_passages_tsv ON passages USING GIN (tsv)",
           "CREATE INDEX IF NOT EXISTS ix_passages_doc ON passages (doc)",
           "CREATE TABLE IF NOT EXISTS passage_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS passage_totals (id INTEGER PRIMARY KEY, passages BIGINT NOT NULL, "
           "words BIGINT NOT NULL)",
           "INSERT INTO passage_totals (id, passages, words) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING")
    K1, B = 1.2, 0.75

    def exists(self, conn: Connection) -> bool:
        return conn.execute(sql("SELECT to_regclass('passages') IS NOT NULL")).scalar() is True

    def add(self, conn: Connection, rows: list[dict]) -> None:
        from collections import Counter

        words = [content_words(r["body"]) for r in rows]
        copy_rows(conn, "COPY passages (doc, start_at, end_at, words, body) FROM STDIN",
                  ((r["doc"], r["start"], r["end"], len(w), r["body"]) for r, w in zip(rows, words)))
        df = Counter(t for w in words for t in set(w))
        terms = sorted(df.items())
        for i in range(0, len(terms), 5000):
            conn.execute(sql("INSERT INTO passage_terms (term, df) VALUES (:t, :n) "
                             "ON CONFLICT (term) DO UPDATE SET df = passage_terms.df + EXCLUDED.df"),
                         [{"t": t, "n": n} for t, n in terms[i:i + 5000]])
        conn.execute(sql("UPDATE passage_totals SET passages = passages + :p, words = words + :w WHERE id = 1"),
                     {"p": len(rows), "w": sum(map(len, words))})

    def frequencies(self, conn: Connection, words: list[str]) -> tuple[dict[str, int], int]:
        df: dict[str, int] = {}
        for part in _parts(words):
            df.update(conn.execute(sql("SELECT term, df FROM passage_terms WHERE term = ANY(:w)"),
                                   {"w": part}).all())
        total = conn.execute(sql("SELECT passages FROM passage_totals WHERE id = 1")).scalar() or 0
        return df, int(total)

    def search(self, conn: Connection, words: list[str], limit: int, df: dict[str, int],
               total: int) -> list[tuple[int, int, int, float]]:
        """df, total: the words' passage frequencies and the passage count, as `frequencies`
        gave them for choosing the words."""
        import math
        from collections import Counter

        # each word a quoted lexeme; content words hold only letters, digits, "." and ",", and
        # quotes are doubled all the same: the leak is hostile text
        query = " | ".join("'" + w.replace("'", "''").replace("\\", "") + "'" for w in words)
        all_words = conn.execute(sql("SELECT words FROM passage_totals WHERE id = 1")).scalar() or 0
        avg = (all_words / total) if total else 1.0
        rows = conn.execute(sql("SELECT doc, start_at, end_at, words, body FROM passages "
                                "WHERE tsv @@ to_tsquery('simple', :q) "
                                "ORDER BY ts_rank(tsv, to_tsquery('simple', :q)) DESC LIMIT :n"),
                            {"q": query, "n": limit * 10}).all()
        wanted = set(words)
        scored = []
        for d, a, b, length, body in rows:
            tf = Counter(w for w in content_words(body) if w in wanted)
            score = sum(math.log(1 + (total - df.get(w, 0) + 0.5) / (df.get(w, 0) + 0.5))
                        * f * (self.K1 + 1) / (f + self.K1 * (1 - self.B + self.B * length / avg))
                        for w, f in tf.items())
            scored.append((int(d), int(a), int(b), score))
        scored.sort(key=lambda r: -r[3])
        return scored[:limit]


_BACKENDS = {"sqlite": _Fts5(), "postgresql": _PgText()}


def _backend(conn: Connection):
    return _BACKENDS.get(conn.dialect.name)


def _parts(words: list[str], size: int = 500):
    for i in range(0, len(words), size):
        yield words[i:i + size]


def create(conn: Connection) -> bool:
    """Create the passage index where the database supports it; True when it exists."""
    backend = _backend(conn)
    if backend is None:
        return False
    backend.create(conn)
    return True


def available(conn: Connection) -> bool:
    backend = _backend(conn)
    return backend is not None and backend.exists(conn)


def add(conn: Connection, docs: Iterable[tuple[int, str]]) -> None:
    """Index the passages of documents, given as (doc, base text) pairs, in that order."""
    if not available(conn):
        return
    rows = [{"body": c.text, "doc": doc, "start": c.start, "end": c.end}
            for doc, base in docs for c in chunks(base)]
    if rows:
        _backend(conn).add(conn, rows)


def backfill(engine: Engine) -> None:
    """Index every document that has no passages yet (after an upgrade)."""
    with engine.begin() as conn:
        if not available(conn):
            return
        have = _backend(conn).indexed(conn)
        add(conn, [(doc, base) for doc, base in conn.execute(sql("SELECT id, base FROM documents")).all()
                   if doc not in have])


def content_words(text: str) -> list[str]:
    return [w for w in (m.group(0).casefold() for m in _CONTENT.finditer(text)) if w not in STOPWORDS]


QUERY_TERMS = 16


def document_frequencies(conn: Connection, words: Iterable[str]) -> tuple[dict[str, int], int]:
    """How many passages contain each word, and how many passages there are."""
    if not available(conn):
        return {}, 0
    return _backend(conn).frequencies(conn, list(dict.fromkeys(words)))


def rarest(conn: Connection, words: Iterable[str], n: int = QUERY_TERMS) -> list[str]:
    """The n words of the text that fewest passages contain (words no passage has are useless)."""
    words = list(dict.fromkeys(words))[:400]
    if not words:
        return []
    return _rarest(_backend(conn).frequencies(conn, words)[0], n)


def _rarest(df: dict[str, int], n: int) -> list[str]:
    return [t for t, _ in sorted(((t, c) for t, c in df.items() if c > 0), key=lambda r: (r[1], r[0]))[:n]]


def query(conn: Connection, text: str, limit: int = 20) -> list[tuple[int, int, int, float]]:
    """Passages sharing the text's most distinctive words: (doc, start, end, BM25 score; higher
    is better)."""
    if not available(conn):
        return []
    words = list(dict.fromkeys(content_words(text)))[:400]
    if not words:
        return []
    backend = _backend(conn)
    df, total = backend.frequencies(conn, words)
    chosen = _rarest(df, QUERY_TERMS)
    if not chosen:
        return []
    return backend.search(conn, chosen, limit, df, total)


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
