"""Corpus and derived leaks for the PAN-style source-search benchmark (bench/pan.py).

Corpus: the Python documentation as Debian's ``python3-doc`` ships it (Sphinx HTML, PSF
licence). Every page's main text is extracted with lxml: navigation, sidebars, code blocks,
tables, signatures, version notes and admonition titles are dropped, prose paragraphs
(``<p>`` of 10 words or more, less than half of it inline code) are kept. A page of 300 to
1,500 words is one document; a longer page is cut at its top-level sections (``<h2>``):
short neighbouring sections are joined until 300 words, a section over 1,500 words is cut
at paragraph boundaries. Near-duplicates (half of a document's word 8-grams in a document
kept before it) are dropped.

A seeded share of the *pages* is held out: never registered, they give the unrelated filler
around the leaks and the same-topic negatives. Held-out paragraphs that share any word
6-gram with a registered document are removed, so filler never copies a registered document.

Leaks are built as lists of pieces ``(text, source span or None)``, so the ground truth is
exact for copied text; a case is one reused passage, contiguous on both sides: its span in
the leak and the span in the source document it came from (the whole passage, as in PAN; a
heavy paraphrase is one case from its first to its last source sentence). A summary's
sentences are not contiguous in the source, so each is a case of its own. For reworded text
the sentence-level pairs are kept in ``Leak.segments`` too.

Difficulties: ``verbatim``, ``light``, ``heavy``, ``summary``, ``two-sources``, and the
negatives ``neg-topic`` (a held-out page on the same subject matter) and ``neg-quote``
(unrelated prose quoting one sentence of a registered document inside quotation marks).
Everything is drawn from ``random.Random`` seeded by strings: the same seed gives the
same corpus and the same leaks.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from leaktrace.search.passages import STOPWORDS

__all__ = ["Doc", "Corpus", "Leak", "WordNet", "LeakMaker", "find_html_root", "find_wordnet",
           "build_corpus", "DIFFICULTIES", "NEGATIVES"]

DIFFICULTIES = ("verbatim", "light", "heavy", "summary", "two-sources", "quoted")
NEGATIVES = ("neg-topic", "neg-quote")

HTML_ROOTS = ("/usr/share/doc/python3-doc/html", "/usr/share/doc/python3.11-doc/html",
              "/usr/share/doc/python3.12-doc/html", "/usr/share/doc/python3.13-doc/html")
WORDNET_DIRS = ("/usr/share/wordnet", "/usr/share/wordnet/dict")

MIN_DOC_WORDS, MAX_DOC_WORDS = 300, 1500
MIN_PARA_WORDS = 10
GRAM = 8                  # word n-gram for uniqueness of excerpts and near-duplicates
FILLER_GRAM = 6           # held-out paragraphs sharing a word 6-gram with a registered document are dropped
HELDOUT_SHARE = 0.12      # of the pages
NEAR_DUP = 0.5            # share of a document's 8-grams found in one earlier document
STATEMENT_SHARE = 0.25    # of the registered documents quote a public statement (a held-out sentence)
# how a registered document quotes a public statement (written for this benchmark)
STATEMENT_FORMS = ("The release notes put it plainly: \"{s}\"", "As the announcement said, “{s}”",
                   "The maintainers wrote at the time: \"{s}\"", "In the words of the public changelog, “{s}”")

SKIP_PAGES = re.compile(r"^(genindex.*|search|py-modindex|contents|index|copyright|license|download|about)\.html$")
DROP_XPATH = (".//div[contains(concat(' ', @class, ' '), ' highlight')] | .//pre | .//table | .//dt"
              " | .//a[contains(@class, 'headerlink')] | .//p[contains(@class, 'admonition-title')]"
              " | .//div[contains(@class, 'versionchanged')] | .//div[contains(@class, 'versionadded')]"
              " | .//div[contains(@class, 'deprecated')] | .//span[contains(@class, 'versionmodified')]"
              " | .//div[contains(@class, 'sphinxsidebar')] | .//div[contains(@class, 'related')]"
              " | .//script | .//style | .//aside | .//nav | .//div[contains(@class, 'toctree-wrapper')]")

_WORD_RE = re.compile(r"\S+")
_ABBREV = frozenset("e.g i.e etc vs cf al mr mrs dr no fig approx resp".split())
_SENT_END = re.compile(r"[.!?][\"')\]”’]*\s+")

# the search's own stop words, and words too common in the Python documentation to paraphrase
STOP = STOPWORDS | frozenset("""
use used uses using return returns returned value values object objects function functions method methods
class classes module modules type types python file files data default true false none
""".split())

# function words a careless retyping drops or adds (light edits)
FUNCTION = ("the", "a", "an", "of", "to", "in", "is", "that", "and", "for", "it", "be", "this", "as",
            "on", "with", "by", "are", "or")
INSERTABLE = ("the", "also", "just", "then", "really", "actually", "still", "so", "quite")
_KEYS = "qwertyuiopasdfghjklzxcvbnm"
SUBORDINATORS = ("which", "who", "whose", "whom", "where", "when", "while", "although", "though", "because",
                 "since", "unless", "if", "so that", "as well as", "including", "such as", "especially",
                 "for example", "for instance", "e.g.", "i.e.", "that is", "even if", "provided")
LEADING = ("If", "When", "Although", "Though", "While", "Because", "Since", "Unless", "As", "After", "Before",
           "Once", "Whereas", "Whenever", "For example", "For instance", "In addition", "In this case",
           "In particular", "By default", "Otherwise", "However", "Note that")
_SAME_PAST = frozenset("put set cut let hit shut quit spread read cast cost hurt split burst bet bid broadcast "
                       "fit rid shed slit thrust upset".split())
BE = frozenset("is are was were be been being become becomes became seems seem remain remains not".split())


def _seed(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


def norm(word: str) -> str:
    return word.strip("\"'()[]{},.;:!?“”‘’").lower()


def find_html_root(explicit: str | None = None) -> Path | None:
    for cand in ([explicit] if explicit else []) + list(HTML_ROOTS):
        p = Path(cand)
        if (p / "library").is_dir():
            return p.resolve()
    return None


def find_wordnet(explicit: str | None = None) -> Path | None:
    for cand in ([explicit] if explicit else []) + list(WORDNET_DIRS):
        p = Path(cand)
        if (p / "data.noun").is_file() and (p / "index.noun").is_file():
            return p
    return None


# ------------------------------------------------------------------------------ documents

@dataclass
class Doc:
    """One document: a heading line, then prose paragraphs separated by blank lines."""

    key: str                                  # page path + part, e.g. "library/json.html#1"
    title: str
    text: str
    page: str
    paragraphs: list[tuple[int, int]]         # character spans of the paragraphs (not the heading)
    _sentences: list[tuple[int, int]] | None = field(default=None, repr=False)
    _words: list[tuple[int, int]] | None = field(default=None, repr=False)

    @staticmethod
    def make(key: str, title: str, page: str, paras: list[str]) -> "Doc":
        text = title
        spans = []
        for p in paras:
            text += "\n\n"
            spans.append((len(text), len(text) + len(p)))
            text += p
        return Doc(key, title, text, page, spans)

    @property
    def words(self) -> list[tuple[int, int]]:
        """Word spans (whitespace-separated) inside the paragraphs."""
        if self._words is None:
            self._words = [(m.start(), m.end()) for a, b in self.paragraphs
                           for m in _WORD_RE.finditer(self.text, a, b)]
        return self._words

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = [s for a, b in self.paragraphs for s in split_sentences(self.text, a, b)]
        return self._sentences

    @property
    def n_words(self) -> int:
        return len(self.words)

    def para_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.paragraphs]


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in text[start:end] (a full stop after an abbreviation ends nothing)."""
    out = []
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        before = text[pos:m.start()].rsplit(None, 1)
        last = before[-1].lower().rstrip(".") if before else ""
        nxt = text[m.end():m.end() + 1]
        if (last in _ABBREV or len(last) == 1 and last.isalpha()
                or not (nxt.isupper() or nxt.isdigit() or nxt in "\"'(“`")):
            continue
        out.append((pos, m.start() + len(m.group().rstrip())))
        pos = m.end()
    if pos < end and text[pos:end].strip():
        out.append((pos, end))
    return out


def _grams(tokens: list[str], k: int = GRAM) -> list[int]:
    return [hash(" ".join(tokens[i:i + k])) for i in range(len(tokens) - k + 1)]


def _text_grams(text: str) -> list[int]:
    return _grams([norm(w) for w in text.split()])


# ------------------------------------------------------------------------------ HTML extraction

def _page_blocks(path: Path) -> tuple[str, list[tuple[str, list[tuple[str, list[str]]]]]]:
    """(page title, blocks): the page's intro, then each top-level section; a block is
    (heading, [(subsection heading, prose paragraphs)]), its own text first."""
    import lxml.html

    tree = lxml.html.parse(str(path))
    mains = tree.xpath("//div[@role='main']") or tree.xpath("//div[contains(@class,'body')]")
    if not mains:
        return "", []
    main = mains[0]
    for el in main.xpath(DROP_XPATH):
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:  # keep the text that follows the dropped element
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
    h1 = main.xpath(".//h1")
    title = " ".join(h1[0].text_content().split()) if h1 else path.stem
    sec = "./section | ./div[contains(concat(' ', @class, ' '), ' section ')]"
    top = main.xpath(sec)
    top = top[0] if top else main

    def heading(el, tag: str, default: str) -> str:
        h = el.xpath(f"./{tag}")
        return " ".join(h[0].text_content().split()) if h else default

    def paras(el, skip=()) -> list[str]:
        out = []
        for p in el.iter("p"):
            anc, inside = p.getparent(), False
            while anc is not None and anc is not el:
                if anc in skip:
                    inside = True
                    break
                anc = anc.getparent()
            if inside:
                continue
            t = " ".join(p.text_content().split())
            if len(t.split()) < MIN_PARA_WORDS or "{{" in t or t.startswith("Source code:"):
                continue
            code = sum(len(" ".join(c.text_content().split())) for c in p.iter("code", "tt"))
            if code > 0.5 * len(t):
                continue
            out.append(t)
        return out

    def block(el, head: str) -> tuple[str, list[tuple[str, list[str]]]]:
        subs = el.xpath(sec)
        parts = [(head, paras(el, set(subs)))]
        parts += [(heading(s, "h3", head), paras(s)) for s in subs]
        return head, [(h, ps) for h, ps in parts if ps]

    h2s = top.xpath(sec)
    blocks = [(title, [(title, paras(top, set(h2s)))])] + [block(s, heading(s, "h2", title)) for s in h2s]
    return title, [(h, subs) for h, subs in blocks if subs]


def _wc(ps: list[str]) -> int:
    return sum(len(p.split()) for p in ps)


def _group(units: list[tuple[str, list[str]]], lo: int, hi: int) -> list[tuple[str, list[str]]]:
    """Join neighbouring units (heading, paragraphs) into groups of lo..hi words where possible;
    a unit over hi words is cut at paragraph boundaries first."""
    cut: list[tuple[str, list[str]]] = []
    for head, ps in units:
        n = _wc(ps)
        if n <= hi:
            cut.append((head, ps))
            continue
        size = n / -(-n // hi)
        cur, k = [], 1
        for p in ps:
            if cur and _wc(cur) + len(p.split()) > size * 1.1 and _wc(cur) >= lo:
                cut.append((f"{head} (part {k})", cur))
                cur, k = [], k + 1
            cur.append(p)
        if cur:
            cut.append((f"{head} (part {k})" if k > 1 else head, cur))
    out: list[tuple[list[str], list[str]]] = []
    heads: list[str] = []
    cur: list[str] = []
    for head, ps in cut:
        if cur and _wc(cur) + _wc(ps) > hi:
            out.append((heads, cur))
            heads, cur = [], []
        heads.append(head)
        cur = cur + ps
        if _wc(cur) >= lo:
            out.append((heads, cur))
            heads, cur = [], []
    if cur:
        if out and _wc(out[-1][1]) < lo or out and _wc(out[-1][1]) + _wc(cur) <= hi:
            h, ps = out.pop()
            out.append((h + heads, ps + cur))
        else:
            out.append((heads, cur))
    return [("; ".join(dict.fromkeys(h)), ps) for h, ps in out]


def _split_page(title: str, blocks) -> list[tuple[str, list[str]]]:
    """Documents of 300-1,500 words: one per top-level section (short neighbouring sections
    joined, long ones cut at their subsections), or the whole page when it has no sections."""
    if _wc([p for _, subs in blocks for _, ps in subs for p in ps]) < MIN_DOC_WORDS:
        return []
    units = []
    for head, subs in blocks:
        ps = [p for _, x in subs for p in x]
        if _wc(ps) <= MAX_DOC_WORDS:
            units.append((head, ps))
        else:  # a long section: its subsections, grouped
            units += [(f"{head} — {h}" if h != head else head, x)
                      for h, x in _group(subs, MIN_DOC_WORDS, MAX_DOC_WORDS)]
    docs = _group(units, MIN_DOC_WORDS, MAX_DOC_WORDS)
    return [(h if h.startswith(title) else f"{title} — {h}", ps) for h, ps in docs
            if MIN_DOC_WORDS <= _wc(ps)]


@dataclass
class Corpus:
    registered: list[Doc]          # in registration order (seeded shuffle)
    heldout: list[Doc]             # never registered: filler and same-topic negatives
    stats: dict
    statements: list[tuple[str, str]] = field(default_factory=list)   # (public statement, key of the doc quoting it)
    shared: dict[int, int] = field(default_factory=dict, repr=False)  # 8-gram -> doc index, -1 if 2+

    def reused_share(self, doc_index: int, text: str) -> float:
        """Share of the text's 8-grams that some other registered document also has."""
        gs = _text_grams(text)
        if not gs:
            return 0.0
        other = sum(1 for g in gs if self.shared.get(g, doc_index) != doc_index)
        return other / len(gs)


def build_corpus(html_root: Path, seed: str, log=lambda m: None) -> Corpus:
    pages = sorted(p for p in html_root.rglob("*.html")
                   if not SKIP_PAGES.match(p.name) or p.parent != html_root)
    pages = [p for p in pages if not (p.parent == html_root and SKIP_PAGES.match(p.name))]
    reg_docs: list[Doc] = []
    held_docs: list[Doc] = []
    n_pages = n_used = 0
    held_pages = 0
    for path in pages:
        rel = str(path.relative_to(html_root))
        if rel.startswith(("_", "genindex")):
            continue
        n_pages += 1
        title, blocks = _page_blocks(path)
        docs = _split_page(title, blocks)
        if not docs:
            continue
        n_used += 1
        h = int(hashlib.sha256(f"{seed}:heldout:{rel}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        held = h < HELDOUT_SHARE
        held_pages += held
        for i, (t, ps) in enumerate(docs):
            d = Doc.make(f"{rel}#{i}", t, rel, ps)
            (held_docs if held else reg_docs).append(d)
    reg_docs, statements = _quote_statements(reg_docs, held_docs, seed)
    # near-duplicates among registered documents (the first kept wins, in page order)
    owner: dict[int, int] = {}
    keep: list[Doc] = []
    dropped = 0
    for d in reg_docs:
        gs = set(_text_grams(d.text))
        counts: dict[int, int] = defaultdict(int)
        for g in gs:
            o = owner.get(g)
            if o is not None and o >= 0:
                counts[o] += 1
        if gs and counts and max(counts.values()) >= NEAR_DUP * len(gs):
            dropped += 1
            continue
        idx = len(keep)
        keep.append(d)
        for g in gs:
            o = owner.get(g)
            owner[g] = idx if o is None else (-1 if o != idx else o)
    # registration order: a seeded shuffle (the first 1,000 are the quick / 1,000-document set)
    order = list(range(len(keep)))
    _seed(seed, "order").shuffle(order)
    registered = [keep[i] for i in order]
    remap = {old: new for new, old in enumerate(order)}
    shared = {g: (remap[o] if o >= 0 else -1) for g, o in owner.items()}
    # held-out documents: drop every paragraph sharing a 6-gram with a registered document
    # (leaktrace claims copied passages from 6 words on)
    six = {g for d in keep for g in _grams([norm(w) for w in d.text.split()], FILLER_GRAM)}
    held: list[Doc] = []
    removed_paras = kept_paras = 0
    for d in held_docs:
        ps = []
        for p in d.para_texts():
            if any(g in six for g in _grams([norm(w) for w in p.split()], FILLER_GRAM)):
                removed_paras += 1
            else:
                ps.append(p)
                kept_paras += 1
        if sum(len(p.split()) for p in ps) >= 100:
            held.append(Doc.make(d.key, d.title, d.page, ps))
    words = [d.n_words for d in registered]
    stats = {"html_root": str(html_root), "pages": n_pages, "pages_used": n_used, "heldout_pages": held_pages,
             "registered_docs": len(registered), "near_duplicates_dropped": dropped,
             "registered_words": sum(words), "doc_words_min": min(words), "doc_words_max": max(words),
             "doc_words_median": sorted(words)[len(words) // 2], "heldout_docs": len(held),
             "heldout_words": sum(d.n_words for d in held), "heldout_paragraphs_removed": removed_paras,
             "heldout_paragraphs_kept": kept_paras}
    kept_keys = {d.key for d in registered}
    statements = [(st, k) for st, k in statements if k in kept_keys]
    stats["statements"] = len(statements)
    log(f"corpus: {len(registered):,} documents from {n_used - held_pages} pages "
        f"({sum(words):,} words; {dropped} near-duplicates dropped), {len(held)} held-out documents")
    return Corpus(registered, held, stats, statements=statements, shared=shared)


def _quote_statements(reg_docs: list[Doc], held_docs: list[Doc], seed: str) -> tuple[list[Doc], list[tuple[str, str]]]:
    """A seeded share of the registered documents quote a public statement: one 12-40-word
    sentence of a held-out page that no registered document has, in quotation marks, as a
    paragraph of their own. The held-out paragraph it came from is then dropped from the filler
    with every other paragraph that shares a 6-gram with a registered document."""
    # sentences no registered document has (the documentation repeats itself across pages)
    six = {g for d in reg_docs for g in _grams([norm(w) for w in d.text.split()], FILLER_GRAM)}
    pool = [d.text[a:b] for d in held_docs for a, b in d.sentences
            if 12 <= len(d.text[a:b].split()) <= 40 and not re.search("[\"“”«»]", d.text[a:b])
            and not any(g in six for g in _grams([norm(w) for w in d.text[a:b].split()], FILLER_GRAM))]
    rng = _seed(seed, "statements")
    rng.shuffle(pool)
    out, statements = [], []
    for d in reg_docs:
        h = int(hashlib.sha256(f"{seed}:statement:{d.key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        if h >= STATEMENT_SHARE or not pool:
            out.append(d)
            continue
        st = pool.pop()
        paras = d.para_texts()
        at = rng.randint(1, len(paras))
        paras.insert(at, rng.choice(STATEMENT_FORMS).format(s=st))
        out.append(Doc.make(d.key, d.title, d.page, paras))
        statements.append((st, d.key))
    return out, statements


# ------------------------------------------------------------------------------ WordNet

class WordNet:
    """Synonyms from WordNet 3.0's own database files (index.* and data.*), parsed here."""

    POS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

    def __init__(self, root: Path):
        self.index: dict[str, dict[str, list[int]]] = {p: {} for p in self.POS}   # pos -> lemma -> offsets
        self.data: dict[str, dict[int, list[str]]] = {p: {} for p in self.POS}    # pos -> offset -> lemmas
        self.exc: dict[str, dict[str, str]] = {p: {} for p in self.POS}
        self.irregular: dict[str, str] = {}   # verb base -> irregular past form (made, ran, ...)
        for p, name in self.POS.items():
            with open(root / f"index.{name}", encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" "):
                        continue
                    parts = line.split()
                    n_syn, n_ptr = int(parts[2]), int(parts[3])
                    offs = parts[4 + n_ptr + 2:]
                    self.index[p][parts[0]] = [int(o) for o in offs[:n_syn]]
            with open(root / f"data.{name}", encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" "):
                        continue
                    parts = line.split(" ", 4 + 2 * 64)
                    n = int(parts[3], 16)
                    lemmas = [parts[4 + 2 * i] for i in range(n)]
                    self.data[p][int(parts[0])] = [re.sub(r"\([a-z]+\)$", "", w) for w in lemmas]
            exc = root / f"{name}.exc"
            if exc.is_file():
                with open(exc, encoding="latin-1") as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) >= 2:
                            self.exc[p][parts[0]] = parts[1]
                            if p == "v" and not parts[0].endswith(("ing", "s")):
                                self.irregular.setdefault(parts[1], parts[0])

    def has(self, word: str, pos: str) -> bool:
        return word in self.index[pos]

    def adjective_only(self, word: str) -> bool:
        return (word in self.index["a"] and word not in self.index["n"] and word not in self.index["v"]
                and word not in self.index["r"])

    def _analyses(self, w: str) -> list[tuple[str, str, str]]:
        """(pos, base form, inflection) readings of a lower-case word, most likely first."""
        out = []
        if w.endswith("ing") and len(w) > 5:
            for base in (w[:-3], w[:-3] + "e", w[:-4] if w[-4:-3] == w[-5:-4] else None):
                if base and base in self.index["v"]:
                    out.append(("v", base, "ing"))
                    break
        if w.endswith("ed") and len(w) > 4:
            base = self.exc["v"].get(w)
            for b in ((base,) if base else (w[:-2], w[:-1], w[:-3] if w[-3:-2] == w[-4:-3] else None,
                                             w[:-3] + "y" if w.endswith("ied") else None)):
                if b and b in self.index["v"]:
                    out.append(("v", b, "ed"))
                    break
        if w.endswith("s") and len(w) > 3 and not w.endswith("ss"):
            for b in (self.exc["n"].get(w), w[:-3] + "y" if w.endswith("ies") else None,
                      w[:-2] if w.endswith("es") else None, w[:-1]):
                if b and b in self.index["n"]:
                    out.append(("n", b, "s"))
                    break
            for b in (w[:-3] + "y" if w.endswith("ies") else None, w[:-2] if w.endswith("es") else None, w[:-1]):
                if b and b in self.index["v"]:
                    out.append(("v", b, "s"))
                    break
        if w.endswith("ly") and w in self.index["r"]:
            out.append(("r", w, ""))
        for p in ("n", "v", "a", "r"):
            if w in self.index[p]:
                out.append((p, w, ""))
        # the reading with the most senses first (a rough stand-in for a part-of-speech tagger)
        out.sort(key=lambda r: -len(self.index[r[0]].get(r[1], ())))
        return out

    def _inflect(self, word: str, pos: str, infl: str) -> str:
        if not infl:
            return word
        parts = word.split(" ")
        i = len(parts) - 1 if pos == "n" else 0
        w = parts[i]
        if infl == "s":
            w = (w[:-1] + "ies" if w.endswith("y") and w[-2:-1] not in "aeiou" else
                 w + "es" if w.endswith(("s", "x", "z", "ch", "sh")) else w + "s")
        elif infl == "ed" and w in _SAME_PAST:
            pass
        elif infl == "ed" and w in self.irregular:
            w = self.irregular[w]
        elif infl == "ed":
            w = (w + "d" if w.endswith("e") else w[:-1] + "ied" if w.endswith("y") and w[-2:-1] not in "aeiou"
                 else w + "ed")
        elif infl == "ing":
            w = (w[:-1] + "ing" if w.endswith("e") and not w.endswith("ee") else w + "ing")
        parts[i] = w
        return " ".join(parts)

    def synonym(self, word: str, rng: random.Random) -> str | None:
        """A synonym from the word's most frequent senses, inflected like the word, or None."""
        w = word.lower()
        for pos, base, infl in self._analyses(w)[:1]:
            cands = []
            for off in self.index[pos].get(base, [])[:2]:
                for lem in self.data[pos].get(off, []):
                    lem_l = lem.lower()
                    if lem != lem_l or lem_l == base or not re.fullmatch(r"[a-z]+(_[a-z]+)?", lem_l):
                        continue
                    if base in lem_l or lem_l in base or len(lem_l) > 16:
                        continue
                    cands.append(lem_l.replace("_", " "))
                if cands:
                    break
            if cands:
                out = self._inflect(rng.choice(cands), pos, infl)
                if word[:1].isupper():
                    out = out[:1].upper() + out[1:]
                return out
        return None


# ------------------------------------------------------------------------------ leaks

@dataclass
class Case:
    leak_start: int
    leak_end: int
    doc: str             # Doc.key of the source
    doc_start: int
    doc_end: int


@dataclass
class Leak:
    key: str
    difficulty: str
    text: str
    cases: list[Case]
    sources: list[str]                       # Doc.key of the true sources (empty for negatives)
    words: int                               # words of reused text (for negatives: all words)
    segments: list[dict] = field(default_factory=list)   # sentence-level pairs for reworded text
    meta: dict = field(default_factory=dict)


class _Builder:
    """A leak as pieces: (text, (doc key, start, end) or None); spans follow the text exactly."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.cases: list[Case] = []
        self.segments: list[dict] = []

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def paragraph_break(self):
        if self.length:
            self.add("\n\n")

    def text(self) -> str:
        return "".join(self.parts)


def _hull(spans) -> tuple[int, int]:
    return min(a for a, _ in spans), max(b for _, b in spans)


class LeakMaker:
    """Builds seeded leaks of every difficulty from a corpus (registered docs in ``pool``)."""

    def __init__(self, corpus: Corpus, wordnet: WordNet, seed: str, pool: int | None = None):
        self.c = corpus
        self.wn = wordnet
        self.seed = seed
        self.pool = corpus.registered[:pool] if pool else corpus.registered
        self.index = {d.key: i for i, d in enumerate(corpus.registered)}

    # -- helpers
    def _filler(self, rng: random.Random, n_paras: int) -> list[str]:
        d = rng.choice(self.c.heldout)
        ps = d.para_texts()
        i = rng.randrange(max(1, len(ps) - n_paras + 1))
        return ps[i:i + n_paras]

    def _excerpt(self, rng: random.Random, n_words: int,
                 exclude: set[str] = frozenset()) -> tuple[Doc, int, int] | None:
        """A copied stretch of n_words words starting at a sentence, unique to its document."""
        for _ in range(50):
            d = rng.choice(self.pool)
            if d.key in exclude or d.n_words < n_words + 5:
                continue
            words = d.words
            starts = {a for a, _ in d.sentences}
            idx = [i for i, (a, _) in enumerate(words) if a in starts and i + n_words <= len(words)]
            if not idx:
                continue
            i = rng.choice(idx)
            a, b = words[i][0], words[i + n_words - 1][1]
            if self.c.reused_share(self.index[d.key], d.text[a:b]) > 0.05:
                continue
            return d, a, b
        return None

    def _stretch(self, rng: random.Random, min_words: int, max_words: int) -> tuple[Doc, list[tuple[int, int]]] | None:
        """Consecutive sentences of min_words..max_words words, unique to their document."""
        for _ in range(80):
            d = rng.choice(self.pool)
            sents = d.sentences
            if d.n_words < min_words:
                continue
            i = rng.randrange(len(sents))
            out, n = [], 0
            for s in sents[i:]:
                w = len(d.text[s[0]:s[1]].split())
                if n + w > max_words:
                    break
                out.append(s)
                n += w
                if n >= min_words:
                    break
            if n < min_words:
                continue
            a, b = _hull(out)
            if self.c.reused_share(self.index[d.key], d.text[a:b]) > 0.05:
                continue
            return d, out
        return None

    def _embed(self, rng: random.Random, body) -> _Builder:
        """1-3 filler paragraphs around what body(builder) adds."""
        fill = self._filler(rng, rng.randint(1, 3))
        before = rng.randint(0, len(fill))
        b = _Builder()
        for p in fill[:before]:
            b.paragraph_break()
            b.add(p)
        b.paragraph_break()
        body(b)
        for p in fill[before:]:
            b.paragraph_break()
            b.add(p)
        return b

    def _copy(self, b: _Builder, d: Doc, a: int, z: int):
        s, e = b.add(d.text[a:z])
        b.cases.append(Case(s, e, d.key, a, z))

    # -- difficulties
    def verbatim(self, i: int, n_words: int) -> Leak | None:
        rng = _seed(self.seed, "verbatim", i, n_words)
        ex = self._excerpt(rng, n_words)
        if ex is None:
            return None
        d, a, z = ex
        b = self._embed(rng, lambda b: self._copy(b, d, a, z))
        return Leak(f"verbatim-{n_words}-{i}", "verbatim", b.text(), b.cases, [d.key], n_words,
                    meta={"words_bin": n_words})

    def light(self, i: int, n_words: int, rate: float = 0.05) -> Leak | None:
        rng = _seed(self.seed, "light", i, n_words)
        ex = self._excerpt(rng, n_words)
        if ex is None:
            return None
        d, a, z = ex
        toks = [[m.group(), (a + m.start(), a + m.end())] for m in re.finditer(r"\S+|\s+", d.text[a:z])]
        word_idx = [k for k, t in enumerate(toks) if not t[0].isspace()]
        n_edits = max(1, round(rate * len(word_idx)))
        ops = {"typo": 0, "drop": 0, "insert": 0, "punct": 0}
        for k in sorted(rng.sample(word_idx, n_edits), reverse=True):
            w = toks[k][0]
            op = rng.choices(("typo", "drop", "insert", "punct"), (0.4, 0.15, 0.2, 0.25))[0]
            core = re.sub(r"[^A-Za-z]", "", w)
            if op == "drop" and (norm(w) not in FUNCTION or len(word_idx) - ops["drop"] < 10 or k + 1 >= len(toks)):
                op = "typo"
            if op == "typo" and (len(core) < 4 or core != w.strip(".,;:!?\"'()")):
                op = "insert"
            if op == "typo":
                m = re.search(r"[A-Za-z]{4,}", w)
                s, e = m.start(), m.end()
                j = rng.randrange(s + 1, e - 1)
                kind = rng.randrange(4)
                if kind == 0:
                    w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
                elif kind == 1:
                    w = w[:j] + w[j + 1:]
                elif kind == 2:
                    w = w[:j] + w[j] + w[j:]
                else:
                    w = w[:j] + rng.choice(_KEYS.replace(w[j].lower(), "")) + w[j + 1:]
                toks[k][0] = w
            elif op == "drop":
                del toks[k:k + 2]
            elif op == "insert":
                ins = rng.choice(INSERTABLE)
                if w[:1].isupper() and k == word_idx[0]:
                    ins = ins.capitalize()
                    toks[k][0] = w[0].lower() + w[1:] if w[1:2].islower() else w
                toks[k:k] = [[ins, None], [" ", None]]
            else:
                if w.endswith(","):
                    toks[k][0] = w[:-1]
                elif w.endswith((";", ":")):
                    toks[k][0] = w[:-1] + ","
                elif w[-1:].isalnum() and k != word_idx[-1]:
                    toks[k][0] = w + ","
                else:
                    toks[k][0] = w.rstrip(".!?") + (";" if k != word_idx[-1] else ".")
            ops[op] += 1
        b = _Builder()

        def body(bb: _Builder):
            s, e = bb.add("".join(t[0] for t in toks))
            srcs = [t[1] for t in toks if t[1] is not None]
            da, dz = _hull(srcs)
            bb.cases.append(Case(s, e, d.key, da, dz))

        b = self._embed(rng, body)
        return Leak(f"light-{n_words}-{i}", "light", b.text(), b.cases, [d.key], n_words,
                    meta={"words_bin": n_words, "edits": ops, "edit_rate": n_edits / len(word_idx)})

    def _paraphrase_sentence(self, text: str, rng: random.Random, rate: float, counts: dict) -> str:
        toks = text.split(" ")
        content = []
        for k, t in enumerate(toks):
            core = t.strip("\"'(),.;:!?“”")
            if not re.fullmatch(r"[A-Za-z]{3,}", core) or core.lower() in STOP:
                continue
            if not (core.islower() or (k == 0 and core.istitle())):
                continue
            content.append(k)
        counts["content"] += len(content)
        order = content[:]
        rng.shuffle(order)
        want = round(rate * len(content))
        done = 0
        for k in order:
            if done >= want:
                break
            t = toks[k]
            m = re.search(r"[A-Za-z]{3,}", t)
            syn = self.wn.synonym(m.group(), rng)
            if syn:
                toks[k] = t[:m.start()] + syn + t[m.end():]
                done += 1
        counts["replaced"] += done
        return " ".join(toks)

    @staticmethod
    def _drop_clauses(sentences: list[str], rng: random.Random, share: float, counts: dict) -> list[str]:
        split = [re.split(r"(?<=[,;])\s+", s) for s in sentences]
        total = sum(len(c) for c in split)
        deletable = [(i, j) for i, c in enumerate(split) for j in range(1, len(c))]
        n = min(len(deletable), round(share * total))
        drop = set(rng.sample(deletable, n))
        counts["clauses"] += total
        counts["clauses_dropped"] += n
        out = []
        for i, c in enumerate(split):
            kept = [x for j, x in enumerate(c) if (i, j) not in drop]
            s = " ".join(kept)
            end = re.search(r"[.!?][\"')\]”’]*$", sentences[i])
            if (i, len(c) - 1) in drop:
                s = s.rstrip(",; ") + (end.group() if end else ".")
            out.append(s)
        return out

    def _heavy_once(self, rng: random.Random, lo: int, hi: int):
        st = self._stretch(rng, round(lo / 0.87), round(hi / 0.87))
        if st is None:
            return None
        d, sents = st
        counts = defaultdict(int)
        texts = self._drop_clauses([d.text[a:z] for a, z in sents], rng, 0.15, counts)
        rate = rng.uniform(0.4, 0.6)
        texts = [self._paraphrase_sentence(t, rng, rate, counts) for t in texts]
        units = [[t, [s]] for t, s in zip(texts, sents)]
        merged = []  # join adjacent sentences
        k = 0
        while k < len(units):
            if k + 1 < len(units) and rng.random() < 0.3:
                a_t, b_t = units[k][0], units[k + 1][0]
                first = b_t.split(" ", 1)[0]
                if first.istitle() and first.lower() in STOP | set(FUNCTION):
                    b_t = b_t[0].lower() + b_t[1:]
                joiner = rng.choice(("; ", ", and ", "; also, "))
                merged.append([a_t.rstrip(".!?") + joiner + b_t, units[k][1] + units[k + 1][1]])
                counts["merged"] += 1
                k += 2
            else:
                merged.append(units[k])
                k += 1
        for k in range(len(merged) - 1):  # reorder: swap neighbours
            if rng.random() < 0.35:
                merged[k], merged[k + 1] = merged[k + 1], merged[k]
                counts["swapped"] += 1
        if not lo <= sum(len(t.split()) for t, _ in merged) <= hi:
            return None
        return d, sents, merged, counts

    def heavy(self, i: int, n_words: int, max_words: int | None = None) -> Leak | None:
        """A heavy paraphrase of n_words..max_words words (default n_words + 60)."""
        rng = _seed(self.seed, "heavy", i, n_words)
        hi = max_words or n_words + 60
        for _ in range(40):
            out = self._heavy_once(rng, n_words, hi)
            if out is not None:
                break
        else:
            return None
        d, sents, merged, counts = out
        n_out = sum(len(t.split()) for t, _ in merged)

        def body(b: _Builder):
            start = b.length
            cut = len(merged) // 2 if n_out > 180 and len(merged) > 2 else None
            for k, (t, srcs) in enumerate(merged):
                if k:
                    b.add("\n\n" if k == cut else " ")
                s, e = b.add(t)
                b.segments.append({"leak": [s, e], "doc": d.key, "sentences": [list(x) for x in srcs]})
            da, dz = _hull(sents)
            b.cases.append(Case(start, b.length, d.key, da, dz))

        b = self._embed(rng, body)
        meta = {"words_bin": n_words, "source_words": sum(len(d.text[a:z].split()) for a, z in sents),
                "synonym_rate": counts["replaced"] / max(1, counts["content"]),
                "clauses_dropped": counts["clauses_dropped"] / max(1, counts["clauses"]),
                "merged": counts["merged"], "swapped": counts["swapped"]}
        return Leak(f"heavy-{n_words}-{i}", "heavy", b.text(), b.cases, [d.key], n_out, b.segments, meta)

    def _compress(self, s: str) -> str:
        out = re.sub(r"\s*\([^()]*\)", "", s)
        end = re.search(r"[.!?][\"')\]”’]*$", out)
        term = end.group() if end else "."
        for lead in LEADING:
            if out.startswith(lead + " ") or out.startswith(lead + ","):
                j = out.find(", ")
                if 0 < j < len(out) - 20:
                    out = out[j + 2:]
                    out = out[:1].upper() + out[1:]
                break
        pat = r",\s+(?:" + "|".join(re.escape(x) for x in SUBORDINATORS) + r")\b[^,;]*"
        out = re.sub(pat, "", out)
        toks = out.split(" ")
        kept = []
        for k, t in enumerate(toks):
            core = t.strip("\"'(),.;:!?“”")
            prev = toks[k - 1].lower() if k else ""
            if (k and k < len(toks) - 1 and core == t and core.islower() and self.wn.adjective_only(core)
                    and prev not in BE and re.fullmatch(r"[a-z]+", toks[k + 1].strip(".,;:"))):
                continue
            kept.append(t)
        out = " ".join(kept).rstrip(",;: ")
        if not re.search(r"[.!?][\"')\]”’]*$", out):
            out = out.rstrip(".!?") + term
        return out if len(out.split()) >= 5 else s

    def summary(self, i: int) -> Leak | None:
        rng = _seed(self.seed, "summary", i)
        st = self._stretch(rng, 400, 700)
        if st is None:
            return None
        d, sents = st
        k = rng.randint(3, 5)
        groups = [sents[j * len(sents) // k:(j + 1) * len(sents) // k] for j in range(k)]
        picked = []
        for g in groups:
            ok = [s for s in g if len(d.text[s[0]:s[1]].split()) >= 10] or g
            if ok:
                picked.append(rng.choice(ok))
        if len(picked) < 3:
            return None
        comp = [self._compress(d.text[a:z]) for a, z in picked]

        def body(b: _Builder):
            for j, (t, s) in enumerate(zip(comp, picked)):
                if j:
                    b.add(" ")
                a, z = b.add(t)
                b.segments.append({"leak": [a, z], "doc": d.key, "sentences": [list(s)]})
                # the picked sentences are not contiguous in the source: one case per sentence
                b.cases.append(Case(a, z, d.key, s[0], s[1]))

        b = self._embed(rng, body)
        words = sum(len(t.split()) for t in comp)
        orig = sum(len(d.text[a:z].split()) for a, z in picked)
        return Leak(f"summary-{i}", "summary", b.text(), b.cases, [d.key], words, b.segments,
                    {"stretch_words": sum(len(d.text[a:z].split()) for a, z in sents), "sentences": len(picked),
                     "compression": words / max(1, orig)})

    def two_sources(self, i: int) -> Leak | None:
        rng = _seed(self.seed, "two", i)
        n1, n2 = rng.randint(50, 150), rng.randint(50, 150)
        e1 = self._excerpt(rng, n1)
        if e1 is None:
            return None
        e2 = self._excerpt(rng, n2, exclude={e1[0].key})
        if e2 is None:
            return None
        fill = self._filler(rng, rng.randint(1, 3))
        b = _Builder()
        if len(fill) >= 2:
            b.add(fill[0])
            fill = fill[1:]
        b.paragraph_break()
        self._copy(b, *e1)
        b.paragraph_break()
        b.add(fill[0])
        b.paragraph_break()
        self._copy(b, *e2)
        for p in fill[1:]:
            b.paragraph_break()
            b.add(p)
        return Leak(f"two-{i}", "two-sources", b.text(), b.cases, [e1[0].key, e2[0].key], n1 + n2,
                    meta={"words": [n1, n2]})

    def neg_topic(self, i: int) -> Leak:
        rng = _seed(self.seed, "negtopic", i)
        d = rng.choice([x for x in self.c.heldout if x.n_words >= 150])
        n = rng.randint(150, min(400, d.n_words))
        starts = {a for a, _ in d.sentences}
        words = d.words
        idx = [i for i, (a, _) in enumerate(words) if a in starts and i + n <= len(words)] or [0]
        j = rng.choice(idx)
        a, z = words[j][0], words[min(len(words), j + n) - 1][1]
        text = d.text[a:z]
        return Leak(f"negtopic-{i}", "neg-topic", text, [], [], len(text.split()), meta={"heldout": d.key})

    QUOTE_FORMS = ("As the documentation puts it, \"{s}\"", "The reference manual is explicit: “{s}”",
                   "One line from the docs keeps coming up in review: \"{s}\"",
                   "According to the official documentation, “{s}”", "We were reminded that \"{s}\"")

    def _quoting(self, rng: random.Random, sentence: str) -> tuple[_Builder, tuple[int, int]]:
        """1-3 held-out paragraphs with one paragraph quoting the sentence in quotation marks."""
        fill = self._filler(rng, rng.randint(1, 3))
        pre, post = rng.choice(self.QUOTE_FORMS).split("{s}")
        b = _Builder()
        at = rng.randint(0, len(fill))
        for p in fill[:at]:
            b.paragraph_break()
            b.add(p)
        b.paragraph_break()
        b.add(pre)
        span = b.add(sentence)
        b.add(post)
        for p in fill[at:]:
            b.paragraph_break()
            b.add(p)
        return b, span

    def quoted(self, i: int) -> Leak | None:
        """An article quoting one 12-40-word sentence of a registered document: a leak."""
        rng = _seed(self.seed, "quoted", i)
        for _ in range(80):
            d = rng.choice(self.pool)
            ok = [s for s in d.sentences if 12 <= len(d.text[s[0]:s[1]].split()) <= 40
                  and not re.search("[\"“”]", d.text[s[0]:s[1]])]
            if not ok:
                continue
            a, z = rng.choice(ok)
            if self.c.reused_share(self.index[d.key], d.text[a:z]) > 0.0:
                continue
            break
        else:
            return None
        b, (qs, qe) = self._quoting(rng, d.text[a:z])
        b.cases.append(Case(qs, qe, d.key, a, z))
        return Leak(f"quoted-{i}", "quoted", b.text(), b.cases, [d.key], len(d.text[a:z].split()),
                    meta={"quoted": {"doc": d.key, "leak": [qs, qe], "doc_span": [a, z]}})

    def neg_quote(self, i: int) -> Leak | None:
        """An article quoting a public statement that a registered document quotes too."""
        rng = _seed(self.seed, "negquote", i)
        keys = {d.key for d in self.pool}
        ok = [(st, k) for st, k in self.c.statements if k in keys]
        if not ok:
            return None
        st, key = rng.choice(ok)
        b, (qs, qe) = self._quoting(rng, st)
        text = b.text()
        return Leak(f"negquote-{i}", "neg-quote", text, [], [], len(text.split()),
                    meta={"quoted": {"doc": key, "leak": [qs, qe], "words": len(st.split())}})

    def latency_queries(self, n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """n bare 200-word verbatim excerpts and n bare 140-160-word heavy paraphrases: (text, doc key)."""
        verb, para = [], []
        for i in range(n * 3):
            rng = _seed(self.seed, "latency-v", i)
            ex = self._excerpt(rng, 200)
            if ex and len(verb) < n:
                verb.append((ex[0].text[ex[1]:ex[2]], ex[0].key))
            lk = self.heavy(10_000 + i, 140, 160)
            if lk and len(para) < n:
                c = lk.cases[0]
                para.append((lk.text[c.leak_start:c.leak_end], c.doc))
            if len(verb) >= n and len(para) >= n:
                break
        return verb, para
