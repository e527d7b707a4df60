"""Request, response and error objects of the sandbox, and WordPress-style parameter checks."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus


class ApiError(Exception):
    """A WordPress REST error: ``{"code", "message", "data": {"status", ...}}``."""

    def __init__(self, code: str, message: str, status: int = 400, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = data

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


@dataclass
class Request:
    method: str
    route: str  # e.g. "/wc/v3/products/10" (no "/wp-json" prefix)
    query: dict[str, str]  # decoded; the last value wins, as in PHP
    raw_query: str
    body: Any  # decoded JSON, a form dict, or None
    headers: dict[str, str]  # upper-case WSGI names without HTTP_ (e.g. "AUTHORIZATION")
    scheme: str
    host: str
    path: str  # the path as sent, e.g. "/wp-json/wc/v3/products/10"
    form: dict[str, str] = field(default_factory=dict)  # form-encoded body params (signed by OAuth)
    json_error: bool = False
    rest_route_form: bool = False  # reached through ?rest_route= (API keys are not looked at)
    url_params: dict[str, str] = field(default_factory=dict)  # from the route pattern

    @property
    def home(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def api_base(self) -> str:
        return f"{self.home}/wp-json"

    def param(self, name: str, default: Any = None) -> Any:
        """A parameter as WordPress merges them: route, then body, then query."""
        if name in self.url_params:
            return self.url_params[name]
        if isinstance(self.body, dict) and name in self.body:
            return self.body[name]
        return self.query.get(name, default)

    @property
    def context(self) -> str:
        value = self.query.get("context", "view")
        if value not in ("view", "edit", "embed"):
            raise invalid_param(
                "context", "context is not one of view, edit, and embed.", "rest_not_in_enum"
            )
        return value

    @property
    def fields(self) -> list[str] | None:
        raw = self.query.get("_fields")
        if not raw:
            return None
        return [part.strip() for part in raw.split(",") if part.strip()]

    def json_body(self) -> dict[str, Any]:
        """The body as an object; a malformed JSON body is WordPress's ``rest_invalid_json``."""
        if self.json_error:
            raise ApiError(
                "rest_invalid_json",
                "Invalid JSON body passed.",
                400,
                json_error_code=4,
                json_error_message="Syntax error",
            )
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            return {}
        return self.body


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw: bytes | None = None  # a non-JSON body (HTML error pages)
    content_type: str = "application/json; charset=UTF-8"

    def header(self, name: str, value: str) -> Response:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))
        return self

    def encoded(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def invalid_param(name: str, message: str, detail_code: str = "rest_invalid_type") -> ApiError:
    """WordPress's ``rest_invalid_param`` for one parameter."""
    data: Any = None if detail_code != "rest_invalid_type" else {"param": name}
    return invalid_params({name: (message, detail_code, data)})


def invalid_params(problems: dict[str, tuple[str, str, Any]]) -> ApiError:
    names = ", ".join(problems)
    return ApiError(
        "rest_invalid_param",
        f"Invalid parameter(s): {names}",
        400,
        params={name: message for name, (message, _, _) in problems.items()},
        details={
            name: {"code": code, "message": message, "data": data}
            for name, (message, code, data) in problems.items()
        },
    )


def missing_params(*names: str) -> ApiError:
    return ApiError(
        "rest_missing_callback_param",
        f"Missing parameter(s): {', '.join(names)}",
        400,
        params=list(names),
    )


def int_param(
    request: Request,
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer query parameter checked the way WordPress's schema validation does."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.") from None
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise invalid_param(
            name,
            f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
            "rest_out_of_bounds",
        )
    if minimum is not None and value < minimum:
        raise invalid_param(
            name, f"{name} must be greater than or equal to {minimum}", "rest_out_of_bounds"
        )
    return value


def id_list(raw: Any) -> list[int]:
    """``include=1,2,3`` or a JSON array, as WordPress's ``wp_parse_id_list``."""
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, list) else str(raw).replace(" ", ",").split(",")
    out: list[int] = []
    for item in items:
        try:
            value = abs(int(str(item).strip()))
        except ValueError:
            continue
        if value and value not in out:
            out.append(value)
    return out


def is_true(value: Any) -> bool:
    """``rest_sanitize_boolean``: true, "true", "1", 1 are true."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def filter_fields(data: Any, fields: list[str] | None) -> Any:
    """WordPress's ``_fields``: keep the named keys; ``a.b`` keeps ``b`` inside ``a``."""
    if not fields or not isinstance(data, dict):
        return data
    tree: dict[str, Any] = {}
    for path in fields:
        node = tree
        parts = path.split(".")
        for i, part in enumerate(parts):
            if node.get(part) is True:
                break
            if i == len(parts) - 1:
                node[part] = True
            else:
                node = node.setdefault(part, {})
    return _apply_tree(data, tree)


def _apply_tree(data: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in tree:
            continue
        sub = tree[key]
        out[key] = value if sub is True or not isinstance(value, dict) else _apply_tree(value, sub)
    return out


ITEM_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def links(request: Request, route: str, item_id: int | None = None, **extra: str) -> dict[str, Any]:
    """``_links`` of one object: ``self`` with its allowed methods and ``collection``."""
    base = f"{request.api_base}{route}"
    out: dict[str, Any] = {
        "self": [{"href": f"{base}/{item_id}", "targetHints": {"allow": ITEM_METHODS}}],
        "collection": [{"href": base}],
    }
    for rel, href in extra.items():
        out[rel] = [{"href": href}]
    return out


def page_url(request: Request, page: int) -> str:
    """The request's own URL with ``page`` replaced or appended, as WordPress builds ``Link``."""
    parts = [part for part in request.raw_query.split("&") if part]
    out: list[str] = []
    replaced = False
    for part in parts:
        if unquote_plus(part.split("=", 1)[0]) == "page":
            if not replaced:
                out.append(f"page={page}")
                replaced = True
            continue
        out.append(part)
    if not replaced:
        out.append(f"page={page}")
    return f"{request.home}{request.path}?{'&'.join(out)}"


def collection(
    request: Request, items: list[Any], total: int, page: int, per_page: int
) -> Response:
    """A list answer with ``X-WP-Total``, ``X-WP-TotalPages`` and prev/next ``Link``."""
    pages = math.ceil(total / per_page) if per_page else 0
    response = Response(200, items)
    response.header("X-WP-Total", str(total))
    response.header("X-WP-TotalPages", str(pages))
    link_parts = []
    if page > 1:
        link_parts.append(f'<{page_url(request, min(page - 1, pages))}>; rel="prev"')
    if pages > page:
        link_parts.append(f'<{page_url(request, page + 1)}>; rel="next"')
    if link_parts:
        response.header("Link", ", ".join(link_parts))
    return response


def paging(request: Request) -> tuple[int, int, int]:
    """``page``, ``per_page`` (1..100, default 10) and the offset they give."""
    page = int_param(request, "page", 1, minimum=1)
    per_page = int_param(request, "per_page", 10, minimum=1, maximum=100)
    offset = int_param(request, "offset", -1)
    start = offset if offset >= 0 else (page - 1) * per_page
    return page, per_page, start
