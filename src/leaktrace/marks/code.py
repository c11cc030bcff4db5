"""The keyed fingerprinting code: a q-ary Tardos code derived from the secret key.

Every site i gets a bias vector p_i over its variants (Dirichlet, floored so no variant
is vanishingly rare); the codeword of a copy draws variant x_i ~ p_i from a keyed
counter-mode generator seeded by HMAC(key, document, recipient). So any copy can be
rebuilt from (key, document, recipient), and without the key nothing about other
copies can be guessed. Biases are stored with the code so copies can be rebuilt even
if a later numpy draws distributions differently; the codeword draws use only the raw
Philox stream, which is fixed by its specification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

import numpy as np

KAPPA = 4.0  # Dirichlet concentration: biases near uniform, spread enough against collusion
P_FLOOR = 0.02  # minimum share of any variant, divided by q


def _mac(key: bytes, *parts: str) -> bytes:
    return hmac.new(key, "\x00".join(parts).encode("utf-8"), hashlib.sha256).digest()


def make_biases(key: bytes, doc_uid: str, qs: Sequence[int]) -> np.ndarray:
    """Bias matrix (sites × max q), rows summing to 1, zero past each site's q."""
    qs = np.asarray(qs, dtype=np.int64)
    qmax = int(qs.max()) if len(qs) else 2
    seed = int.from_bytes(_mac(key, "bias", doc_uid)[:16], "big")
    rng = np.random.Generator(np.random.PCG64(seed))
    g = rng.gamma(KAPPA, size=(len(qs), qmax))
    valid = np.arange(qmax)[None, :] < qs[:, None]
    g = np.where(valid, g, 0.0)
    p = g / g.sum(axis=1, keepdims=True)
    floor = (P_FLOOR / qs)[:, None]
    p = np.where(valid, np.maximum(p, floor), 0.0)
    return p / p.sum(axis=1, keepdims=True)


class Code:
    """The code of one document: its biases and the keyed codeword of any recipient."""

    def __init__(self, key: bytes, doc_uid: str, biases: np.ndarray, qs: Sequence[int]):
        self.key = key
        self.doc_uid = doc_uid
        self.biases = biases
        self.qs = np.asarray(qs, dtype=np.int64)
        self._cum = np.cumsum(biases, axis=1)[:, :-1]

    def __len__(self) -> int:
        return len(self.qs)

    def codeword(self, recipient_id: str) -> np.ndarray:
        """Variant index chosen at every site for one recipient (int8)."""
        seed = int.from_bytes(_mac(self.key, "copy", self.doc_uid, recipient_id)[:16], "big")
        raw = np.random.Philox(key=seed).random_raw(len(self.qs))
        u = (raw >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
        sym = (u[:, None] >= self._cum).sum(axis=1)
        return np.minimum(sym, self.qs - 1).astype(np.int8)

    def codewords(self, recipient_ids: Sequence[str]) -> np.ndarray:
        out = np.empty((len(recipient_ids), len(self.qs)), dtype=np.int8)
        for k, rid in enumerate(recipient_ids):
            out[k] = self.codeword(rid)
        return out


def copy_id(key: bytes, doc_uid: str, recipient_id: str) -> str:
    """A short keyed identifier of one copy: stable, and reveals nothing without the key."""
    digest = _mac(key, "copy-id", doc_uid, recipient_id)[:5]  # 40 bits: unique within a document
    return "C" + base64.b32encode(digest).decode("ascii").rstrip("=")


def key_fingerprint(key: bytes) -> str:
    return _mac(key, "fingerprint").hex()[:32]
