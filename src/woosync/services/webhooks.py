"""Webhook deliveries: check a delivery's ``X-WC-Webhook-Signature`` against the connection's secret.

WooCommerce signs the exact body it sends: ``base64(HMAC-SHA256(body, secret))``, where the secret
is first passed through WordPress's ``wp_specialchars_decode(secret, ENT_QUOTES)``. So the check
runs on the raw bytes, before any parsing, and the secret is decoded the same way first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from typing import TYPE_CHECKING

from woosync.core.errors import ValidationError, param
from woosync.secrets import env_var, read_secret
from woosync.services.connections.credentials import secrets_scope
from woosync.services.connections.lookup import get_connection

if TYPE_CHECKING:
    from woosync.db.engine import Database

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
log = logging.getLogger("woosync.webhooks")

# wp_specialchars_decode(..., ENT_QUOTES): only these five characters, named or numeric (zero
# padding allowed, hex case-insensitive); any other entity stays as written.
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#0*(60|62|38|34|39)|#[xX]0*(26|22|27));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


def decode_secret(secret: str) -> str:
    """The secret as WooCommerce signs with it (``wp_specialchars_decode`` with ``ENT_QUOTES``)."""
    return _ENTITY.sub(_decode_entity, secret)


def webhook_signature(body: bytes, secret: str) -> str:
    """``base64(HMAC-SHA256(body, decoded secret))``: the value WooCommerce sends for ``body``."""
    digest = hmac.new(decode_secret(secret).encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(body: bytes, signature: str, secret: str) -> bool:
    """Whether ``signature`` (the header's value) signs ``body`` with ``secret``; constant time."""
    expected = webhook_signature(body, secret).encode("ascii")
    return hmac.compare_digest(expected, signature.strip().encode("utf-8"))


def missing_secret_error(connection_id: int) -> ValidationError:
    return ValidationError(
        f"connection {connection_id} has no webhook secret",
        hint=(
            f"store it with 'woosync connections update {connection_id} "
            f"{param('webhook_secret')} ...' (or WOOSYNC_WEBHOOK_SECRET with "
            f"{param('secrets_from_env')}), or set "
            f"{env_var(connection_id, 'webhook_secret')}"
        ),
    )


def verify_webhook(db: Database, ref: int | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is WooCommerce's signature of ``body`` for connection ``ref``.

    The secret comes from the secret chain (environment, keyring, file store), never a prompt.
    Raises :class:`NotFoundError` for an unknown connection and :class:`ValidationError` when the
    connection has no webhook secret or the signature is empty.
    """
    with db.session() as session:
        connection_id = get_connection(session, ref).id
    assert connection_id is not None
    if not signature.strip():
        raise ValidationError(
            "the signature is empty", hint=f"pass the delivery's {SIGNATURE_HEADER} header value"
        )
    secret = read_secret(connection_id, "webhook_secret", scope=secrets_scope(db))
    if not secret:
        raise missing_secret_error(connection_id)
    valid = signature_matches(body, signature, secret)
    log.info(
        "webhook signature for connection %s (%d body bytes): %s",
        connection_id,
        len(body),
        "valid" if valid else "invalid",
    )
    return valid
