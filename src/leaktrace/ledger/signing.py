"""The ledger's Ed25519 signing key, and signing and checking digests (signed tree heads).

The key lives in the workspace folder as `ledger-signing.key` (PKCS#8 PEM, mode 0600),
apart from the marking key: an auditor gets the public key only, and can check every
digest, and through it the whole chain, without any secret.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ..errors import InputError, WorkspaceError
from .chain import Digest, digest_message

KEY_FILE = "ledger-signing.key"


def load_or_create(folder: Path, *, create: bool = True) -> Ed25519PrivateKey:
    path = folder / KEY_FILE
    if not path.exists():
        if not create:
            raise WorkspaceError(f"the ledger signing key {path} is missing; restore it from backup")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another process: use that one
            return load_or_create(folder, create=False)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return key
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):
        raise WorkspaceError(f"the ledger signing key {path} is corrupted or unreadable") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise WorkspaceError(f"{path} is not an Ed25519 key")
    return key


def public_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def sign(key: Ed25519PrivateKey, upto_seq: int, head_hash: str, signed_at: str, root: str | None = None) -> Digest:
    """A signed head: a tree head when `root` is given (the only kind leaktrace signs now), else
    a digest of the chain alone as versions before the Merkle tree signed them."""
    sig = key.sign(digest_message(upto_seq, head_hash, signed_at, root)).hex()
    return Digest(upto_seq, head_hash, signed_at, sig, public_hex(key), root)


def parse_public_key(data: bytes | str, name: str = "public key") -> Ed25519PublicKey:
    """A public key as PEM, as 64 hexadecimal digits, or as 32 raw bytes."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    text = raw.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
            if not isinstance(key, Ed25519PublicKey):
                raise InputError(f"{name}: not an Ed25519 public key")
            return key
        if len(text) == 64:
            return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text.decode("ascii")))
        if len(raw) == 32:
            return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, UnicodeDecodeError):
        pass
    raise InputError(f"{name}: not an Ed25519 public key (expected PEM, 64 hexadecimal digits or 32 bytes)")


def checker(public_key: Ed25519PublicKey):
    """A function Digest -> None when it is signed by `public_key`, else the reason."""
    expected = public_hex(public_key)

    def check(d: Digest) -> str | None:
        if (d.public_key or "").lower() != expected:
            return "signed by another key than the one given"
        try:
            public_key.verify(bytes.fromhex(d.signature), d.message())
        except (InvalidSignature, ValueError):
            return "the signature is invalid"
        return None

    return check
