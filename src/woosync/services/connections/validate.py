"""Checks of what a connection is given: its store name and secrets (never stored in the row)."""

from __future__ import annotations

from woosync.core.errors import ValidationError, param
from woosync.core.logging import register_secret
from woosync.core.text import control_character_problem

MIN_SECRET_LENGTH = 10
_WHERE_KEYS = "WooCommerce > Settings > Advanced > REST API"


def valid_name(name: str | None) -> str:
    """The store name, stripped; required, and without control characters."""
    text = (name or "").strip()
    if not text:
        raise ValidationError("the store name is required", hint=f'pass {param("name")} "My Store"')
    problem = control_character_problem(text)
    if problem is not None:
        raise ValidationError(f"the store name {text!r} {problem}")
    return text


def valid_secret(value: str | None, label: str, *, required: bool) -> str | None:
    """A consumer key or secret (``label`` says which), registered for redaction; None when not
    given and not required."""
    if value is None and not required:
        return None
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"the {label} is required", hint=f"copy it from {_WHERE_KEYS}")
    if len(text) < MIN_SECRET_LENGTH:
        raise ValidationError(
            f"the {label} must be at least {MIN_SECRET_LENGTH} characters",
            hint=f"copy the whole value from {_WHERE_KEYS}",
        )
    register_secret(text)
    return text


def valid_webhook_secret(value: str | None) -> str | None:
    """The webhook secret, registered for redaction; None when not given."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise ValidationError("the webhook secret must not be empty", hint="leave it out instead")
    register_secret(text)
    return text
