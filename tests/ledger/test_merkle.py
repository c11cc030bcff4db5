"""The Merkle tree against the reference vectors of Certificate Transparency (RFC 6962 / RFC 9162:
the eight leaves and the roots, audit paths and consistency proofs every implementation tests
with), and proofs for every leaf and every pair of sizes up to 40, mangled proofs refused."""

from __future__ import annotations

import pytest

from leaktrace.ledger import merkle

LEAVES = [bytes.fromhex(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
INCLUSION = [(0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
             (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                     "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"])]
CONSISTENCY = [(2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
               (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                       "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                       "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"])]

HASHES = [merkle.leaf_hash(x) for x in LEAVES]


def test_roots_of_the_reference_tree():
    for n in range(len(LEAVES) + 1):
        assert merkle.root(HASHES[:n]).hex() == ROOTS[n]
        assert merkle.Frontier().extend(HASHES[:n]).root().hex() == ROOTS[n]


@pytest.mark.parametrize("index,size,path", INCLUSION)
def test_reference_inclusion_proofs(index, size, path):
    proof = merkle.inclusion_proof(HASHES, index, size)
    assert [p.hex() for p in proof] == path
    assert merkle.verify_inclusion(HASHES[index], index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize("first,second,path", CONSISTENCY)
def test_reference_consistency_proofs(first, second, path):
    proof = merkle.consistency_proof(HASHES, first, second)
    assert [p.hex() for p in proof] == path
    assert merkle.verify_consistency(first, second, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second]),
                                     proof)


N = 40
BIG = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(N)]
BIG_ROOTS = [merkle.root(BIG[:n]) for n in range(N + 1)]


def _mangled(proof):
    if proof:
        yield proof[:-1]
        yield [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
    yield proof + [b"\xab" * 32]


def test_every_inclusion_proof_verifies_and_mangled_ones_do_not():
    for n in range(1, N + 1):
        for i in range(n):
            proof = merkle.inclusion_proof(BIG, i, n)
            assert merkle.verify_inclusion(BIG[i], i, n, proof, BIG_ROOTS[n]), (i, n)
            assert not merkle.verify_inclusion(BIG[(i + 1) % N], i, n, proof, BIG_ROOTS[n])
            for bad in _mangled(proof):
                assert not merkle.verify_inclusion(BIG[i], i, n, bad, BIG_ROOTS[n]), (i, n)


def test_every_consistency_proof_verifies_and_mangled_ones_do_not():
    for second in range(N + 1):
        for first in range(second + 1):
            proof = merkle.consistency_proof(BIG, first, second)
            assert merkle.verify_consistency(first, second, BIG_ROOTS[first], BIG_ROOTS[second], proof)
            if 0 < first < second:
                for bad in _mangled(proof):
                    assert not merkle.verify_consistency(first, second, BIG_ROOTS[first], BIG_ROOTS[second], bad)
                other = merkle.root([merkle.leaf_hash(b"forged")] + BIG[1:first])
                assert not merkle.verify_consistency(first, second, other, BIG_ROOTS[second], proof)


def test_a_frontier_extends_where_it_left_off():
    f = merkle.Frontier().extend(BIG[:13])
    again = merkle.Frontier.from_json(13, f.to_json())
    assert again.extend(BIG[13:]).root() == BIG_ROOTS[N]
    with pytest.raises(ValueError):
        merkle.Frontier(13, f.hashes[:-1])
