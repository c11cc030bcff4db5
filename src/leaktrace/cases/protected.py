"""Protected channels: addresses and domains (inspector general, ombudsman, regulator, counsel)
whose communications are never presented as evidence of leaking.

An event is protected when its actor, or any target it names (a shared-with user, a recipient
address, a domain in a link), is a protected address or lies in a protected domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..errors import InputError

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_EMAILS = re.compile(r"[A-Za-z0-9._%+\-']+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_HOSTS = re.compile(r"(?:^|[\s/@<(\"',;:=])((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?=$|[\s/>)\"',;:?#])")
# Fields of an event's details that name who it went to (the importers' names, and common ones).
TARGET_WORDS = ("target", "recipient", "shared", "to", "cc", "bcc", "destination", "invite", "forward")


@dataclass(frozen=True)
class ProtectedChannel:
    value: str   # ig@agency.example, or oversight.example (a domain covers its subdomains)
    kind: str    # address | domain
    label: str
    added_at: str = ""

    def to_json(self) -> dict:
        return asdict(self)


MAX_CHANNEL = 320     # the longest e-mail address (64 + 1 + 255), and its column


def normalize_channel(value: str) -> tuple[str, str]:
    """(value, kind) as stored; InputError when it is neither an e-mail address nor a domain."""
    v = (value or "").strip().casefold()
    if len(v) > MAX_CHANNEL:
        raise InputError(f"{value[:40]!r}... is {len(v)} characters; an e-mail address or a domain has at most "
                         f"{MAX_CHANNEL}")
    if v.startswith("*."):
        v = v[2:]
    if v.startswith("@"):
        v = v[1:]
    if "@" in v:
        local, _, domain = v.rpartition("@")
        if local and "@" not in local and " " not in local and _DOMAIN.match(domain):
            return v, "address"
    elif _DOMAIN.match(v):
        return v, "domain"
    raise InputError(f"{value!r} is neither an e-mail address nor a domain "
                     "(e.g. ig@agency.example or oversight.example)")


class Protection:
    """Decides whether an address, a text or an event touches a protected channel."""

    def __init__(self, channels: Iterable[ProtectedChannel]):
        self.channels = list(channels)
        self.addresses = {c.value: c for c in self.channels if c.kind == "address"}
        self.domains = {c.value: c for c in self.channels if c.kind == "domain"}

    def _domain(self, host: str) -> ProtectedChannel | None:
        parts = host.casefold().strip(".").split(".")
        for i in range(len(parts) - 1):
            c = self.domains.get(".".join(parts[i:]))
            if c:
                return c
        return None

    def match(self, text: str | None) -> ProtectedChannel | None:
        """The protected channel an address, a list of addresses or a link names, if any."""
        if not text or not self.channels:
            return None
        s = str(text)
        for m in _EMAILS.finditer(s):
            c = self.addresses.get(m.group(0).casefold()) or self._domain(m.group(1))
            if c:
                return c
        if self.domains:
            for m in _HOSTS.finditer(s):
                c = self._domain(m.group(1))
                if c:
                    return c
        return None

    def event(self, actor: str | None, details: dict | str | None) -> ProtectedChannel | None:
        """The protected channel an event is a communication with (its actor or a target), if any."""
        c = self.match(actor)
        if c or not isinstance(details, dict):
            return c
        for key, value in _target_values(details):
            c = self.match(value)
            if c:
                return c
        return None


def _is_target_key(key: str) -> bool:
    words = re.split(r"[^a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower())
    return any(w in TARGET_WORDS or w.startswith(("recipient", "target")) for w in words if w)


def _target_values(details: dict, inherited: bool = False):
    for k, v in details.items():
        hit = inherited or _is_target_key(str(k))
        if isinstance(v, dict):
            yield from _target_values(v, hit)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    yield from _target_values(x, hit)
                elif hit:
                    yield k, str(x)
        elif hit and v is not None:
            yield k, str(v)
