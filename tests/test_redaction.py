"""The redactor: every form a secret travels in is hidden; ordinary text is left as it is."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

from woosync.core.logging import (
    REDACTED,
    forget_secrets,
    holds_secret,
    register_credentials,
    register_secret,
    register_signature,
    scrub,
    scrub_data,
    scrub_parameters,
    scrub_quoted,
)

KEY = "redkey+/0123456789abcdefXYZ"
SECRET = "redsecret /=+9876543210fedcba"


def test_every_form_of_a_key_pair_is_hidden() -> None:
    register_credentials(KEY, SECRET)
    pair = f"{KEY}:{SECRET}".encode()
    standard = base64.b64encode(pair).decode()
    forms = [
        KEY,
        SECRET,
        quote(SECRET, safe=""),
        quote_plus(SECRET, safe=""),
        json.dumps(SECRET)[1:-1].replace("/", "\\/"),
        standard,
        standard.rstrip("="),
        base64.urlsafe_b64encode(pair).decode(),
        standard.replace("/", "\\/"),
        quote(standard, safe=""),
    ]
    for form in forms:
        text = f"proxy says: <{form}>"
        assert scrub(text) == f"proxy says: <{REDACTED}>", form
        assert scrub_quoted(text) == f"proxy says: <{REDACTED}>", form
        assert scrub_data({"message": text, "data": [text]}) == {
            "message": f"proxy says: <{REDACTED}>",
            "data": [f"proxy says: <{REDACTED}>"],
        }


def test_oauth_signatures_and_basic_headers_are_hidden_even_unregistered() -> None:
    register_signature("SiGnAtUrE0123456789+/abcdefghijk=")
    assert REDACTED in scrub_quoted("sig SiGnAtUrE0123456789+/abcdefghijk= seen")
    assert scrub_quoted("GET /x?oauth_signature=abc%2Bdef&page=1") == (
        f"GET /x?oauth_signature={REDACTED}&page=1"
    )
    assert scrub_quoted('{"oauth_signature": "abc+def"}') == f'{{"oauth_signature": "{REDACTED}"}}'
    header = "Authorization: Basic " + base64.b64encode(b"someone:else-0123456789").decode()
    assert scrub_quoted(header) == f"Authorization: Basic {REDACTED}"


def test_forgotten_secrets_are_no_longer_looked_for() -> None:
    register_secret("forgettable-0123456789")
    register_signature("SiGnAtUrE-forgettable-0123456789")
    assert holds_secret("x forgettable-0123456789 y")
    forget_secrets()
    assert not holds_secret("x forgettable-0123456789 y")
    assert scrub_quoted("forgettable-0123456789 SiGnAtUrE-forgettable-0123456789") == (
        "forgettable-0123456789 SiGnAtUrE-forgettable-0123456789"
    )
    register_secret("forgettable-0123456789")  # and a secret registered again is hidden again
    assert scrub("x forgettable-0123456789") == f"x {REDACTED}"


def test_ordinary_text_is_left_alone() -> None:
    register_secret("zq9x")  # a short webhook secret: hidden in logs, not cut out of data
    for text in ("Basic Tee-Collection-2024", "Basic cotton tee", "size zq9x-large"):
        assert scrub_quoted(text) == text
    assert scrub("webhook zq9x") == f"webhook {REDACTED}"
    assert scrub_quoted("SKU ck_abcdef123") == "SKU ck_abcdef123"  # only logs hide key shapes


def test_sql_parameters_are_cleaned_only_when_they_hold_a_secret() -> None:
    register_credentials(KEY, SECRET)
    clean = [("SKU-1", "A mug", 3), ("SKU-2", "A cup", None)]
    assert scrub_parameters(clean) is clean
    dirty = [("SKU-1", f"echo {SECRET}", 3), {"message": f"key {KEY}"}]
    assert scrub_parameters(dirty) == [
        ("SKU-1", f"echo {REDACTED}", 3),
        {"message": f"key {REDACTED}"},
    ]
    nested = {"rows": [("A", [f"deep {SECRET}"])]}
    assert scrub_parameters(nested) == {"rows": [("A", [f"deep {REDACTED}"])]}
    assert scrub_parameters(f"{SECRET}") == REDACTED


class _Text(str):
    """A str subclass (an ORM or a driver may hand one over)."""


def test_an_executemany_s_rows_are_scanned_whatever_their_values_are() -> None:
    """The rows of an executemany are looked through by exact type: text of a str subclass, text
    nested in a list, dict or tuple, and plain text are all found; numbers, dates and bytes pass."""
    register_credentials(KEY, SECRET)
    when = datetime(2026, 12, 4, tzinfo=UTC)
    clean = [(1, 2.5, True, None, b"raw", when, "A mug", _Text("a cup"), ["x"], {"k": ("y",)})]
    assert scrub_parameters(clean) is clean
    for dirty, scrubbed in [
        (_Text(f"say {SECRET}"), f"say {REDACTED}"),
        ([f"deep {KEY}"], [f"deep {REDACTED}"]),
        ({"message": (f"{SECRET}",)}, {"message": (REDACTED,)}),
        (f"plain {KEY}", f"plain {REDACTED}"),
    ]:
        rows = [(1, "SKU-1", None), (2, dirty, when)]
        assert scrub_parameters(rows) == [(1, "SKU-1", None), (2, scrubbed, when)]
