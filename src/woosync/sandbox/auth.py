"""API keys and WooCommerce's REST authentication, checked the way ``WC_REST_Authentication`` does.

Over HTTPS: query-string ``consumer_key``/``consumer_secret`` (first) or HTTP Basic. Over plain HTTP:
only OAuth 1.0a one-legged (query, form body or ``Authorization: OAuth`` header), HMAC-SHA1 or
HMAC-SHA256, key ``consumer_secret + "&"``, timestamp within 15 minutes, nonce once per key.
``X-Forwarded-Proto`` is not honoured and ``?rest_route=`` URLs are never authenticated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import quote, unquote

from woosync.sandbox.http import ApiError, Request
from woosync.sandbox.state import State

PERMISSIONS = ("read", "write", "read_write")
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
WINDOW_SECONDS = 15 * 60
AUTH_ERROR = "woocommerce_rest_authentication_error"


def new_key(
    state: State, permissions: str = "read_write", description: str = ""
) -> tuple[str, str]:
    if permissions not in PERMISSIONS:
        raise ValueError(f"permissions must be one of {', '.join(PERMISSIONS)}")
    key = f"ck_{secrets.token_hex(20)}"
    secret = f"cs_{secrets.token_hex(20)}"
    with state.lock:
        state.keys[key] = {
            "key": key,
            "secret": secret,
            "permissions": permissions,
            "description": description,
        }
    return key, secret


def _error(message: str) -> ApiError:
    return ApiError(AUTH_ERROR, message, 401)


def authenticate(state: State, request: Request, now: float) -> dict[str, Any] | None:
    """The key the request authenticates with; None when anonymous; raises on a bad attempt."""
    if request.rest_route_form or not request.route.startswith("/wc/"):
        return None
    if request.scheme == "https":
        key = _basic(state, request)
        if key is not None:
            return key
    return _oauth(state, request, now)


def _basic(state: State, request: Request) -> dict[str, Any] | None:
    consumer_key = request.query.get("consumer_key", "")
    consumer_secret = request.query.get("consumer_secret", "")
    if not (consumer_key and consumer_secret):
        consumer_key, consumer_secret = _basic_header(request.headers.get("AUTHORIZATION", ""))
    if not (consumer_key and consumer_secret):
        return None
    key = state.keys.get(consumer_key)
    if key is None:
        return None  # an unknown key is simply anonymous
    if not hmac.compare_digest(key["secret"].encode(), consumer_secret.encode()):
        raise _error("Consumer secret is invalid.")
    return key


def _basic_header(header: str) -> tuple[str, str]:
    if header[:6].lower() != "basic ":
        return "", ""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


def parse_oauth_header(header: str) -> dict[str, str]:
    """``Authorization: OAuth k="v", ...`` -> params (``realm`` dropped)."""
    if not header.startswith("OAuth "):
        return {}
    params: dict[str, str] = {}
    for part in header[6:].split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params[name.strip()] = unquote(value.strip().strip('"'))
    params.pop("realm", None)
    return params


def _encode(value: str) -> str:
    """PHP ``rawurlencode`` (RFC 3986)."""
    return quote(value, safe="~")


def base_string(method: str, url: str, params: dict[str, str]) -> str:
    """The string WooCommerce signs: METHOD & enc(url) & sorted, doubly encoded params."""
    pairs = []
    for name in sorted(params, key=lambda k: k.encode("utf-8")):
        if name == "oauth_signature":
            continue
        key = _encode(unquote(name)).replace("%", "%25")
        value = _encode(unquote(params[name])).replace("%", "%25")
        pairs.append(f"{key}%3D{value}")
    return f"{method.upper()}&{_encode(url)}&{'%26'.join(pairs)}"


def signed_url(request: Request) -> str:
    """The URL as the server sees it: scheme, Host header (default port dropped) and path."""
    host = request.host.lower()
    default = ":443" if request.scheme == "https" else ":80"
    if host.endswith(default):
        host = host[: -len(default)]
    return f"{request.scheme}://{host}{request.path}"


def _oauth(state: State, request: Request, now: float) -> dict[str, Any] | None:
    params = {**request.query, **request.form}
    params.update(parse_oauth_header(request.headers.get("AUTHORIZATION", "").strip()))
    if not any(params.get(name) for name in OAUTH_PARAMS):
        return None
    missing = [name for name in OAUTH_PARAMS if not params.get(name)]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise ApiError(
            "woocommerce_rest_authentication_missing_parameter",
            f"Missing OAuth parameter{plural} {', '.join(missing)}",
            401,
        )
    key = state.keys.get(params["oauth_consumer_key"])
    if key is None:
        raise _error("Consumer key is invalid.")
    method = params["oauth_signature_method"]
    algorithm = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(method)
    if algorithm is None:
        raise _error("Invalid signature - signature method is invalid.")
    text = base_string(request.method, signed_url(request), params)
    expected = base64.b64encode(
        hmac.new(f"{key['secret']}&".encode(), text.encode("utf-8"), algorithm).digest()
    ).decode("ascii")
    provided = unquote(params["oauth_signature"].replace(" ", "+"))
    if not hmac.compare_digest(expected.encode(), provided.encode()):
        raise _error("Invalid signature - provided signature does not match.")
    try:
        timestamp = int(params["oauth_timestamp"])
    except ValueError:
        timestamp = 0
    if abs(timestamp - now) > WINDOW_SECONDS:
        raise _error("Invalid timestamp.")
    with state.lock:
        used = state.nonces.setdefault(key["key"], {})
        for nonce, seen in list(used.items()):
            if seen < now - WINDOW_SECONDS:
                del used[nonce]
        if params["oauth_nonce"] in used:
            raise _error("Invalid nonce - nonce has already been used.")
        used[params["oauth_nonce"]] = timestamp
    return key


def permission_error(key: dict[str, Any], method: str) -> ApiError | None:
    """The key-permission check WooCommerce runs before dispatch (``read`` keys cannot write)."""
    permissions = key["permissions"]
    if method in ("GET", "HEAD"):
        if permissions not in ("read", "read_write"):
            return _error("The API key provided does not have read permissions.")
    elif method in ("POST", "PUT", "PATCH", "DELETE"):
        if permissions not in ("write", "read_write"):
            return _error("The API key provided does not have write permissions.")
    elif method != "OPTIONS":
        return _error("Unknown request method.")
    return None
