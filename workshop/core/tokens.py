"""Secrets for facilitator links and participant cookies, and the short join codes.

Pure core: standard library only. Secrets are long and random and only their SHA-256
digest is stored, so a leaked database does not hand out facilitator links.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# No 0/O, 1/I/L: codes are read aloud and typed on small keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_secret() -> str:
    """Return a fresh 256-bit URL-safe secret."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Return the hex SHA-256 digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(secret: str, stored: str) -> bool:
    """Compare a presented secret with a stored digest in constant time."""
    return hmac.compare_digest(digest(secret), stored)


def looks_like_secret(value: object) -> bool:
    """Say whether a value has the shape of one of our secrets (cheap pre-check)."""
    return isinstance(value, str) and bool(_TOKEN_RE.match(value))


def new_code() -> str:
    """Return a random short join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: object) -> str | None:
    """Return a typed join code in canonical form, or None if it cannot be one."""
    if not isinstance(value, str):
        return None
    code = re.sub(r"[\s-]", "", value).upper()
    return code if _CODE_RE.match(code) else None


def new_client_id() -> str:
    """Return a random id a form carries so that re-sending it is recognised."""
    return secrets.token_urlsafe(16)


def valid_client_id(value: object) -> bool:
    """Say whether a client-generated command id is acceptable."""
    return isinstance(value, str) and bool(_CLIENT_ID_RE.match(value))


# Printed ballot tickets: typed from paper, so short, grouped and from the same
# unambiguous alphabet as join codes. 10 characters of 31 give about 49.5 bits: guessing
# one of 1,000 live tickets takes some 8 * 10^11 tries on average, and tries are
# rate-limited per participant and per address (workshop/guard/http_limits.py).
TICKET_LENGTH = 10
_TICKET_RE = re.compile(f"^[{CODE_ALPHABET}]{{{TICKET_LENGTH}}}$")


def new_ticket() -> str:
    """Return a fresh ticket code in its printed form, two groups of five (ABCDE-FGHJK)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(TICKET_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_ticket(value: object) -> str | None:
    """Return a typed ticket code without spaces or dashes, upper-cased, or None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    code = re.sub(r"[\s-]", "", value).upper()
    return code if _TICKET_RE.match(code) else None


def ticket_digest(workshop_id: int, code: str) -> str:
    """Return the digest a ticket is stored under, scoped to its workshop.

    The workshop id is mixed in so that the same code printed for two workshops never
    collides and a digest copied from one workshop opens nothing in another.
    """
    return digest(f"ticket:{workshop_id}:{code}")
