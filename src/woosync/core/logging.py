"""Logging set-up with redaction: no URL, query string or header value with a secret reaches a log.

``redact_url`` is what every module uses before it logs a URL; ``RedactingFilter`` is a last line of
defence on the root handler that also scrubs any registered secret value from every record.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
import sys
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

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
SHORTEST_IN_DATA = 10  # the shortest consumer key or secret woosync accepts
_RECENT_SIGNATURES = 48  # one-use values: keep the newest few, not one per request of a long run
# the recent signatures, apart from the long-lived secrets, so that signing a request (every
# request over plain HTTP) never makes the sorted list of secrets again; each one's encoded forms
# are worked out only when something is scrubbed (_signature_forms), not for every request
_signatures: deque[str] = deque(maxlen=_RECENT_SIGNATURES)
_version = 0
_cache: tuple[tuple[int, int] | None, list[str]] = (None, [])
_SIGNATURE_PARAM_RE = re.compile(r"(oauth_signature(?:%3D|=|\\?\"?\s*:\s*\\?\"))([^&\s\"'<>]+)")
# an Authorization header quoted by a proxy: 24+ characters of base64 with a digit, a lower and an
# upper case letter (a product called "Basic Tee-Collection-2024" is left alone)
_BASIC_RE = re.compile(
    r"\b(Basic\s+)(?=[A-Za-z+/]*[0-9])(?=[A-Z0-9+/]*[a-z])(?=[a-z0-9+/]*[A-Z])"
    r"[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_-])"
)


def _bump() -> None:
    """A secret was registered: the sorted lists are to be made again (the lock is held)."""
    global _version
    _version += 1


def secret_forms(value: str) -> set[str]:
    """``value`` as it may travel: raw, URL-encoded (``%2B`` or ``+`` for a space), JSON-escaped."""
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}
    forms |= {form.replace("/", "\\/") for form in forms}  # PHP's json_encode escapes slashes
    return {form for form in forms if len(form) >= 4}


def register_secret(value: str | None) -> None:
    """Remember a secret so :func:`scrub` hides it wherever it appears, in every encoded form."""
    if value and len(value) >= 4:
        with _secret_lock:
            _secret_values.update(secret_forms(value))
            _bump()


def register_credentials(consumer_key: str | None, consumer_secret: str | None) -> None:
    """A key pair in every form it travels in: each value on its own (the ``oauth_consumer_key``
    parameter is the raw key), and ``base64(key:secret)``, the value of a Basic ``Authorization``
    header (standard and URL-safe alphabets, and URL-encoded or JSON-escaped as a body may quote it).
    """
    register_secret(consumer_key)
    register_secret(consumer_secret)
    if consumer_key and consumer_secret:
        pair = f"{consumer_key}:{consumer_secret}".encode()
        for encoded in (base64.b64encode(pair), base64.urlsafe_b64encode(pair)):
            text = encoded.decode("ascii")
            register_secret(text)
            register_secret(text.rstrip("="))  # some tools drop the padding


def forget_secrets() -> None:
    """Forget every registered secret and recent signature, as a new process starts.

    For a process that outlives its connections' keys, such as a test session where every test
    registers its own: each write's parameters are looked through for every registered form.
    """
    with _secret_lock:
        _secret_values.clear()
        _signatures.clear()
        _bump()


def register_signature(value: str | None) -> None:
    """An OAuth signature just sent: one use only, so only the newest few are kept."""
    if value and len(value) >= 8:
        with _secret_lock:
            _signatures.append(value)


@functools.lru_cache(maxsize=4 * _RECENT_SIGNATURES)
def _signature_forms(value: str) -> tuple[str, ...]:
    """A signature's forms, longest first (made when first needed, kept while it is recent)."""
    return tuple(sorted(secret_forms(value), key=len, reverse=True))


def scrub(text: str) -> str:
    """``text`` with every registered secret (in every form), OAuth signature and Basic credential
    replaced by ``REDACTED``, and anything shaped like a WooCommerce key too: for log lines and
    error messages."""
    return _TOKEN_RE.sub(REDACTED, scrub_quoted(scrub_secrets(text, shortest=1)))


def scrub_quoted(text: str) -> str:
    """Registered secrets, OAuth signatures and Basic credentials replaced, key-shaped words kept:
    for everything printed (the sandbox prints the keys it made for the user to copy)."""
    if not text:
        return text
    text = scrub_secrets(text)
    if "oauth_signature" in text:
        text = _SIGNATURE_PARAM_RE.sub(lambda m: m.group(1) + REDACTED, text)
    if "Basic" in text:
        text = _BASIC_RE.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def _values(shortest: int, signatures: bool, extra: Iterable[str] = ()) -> list[str]:
    """The registered forms (and the recent signatures'), longest first, at least ``shortest``.

    The long-lived secrets are sorted once per registration. The recent signatures (one per
    request, each one's forms longest first) come before them: a fresh random signature holds no
    secret, but may by chance hold a short one, which must not cut it in two.
    """
    global _cache
    with _secret_lock:
        key = (_version, shortest)
        if _cache[0] != key:
            ordered = sorted(
                (v for v in _secret_values if len(v) >= shortest), key=len, reverse=True
            )
            _cache = (key, ordered)
        values = _cache[1]
        recent = list(_signatures) if signatures else []
    if recent:
        forms = [v for sig in recent for v in _signature_forms(sig) if len(v) >= shortest]
        values = forms + values
    if extra:
        values = sorted({*values, *extra}, key=len, reverse=True)
    return values


def scrub_secrets(
    text: str,
    *,
    shortest: int = SHORTEST_IN_DATA,
    signatures: bool = True,
    extra: Iterable[str] = (),
) -> str:
    """Only the registered values replaced: for a store's data (a SKU shaped like ``ck_...`` stays).

    Values shorter than ``shortest`` are left alone: a short webhook secret such as ``shop`` is
    hidden in logs and errors, not cut out of every product name printed or stored. ``extra``
    adds values for this call (the signature of the request an answer belongs to).
    """
    if not text:
        return text
    for value in _values(shortest, signatures, extra):
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def scrub_data(data: Any, extra: Iterable[str] = ()) -> Any:
    """Every string in a decoded JSON value (keys included) through :func:`scrub_secrets`, against
    the long-lived secrets and ``extra`` (a store's answer can only quote its own request's
    signature)."""
    values = _values(SHORTEST_IN_DATA, False, extra)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for secret in values:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {clean(str(key)): clean(item) for key, item in value.items()}
        return value

    return clean(data)


def holds_secret(text: str, extra: Iterable[str] = ()) -> bool:
    """Whether ``text`` contains a long-lived secret, or one of ``extra``, in any registered form."""
    return any(value in text for value in _values(SHORTEST_IN_DATA, False, extra))


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


class ScrubbingStream:
    """A text stream that passes what is written through :func:`scrub_quoted` on its way to
    ``target()`` (looked up at each write, so a replaced ``sys.stdout`` is followed)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def write(self, text: str) -> int:
        self._target().write(scrub_quoted(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, flush, ...
        return getattr(self._target(), name)


_NESTED = (dict, list, tuple)
_PLAIN = frozenset({str, int, float, bool, type(None), bytes})  # nothing to look into


def scrub_parameters(parameters: Any) -> Any:
    """SQL parameters (a tuple/list/dict, or a list of them) with registered secrets replaced;
    the same object when no string in them holds one (the usual case, checked in one pass)."""
    # a loop, not a recursive closure: a closure that calls itself is a reference cycle, which
    # kept every statement's parameters alive until the cycle collector ran (memory of a bulk run)
    strings: list[str] = [parameters] if isinstance(parameters, str) else []
    pending = [parameters] if isinstance(parameters, dict | list | tuple) else []
    if type(parameters) is list and all(type(row) is tuple for row in parameters):
        # an executemany's rows: one pass each in C for their plain text and for anything else
        # (a str subclass, a container: looked into below); exact type checks, not isinstance
        strings = [value for row in parameters for value in row if type(value) is str]
        pending = [value for row in parameters for value in row if type(value) not in _PLAIN]
    while pending:
        container = pending.pop()
        if isinstance(container, str):  # a str subclass among an executemany's values
            strings.append(container)
            continue
        if not isinstance(container, _NESTED):  # a number, a date, bytes: no text to scan
            continue
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, dict | list | tuple):
                pending.append(value)
    if not strings or not holds_secret("\n".join(strings)):
        return parameters

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return scrub_secrets(value)
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        if isinstance(value, tuple):
            return tuple(clean(item) for item in value)
        return value

    return clean(parameters)
