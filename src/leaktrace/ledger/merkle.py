"""The ledger's Merkle tree, as Certificate Transparency defines it (RFC 9162, section 2.1).

Pure functions over leaf hashes (32 bytes each); no database. The tree of n entries has one
root; an inclusion proof shows that an entry is in the tree of a signed head, a consistency
proof that a later tree extends an earlier one, each checkable by anyone with the two heads
and the proof alone. `Frontier` builds the root of a growing tree in O(log n) memory, which
is how the ledger is checked while it streams from the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): the size of the left subtree."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int | None = None) -> list[bytes]:
    """PATH(index, D[size]): the audit path of leaf `index` (0-based) in the tree of `size` leaves."""
    size = len(leaves) if size is None else size
    if not 0 <= index < size <= len(leaves):
        raise ValueError(f"no leaf {index} in a tree of {size}")

    def path(m: int, d: Sequence[bytes]) -> list[bytes]:
        if len(d) <= 1:
            return []
        k = _split(len(d))
        return path(m, d[:k]) + [root(d[k:])] if m < k else path(m - k, d[k:]) + [root(d[:k])]

    return path(index, leaves[:size])


def consistency_proof(leaves: Sequence[bytes], first: int, second: int | None = None) -> list[bytes]:
    """PROOF(first, D[second]): that the tree of `second` leaves extends the tree of `first`."""
    second = len(leaves) if second is None else second
    if not 0 <= first <= second <= len(leaves):
        raise ValueError(f"no consistency proof from {first} to {second}")
    if first in (0, second):
        return []

    def sub(m: int, d: Sequence[bytes], whole: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if whole else [root(d)]
        k = _split(n)
        if m <= k:
            return sub(m, d[:k], whole) + [root(d[k:])]
        return sub(m - k, d[k:], False) + [root(d[:k])]

    return sub(first, leaves[:second], True)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162, 2.1.3.2."""
    if not 0 <= index < size or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162, 2.1.4.2; a tree of 0 leaves is consistent with every tree, a tree with itself."""
    if not 0 <= first <= second or any(len(p) != 32 for p in proof):
        return False
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:        # an exact power of two: the first tree is a subtree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


@dataclass
class Frontier:
    """The roots of the perfect subtrees a tree of `size` leaves splits into, largest first (one
    per bit of size): enough to compute its root, and to extend it with more leaves."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.hashes) != bin(self.size).count("1") or any(len(h) != 32 for h in self.hashes):
            raise ValueError("a frontier has one 32-byte hash per bit of its size")
        self._stack = [(1 << b, h) for b, h in zip(_bits(self.size), self.hashes)]

    def add(self, leaf: bytes) -> None:
        self._stack.append((1, leaf))
        while len(self._stack) > 1 and self._stack[-1][0] == self._stack[-2][0]:
            (n, right), (_, left) = self._stack.pop(), self._stack.pop()
            self._stack.append((2 * n, node_hash(left, right)))
        self.size += 1
        self.hashes = tuple(h for _, h in self._stack)

    def extend(self, leaves: Iterable[bytes]) -> Frontier:
        for leaf in leaves:
            self.add(leaf)
        return self

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        r = self._stack[-1][1]
        for _, h in reversed(self._stack[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> Frontier:
        return Frontier(self.size, self.hashes)

    def to_json(self) -> list[str]:
        return [h.hex() for h in self.hashes]

    @classmethod
    def from_json(cls, size: int, hashes: Sequence[str]) -> Frontier:
        return cls(size, tuple(bytes.fromhex(h) for h in hashes))


def _bits(n: int) -> list[int]:
    """The set bits of n, highest first."""
    return [b for b in range(n.bit_length() - 1, -1, -1) if n >> b & 1]
