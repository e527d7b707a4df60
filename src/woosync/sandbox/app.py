"""The WSGI application: request parsing, faults, authentication, routing, WordPress headers."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from woosync.sandbox import auth, products, site, taxonomy
from woosync.sandbox.env import Env
from woosync.sandbox.faults import (
    DroppedConnection,
    FaultInjector,
    Faults,
    StalledConnection,
    error_page,
)
from woosync.sandbox.http import ApiError, Request, Response, filter_fields
from woosync.sandbox.stats import LoggedRequest

log = logging.getLogger("woosync.sandbox")

Handler = Callable[[Env, Request], Response]
StartResponse = Callable[..., Any]
SERVED = "woosync.sandbox.served"  # set by the sandbox's own HTTP server
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes whose writes save a product or a variation (what ``Faults.per_item_ms`` charges for).
PRODUCT_WRITE = re.compile(r"^/wc/v3/products(/\d+(/variations(/\d+)?)?)?$")
PRODUCT_BATCH = re.compile(r"^/wc/v3/products(/\d+/variations)?/batch$")

API_HEADERS = [
    ("X-Robots-Tag", "noindex"),
    ("X-Content-Type-Options", "nosniff"),
    ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
    (
        "Access-Control-Allow-Headers",
        "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
    ),
]
NOCACHE_HEADERS = [
    ("Expires", "Wed, 11 Jan 1984 05:00:00 GMT"),
    ("Cache-Control", "no-cache, must-revalidate, max-age=0, no-store, private"),
]
# What an anonymous caller gets from a route that needs a key: (code, message) per route kind.
DENIED = {
    ("collection", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ("collection", "POST"): (
        "woocommerce_rest_cannot_create",
        "Sorry, you are not allowed to create resources.",
    ),
    ("item", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    ("item", "EDIT"): (
        "woocommerce_rest_cannot_edit",
        "Sorry, you are not allowed to edit this resource.",
    ),
    ("item", "DELETE"): (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    ("batch", "EDIT"): (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


@dataclass
class Route:
    template: str  # "/wc/v3/products/{id}" (stats key)
    handlers: dict[str, Handler]
    kind: str = "collection"  # collection | item | batch | public
    pattern: re.Pattern[str] = field(init=False)
    wp_pattern: str = field(init=False)  # as WordPress lists it: /wc/v3/products/(?P<id>[\d]+)

    def __post_init__(self) -> None:
        self.wp_pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[\\d]+)", self.template)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>\\d+)", self.template)
        self.pattern = re.compile(f"^{regex}$")

    @property
    def allow(self) -> str:
        return ", ".join(m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in self.handlers)


def _crud(get: Handler, update: Handler, delete: Handler) -> dict[str, Handler]:
    return {"GET": get, "POST": update, "PUT": update, "PATCH": update, "DELETE": delete}


def _resource(
    path: str,
    collection: dict[str, Handler],
    item: dict[str, Handler],
    batch: Handler | None = None,
) -> list[Route]:
    """A collection's routes in WordPress's order: ``path``, ``path/batch``, ``path/{id}``."""
    routes = [Route(path, collection)]
    if batch is not None:
        routes.append(
            Route(f"{path}/batch", {"POST": batch, "PUT": batch, "PATCH": batch}, "batch")
        )
    routes.append(Route(f"{path}/{{id}}", item, "item"))
    return routes


def build_routes(*, brands: bool = True, all_variations: bool = True) -> list[Route]:
    terms: dict[str, Handler] = {"GET": taxonomy.list_terms, "POST": taxonomy.create_term}
    term = _crud(taxonomy.get_term, taxonomy.update_term, taxonomy.delete_term)
    routes = [
        *_resource(
            "/wc/v3/products",
            {"GET": products.list_products, "POST": products.create_product},
            _crud(products.get_product, products.update_product, products.remove_product),
            batch=products.batch_products,
        ),
        *_resource(
            "/wc/v3/products/{product_id}/variations",
            {"GET": products.list_variations, "POST": products.create_variation},
            _crud(products.get_variation, products.update_variation, products.remove_variation),
            batch=products.batch_variations,
        ),
        *_resource(
            "/wc/v3/products/attributes",
            {"GET": taxonomy.list_attributes, "POST": taxonomy.create_attribute},
            _crud(taxonomy.get_attribute, taxonomy.update_attribute, taxonomy.delete_attribute),
        ),
        *_resource("/wc/v3/products/attributes/{attribute_id}/terms", terms, term),
        *_resource("/wc/v3/products/categories", terms, term),
        *_resource("/wc/v3/products/tags", terms, term),
        *(_resource("/wc/v3/products/brands", terms, term) if brands else ()),
        *(
            (Route("/wc/v3/variations", {"GET": products.list_all_variations}),)
            if all_variations
            else ()
        ),
        Route("/wc/v3/system_status", {"GET": site.system_status}),
    ]
    listed = [(r.wp_pattern, tuple(r.handlers)) for r in routes]
    routes.append(
        Route("/wc/v3", {"GET": lambda env, req: site.namespace_index(env, req, listed)}, "public")
    )
    routes.append(Route("/", {"GET": lambda env, req: site.site_index(env, req, listed)}, "public"))
    return routes


class SandboxApp:
    """A WSGI callable. ``faults`` is read on every request, so changes apply at once."""

    def __init__(
        self,
        env: Env,
        injector: FaultInjector,
        faults: Callable[[], Faults],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.env = env
        self.injector = injector
        self.faults = faults
        self.clock = clock
        self.sleep = sleep  # every delay the faults ask for (tests pass a recorder)
        self.routes = build_routes(brands=env.has_brands, all_variations=env.has_all_variations)
        self.on_write: Callable[[], None] | None = None

    # WSGI ------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        faults = self.faults()
        decision = self.injector.decide(faults)
        served = bool(environ.get(SERVED))
        if decision.drop:
            self._log(method, path, None, None, "drop", 1, started)
            self._drop(served, stalled=False)
        if decision.status is not None:
            fault = decision.reason or str(decision.status)
            headers = [("Content-Type", "text/html")]
            if decision.retry_after is not None:
                headers.append(("Retry-After", str(decision.retry_after)))
            body = error_page(decision.status)
            self._log(method, path, None, decision.status, fault, 1, started)
            return self._send(start_response, decision.status, headers, body, method)
        if decision.delay_seconds > 0:
            self.sleep(decision.delay_seconds)
        request = self._parse(environ, method, path)
        items = 1
        if request is not None and request.route.endswith("/batch"):
            items = products.batch_size(request.body)
        written = self._products_written(request, items)
        if faults.per_item_ms > 0 and written:
            self.sleep(written * faults.per_item_ms / 1000.0)
        version = self.env.state.version
        if request is None:
            response, template = self._not_wordpress(), None
        else:
            response, template = self._dispatch(request)
        if self.env.state.version != version and self.on_write is not None:
            self.on_write()
        if decision.stall:
            self.sleep(faults.stall_seconds)
            self._log(method, path, template, None, "stall", items, started)
            self._drop(served, stalled=True)
        self._log(method, path, template, response.status, None, items, started)
        return self._send(
            start_response, response.status, response.headers, response.encoded(), method
        )

    @staticmethod
    def _products_written(request: Request | None, items: int) -> int:
        """Products or variations the request saves: a batch's items, or one for a single write."""
        if request is None or request.method not in WRITE_METHODS:
            return 0
        if PRODUCT_BATCH.match(request.route):
            return items
        return 1 if PRODUCT_WRITE.match(request.route) else 0

    def _send(
        self,
        start_response: StartResponse,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        method: str,
    ) -> list[bytes]:
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        headers = [*headers, ("Content-Length", str(len(body))), ("Date", self._date())]
        start_response(f"{status} {phrase}", headers)
        return [] if method == "HEAD" else [body]

    def _date(self) -> str:
        """The ``Date`` header, on the store's clock (what a client reads the store's time from)."""
        moment = self.env.state.clock()
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return format_datetime(moment, usegmt=True)

    def _drop(self, served: bool, *, stalled: bool) -> None:
        if served:
            raise StalledConnection() if stalled else DroppedConnection()
        import httpx  # in-process: the same errors a real socket would give the client

        if stalled:
            raise httpx.ReadTimeout("The read operation timed out (sandbox stall)")
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    def _log(
        self,
        method: str,
        path: str,
        route: str | None,
        status: int | None,
        fault: str | None,
        items: int,
        started: float,
    ) -> None:
        duration = (time.perf_counter() - started) * 1000.0
        self.env.stats.record(LoggedRequest(method, path, route, status, fault, items, duration))
        log.debug(
            "%s %s -> %s (%.1f ms)%s",
            method,
            path,
            status,
            duration,
            f" [{fault}]" if fault else "",
        )

    # parsing ---------------------------------------------------------------------------------------
    def _parse(self, environ: dict[str, Any], method: str, path: str) -> Request | None:
        raw_query = environ.get("QUERY_STRING", "")
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        if path.startswith("/wp-json"):
            route, rest_route_form = path[len("/wp-json") :], False
            if route and not route.startswith("/"):
                return None
        elif path in ("", "/", "/index.php") and "rest_route" in query:
            route, rest_route_form = query["rest_route"], True
        else:
            return None
        route = route.rstrip("/") or "/"
        headers = {key[5:]: value for key, value in environ.items() if key.startswith("HTTP_")}
        body, form, json_error = self._body(environ)
        if method == "POST":
            override = headers.get("X_HTTP_METHOD_OVERRIDE") or query.get("_method")
            if override:
                method = override.upper()
        host = (
            environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        )
        return Request(
            method=method,
            route=route,
            query=query,
            raw_query=raw_query,
            body=body,
            headers=headers,
            scheme=environ.get("wsgi.url_scheme", "http"),
            host=host,
            path=quote(path, safe="/:@!$&'()*+,;=-._~"),
            form=form,
            json_error=json_error,
            rest_route_form=rest_route_form,
        )

    @staticmethod
    def _body(environ: dict[str, Any]) -> tuple[Any, dict[str, str], bool]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        if not raw:
            return None, {}, False
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            return form, form, False
        if content_type == "application/json" or raw[:1] in (b"{", b"["):
            try:
                return json.loads(raw), {}, False
            except (ValueError, UnicodeDecodeError):
                return None, {}, True
        return None, {}, False

    # dispatch --------------------------------------------------------------------------------------
    def _match(self, request: Request) -> Route | None:
        for route in self.routes:
            match = route.pattern.match(request.route)
            if match:
                request.url_params = match.groupdict()
                return route
        return None

    def _dispatch(self, request: Request) -> tuple[Response, str | None]:
        key: dict[str, Any] | None = None
        route: Route | None = None
        try:
            key = auth.authenticate(self.env.state, request, self.clock())
            if key is not None:
                error = auth.permission_error(key, request.method)
                if error is not None:
                    raise error
            route = self._match(request)
            method = "GET" if request.method == "HEAD" else request.method
            handler = route.handlers.get(method) if route else None
            if route is None or handler is None:
                raise ApiError(
                    "rest_no_route", "No route was found matching the URL and request method.", 404
                )
            if route.kind != "public" and key is None:
                raise self._denied(route, method)
            response = handler(self.env, request)
        except ApiError as error:
            response = Response(error.status, error.body())
        except Exception:  # a sandbox bug: answer like a PHP fatal error, keep serving
            log.exception("sandbox handler failed for %s %s", request.method, request.path)
            response = Response(
                500,
                {
                    "code": "internal_server_error",
                    "message": "<p>There has been a critical error on this website.</p>",
                    "data": {"status": 500},
                },
            )
        self._finish(request, response, route, key is not None)
        return response, route.template if route else None

    @staticmethod
    def _denied(route: Route, method: str) -> ApiError:
        verb = method if method in ("GET", "DELETE") else "EDIT"
        if route.kind == "collection" and method == "POST":
            verb = "POST"
        code, message = DENIED.get((route.kind, verb), DENIED[("collection", "GET")])
        return ApiError(code, message, 401)

    def _finish(
        self, request: Request, response: Response, route: Route | None, logged_in: bool
    ) -> None:
        fields = request.fields
        if fields and response.status < 400:
            if isinstance(response.body, list):
                response.body = [filter_fields(item, fields) for item in response.body]
            else:
                response.body = filter_fields(response.body, fields)
        extra = list(API_HEADERS)
        if not any(name == "Link" for name, _ in response.headers):
            extra.append(("Link", f'<{request.api_base}/>; rel="https://api.w.org/"'))
        if route is not None and (logged_in or route.kind == "public") and response.status != 401:
            extra.append(("Allow", route.allow))
        extra += NOCACHE_HEADERS if logged_in else [("Vary", "Origin")]
        response.headers = [("Content-Type", response.content_type), *extra, *response.headers]

    @staticmethod
    def _not_wordpress() -> Response:
        body = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Not Found</h1></body></html>"
        return Response(404, raw=body, headers=[("Content-Type", "text/html; charset=UTF-8")])
