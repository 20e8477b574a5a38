"""Registry accounts and API tokens: who may do what.

A token is `fpr_<token id>_<secret>`, shown once when the account is made. The registry keeps
the token id (to find the account) and sha256(salt + token) with a random salt per account,
never the token. The secret carries 256 random bits, so a fast hash is enough (slow
password hashes such as scrypt are for low-entropy passwords, and would cost every request
tens of milliseconds).

Roles: a producer publishes, supersedes and withdraws its own declarations, signed with the
public key registered here (and its magnet records); a verifier attaches signed verification
statements; a regulator reads the confidential market data; a buyer reads PACT product
footprints through PACT's client-credentials flow (any account may; a buyer may do nothing
else); an admin makes accounts and may withdraw any declaration.

PACT's client credentials are the account's own: the client id is its token id (the 16 hex
digits after `fpr_`), the client secret its API token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint.signing import SignatureError, key_id, public_key_from_pem, public_key_pem

from .checks import Refusal, plain_text
from .models import ROLES, Account

TOKEN_PATTERN = re.compile(r"^fpr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
ROLES_WITH_KEYS = ("producer", "verifier")


def _token_hash(salt: str, token: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + token.encode("ascii")).hexdigest()


def same_operator(a: str, b: str) -> bool:
    """Operator names compare without case and runs of spaces ('ACME  Mining' is 'acme mining')."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def add_account(session: Session, *, role: str, operator: str, public_key: str | None = None) -> tuple[Account, str]:
    """Make an account; return it and its token (the only time the token exists in clear)."""
    if role not in ROLES:
        raise Refusal(f"the role must be one of {', '.join(ROLES)}, not {role!r}", field="role")
    operator = plain_text(operator, field="operator", max_length=300)
    if not operator.strip():
        raise Refusal("the operator name is empty", field="operator")
    pem = kid = None
    if role in ROLES_WITH_KEYS:
        if not public_key:
            raise Refusal(f"a {role} account needs the public key its signatures are checked with", field="public_key")
        try:
            parsed = public_key_from_pem(public_key, field="public_key")
        except SignatureError as exc:
            raise Refusal(exc.message, field="public_key") from None
        pem, kid = public_key_pem(parsed), key_id(parsed)
        if session.scalar(select(Account.id).where(Account.key_id == kid)) is not None:
            raise Refusal("this public key is registered to another account already", field="public_key", status=409)
    elif public_key:
        raise Refusal(f"a {role} account signs nothing, so it takes no public key", field="public_key")
    token_id = secrets.token_hex(8)
    token = f"fpr_{token_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    account = Account(
        role=role, operator=" ".join(operator.split()), token_id=token_id, token_salt=salt, token_hash=_token_hash(salt, token),
        key_id=kid, public_key_pem=pem, created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    )
    session.add(account)
    session.flush()
    return account, token


def authenticate_client(session: Session, client_id: str, client_secret: str) -> Account | None:
    """The account of PACT client credentials (client id = token id, secret = API token), or None."""
    account = authenticate(session, client_secret)
    return account if account is not None and hmac.compare_digest(account.token_id, client_id) else None


def authenticate(session: Session, token: str) -> Account | None:
    """The account a token belongs to, or None (unknown, malformed or wrong token)."""
    match = TOKEN_PATTERN.match(token or "")
    if match is None:
        return None
    account = session.scalar(select(Account).where(Account.token_id == match.group(1)))
    if account is None:
        return None
    if not hmac.compare_digest(account.token_hash, _token_hash(account.token_salt, token)):
        return None
    return account
