"""Logging set-up with redaction: no URL, query string or header value with a secret reaches a log.

``redact_url`` is what every module uses before it logs a URL; ``RedactingFilter`` is a last line of
defence on the root handler that also scrubs any registered secret value from every record.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SENSITIVE_PARAMS = frozenset(
    {
        "consumer_key",
        "consumer_secret",
        "oauth_consumer_key",
        "oauth_signature",
        "oauth_nonce",
        "oauth_token",
        "password",
        "secret",
        "key",
    }
)
REDACTED = "REDACTED"
_TOKEN_RE = re.compile(r"\b(c[ks]_[A-Za-z0-9]{6,})\b")

_secret_values: set[str] = set()
_secret_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so the log filter can scrub it wherever it appears."""
    if value and len(value) >= 4:
        with _secret_lock:
            _secret_values.add(value)


def scrub(text: str) -> str:
    """Replace registered secrets and anything shaped like a WooCommerce key in ``text``."""
    with _secret_lock:
        secrets = sorted(_secret_values, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _TOKEN_RE.sub(REDACTED, text)


def redact_url(url: object) -> str:
    """``url`` with user info and sensitive query values replaced by ``REDACTED``."""
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return scrub(text)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if k.lower() in SENSITIVE_PARAMS else v) for k, v in pairs],
            safe="",
        )
    return scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


class RedactingFilter(logging.Filter):
    """Scrub secrets from the final message of every record (args included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        return True


def configure_logging(level: str = "warning", log_file: str | None = None) -> None:
    """Send woosync's logs to stderr (and ``log_file``), redacted; keep httpx/httpcore quiet.

    httpx logs full request URLs at INFO, OAuth parameters included, and oauthlib logs signature base
    strings and signatures at DEBUG, so their loggers never go below WARNING: woosync's client logs
    its own redacted request lines instead.
    """
    numeric = getattr(logging, level.upper(), None)
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    root = logging.getLogger("woosync")
    root.setLevel(numeric)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.propagate = False
    for noisy in ("httpx", "httpcore", "urllib3", "keyring", "oauthlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
