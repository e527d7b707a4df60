"""Categories, tags, global attributes and their terms (``/products/categories`` and friends)."""

from __future__ import annotations

from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import (
    ApiError,
    Request,
    Response,
    collection,
    id_list,
    invalid_param,
    is_true,
    links,
    missing_params,
    paging,
)
from woosync.sandbox.state import (
    BRAND,
    CATEGORY,
    HIERARCHICAL,
    TAG,
    State,
    attribute_taxonomy,
    brand_ids,
)
from woosync.sandbox.text import sanitize_title, term_name

TERM_INVALID = ("woocommerce_rest_term_invalid", "Resource does not exist.")
TAXONOMY_INVALID = ("woocommerce_rest_taxonomy_invalid", "Resource does not exist.")
NOT_HIERARCHICAL = (
    "woocommerce_rest_taxonomy_not_hierarchical",
    "Can not set resource parent, taxonomy is not hierarchical.",
)
RESERVED_ATTRIBUTE_SLUGS = frozenset(
    [
        "attachment",
        "author",
        "category",
        "comments",
        "day",
        "error",
        "feed",
        "hour",
        "m",
        "minute",
        "monthnum",
        "name",
        "order",
        "orderby",
        "p",
        "page",
        "paged",
        "post",
        "post_type",
        "preview",
        "s",
        "search",
        "second",
        "tag",
        "taxonomy",
        "term",
        "type",
        "w",
        "year",
    ]
)


# where a taxonomy lives ----------------------------------------------------------------------------
def _route_of(taxonomy: str) -> str:
    if taxonomy == CATEGORY:
        return "/wc/v3/products/categories"
    if taxonomy == TAG:
        return "/wc/v3/products/tags"
    if taxonomy == BRAND:
        return "/wc/v3/products/brands"
    return f"/wc/v3/products/attributes/{taxonomy.split(':', 1)[1]}/terms"


def _taxonomy_for(env: Env, request: Request) -> str:
    """The taxonomy a request addresses (categories, tags, brands, or one attribute's terms)."""
    if "attribute_id" in request.url_params:
        attribute_id = int(request.url_params["attribute_id"])
        if attribute_id not in env.state.attributes:
            raise ApiError(*TAXONOMY_INVALID, status=404)
        return attribute_taxonomy(attribute_id)
    if request.route.startswith("/wc/v3/products/brands"):
        return BRAND
    return CATEGORY if request.route.startswith("/wc/v3/products/categories") else TAG


def render_term(state: State, request: Request, term: dict[str, Any]) -> dict[str, Any]:
    count = state.term_counts().get(term["id"], 0)
    route = _route_of(term["taxonomy"])
    if term["taxonomy"] in HIERARCHICAL:  # a brand answers as a category does
        extra = {"up": f"{request.api_base}{route}/{term['parent']}"} if term["parent"] else {}
        return {
            "id": term["id"],
            "name": term["name"],
            "slug": term["slug"],
            "parent": term["parent"],
            "description": term["description"],
            "display": term["display"],
            "image": term["image"],
            "menu_order": term["menu_order"],
            "count": count,
            "_links": links(request, route, term["id"], **extra),
        }
    if term["taxonomy"] == TAG:
        return {
            "id": term["id"],
            "name": term["name"],
            "slug": term["slug"],
            "description": term["description"],
            "count": count,
            "_links": links(request, route, term["id"]),
        }
    return {
        "id": term["id"],
        "name": term["name"],
        "slug": term["slug"],
        "description": term["description"],
        "menu_order": term["menu_order"],
        "count": count,
        "_links": links(request, route, term["id"]),
    }


# terms -------------------------------------------------------------------------------------------
def list_terms(env: Env, request: Request) -> Response:
    state = env.state
    with state.lock:
        taxonomy = _taxonomy_for(env, request)
        page, per_page, start = paging(request)
        terms = list(state.taxonomies.get(taxonomy, {}).values())
        search = str(request.query.get("search", "")).casefold()
        if search:
            terms = [t for t in terms if search in t["name"].casefold() or search in t["slug"]]
        slugs = [s for s in str(request.query.get("slug", "")).split(",") if s]
        if slugs:
            terms = [t for t in terms if t["slug"] in slugs]
        if "parent" in request.query and taxonomy in HIERARCHICAL:
            parent = int(request.query["parent"] or 0)
            terms = [t for t in terms if t["parent"] == parent]
        include, exclude = (
            id_list(request.query.get("include")),
            id_list(request.query.get("exclude")),
        )
        if include:
            terms = [t for t in terms if t["id"] in include]
        if exclude:
            terms = [t for t in terms if t["id"] not in exclude]
        counts = state.term_counts()
        if is_true(request.query.get("hide_empty", False)):
            terms = [t for t in terms if counts.get(t["id"], 0)]
        if "product" in request.query:
            product = state.products.get(int(request.query["product"] or 0))
            assigned = set(_product_term_ids(product)) if product else set()
            terms = [t for t in terms if t["id"] in assigned]
        orderby = request.query.get("orderby", "name")
        keys = {
            "id": lambda t: t["id"],
            "slug": lambda t: t["slug"],
            "count": lambda t: counts.get(t["id"], 0),
            "description": lambda t: t["description"],
        }
        terms.sort(key=keys.get(orderby, lambda t: t["name"].casefold()))
        if request.query.get("order", "asc") == "desc":
            terms.reverse()
        total = len(terms)
        items = [render_term(state, request, t) for t in terms[start : start + per_page]]
    return collection(request, items, total, page, per_page)


def _product_term_ids(product: dict[str, Any]) -> list[int]:
    ids = list(product["category_ids"]) + list(product["tag_ids"]) + brand_ids(product)
    for attribute in product["attributes"]:
        ids += attribute.get("term_ids", [])
    return ids


def _get_term(env: Env, request: Request) -> tuple[str, dict[str, Any]]:
    taxonomy = _taxonomy_for(env, request)
    term = env.state.taxonomies.get(taxonomy, {}).get(int(request.url_params["id"]))
    if term is None:
        raise ApiError(*TERM_INVALID, status=404)
    return taxonomy, term


def get_term(env: Env, request: Request) -> Response:
    with env.state.lock:
        _, term = _get_term(env, request)
        return Response(200, render_term(env.state, request, term))


def _check_string(body: dict[str, Any], name: str) -> None:
    if name in body and not isinstance(body[name], str):
        raise invalid_param(name, f"{name} is not of type string.")


def create_term(env: Env, request: Request) -> Response:
    body = request.json_body()
    if "name" not in body:
        raise missing_params("name")
    for name in ("name", "slug", "description"):
        _check_string(body, name)
    state = env.state
    with state.lock:
        taxonomy = _taxonomy_for(env, request)
        term = add_term_checked(state, taxonomy, body)
        state.touch()
        rendered = render_term(state, request, term)
    response = Response(201, rendered)
    return response.header("Location", rendered["_links"]["self"][0]["href"])


def add_term_checked(state: State, taxonomy: str, body: dict[str, Any]) -> dict[str, Any]:
    """``wp_insert_term``: duplicate names are ``term_exists``; slugs are made unique."""
    name = term_name(str(body["name"]))
    if "parent" in body and taxonomy not in HIERARCHICAL:
        raise ApiError(*NOT_HIERARCHICAL, status=400)
    parent = int(body.get("parent") or 0) if taxonomy in HIERARCHICAL else 0
    if parent and parent not in state.taxonomies[taxonomy]:
        raise ApiError("missing_parent", "Parent term does not exist.", 400)
    if not name:
        raise ApiError("empty_term_name", "A name is required for this term.", 400)
    hierarchical = taxonomy in HIERARCHICAL
    existing = state.find_term(taxonomy, name=name, parent=parent if hierarchical else None)
    if existing is not None:
        where = "with this parent" if hierarchical else "in this taxonomy"
        raise ApiError(
            "term_exists",
            f"A term with the name provided already exists {where}.",
            400,
            resource_id=existing["id"],
        )
    wanted = sanitize_title(str(body.get("slug") or "")) if body.get("slug") else ""
    if wanted and state.find_term(taxonomy, slug=wanted) is not None:
        raise ApiError(
            "duplicate_term_slug", f'The slug "{wanted}" is already in use by another term.', 400
        )
    slug = wanted or state.unique_term_slug(taxonomy, sanitize_title(name) or "term", parent)
    return state.add_term(
        taxonomy,
        name,
        slug,
        description=str(body.get("description") or ""),
        parent=parent,
        display=str(body.get("display") or "default"),
        image=body.get("image") if isinstance(body.get("image"), dict) else None,
        menu_order=int(body.get("menu_order") or 0),
    )


def update_term(env: Env, request: Request) -> Response:
    body = request.json_body()
    for name in ("name", "slug", "description"):
        _check_string(body, name)
    state = env.state
    with state.lock:
        taxonomy, term = _get_term(env, request)
        parent = term["parent"]
        if "parent" in body:
            parent = _checked_parent(state, taxonomy, term, int(body["parent"] or 0))
        if "name" in body:
            name = term_name(body["name"])
            other = state.find_term(
                taxonomy, name=name, parent=parent if taxonomy in HIERARCHICAL else None
            )
            if other is not None and other["id"] != term["id"]:
                raise ApiError(
                    "term_exists",
                    "A term with the name provided already exists in this taxonomy.",
                    400,
                    resource_id=other["id"],
                )
            term["name"] = name
        if body.get("slug"):
            term["slug"] = sanitize_title(body["slug"])
        for field in ("description", "display"):
            if field in body:
                term[field] = str(body[field])
        if "menu_order" in body:
            term["menu_order"] = int(body["menu_order"] or 0)
        term["parent"] = parent
        state.touch()
        return Response(200, render_term(state, request, term))


def _checked_parent(state: State, taxonomy: str, term: dict[str, Any], parent: int) -> int:
    """A category's (or brand's) new parent: itself means none (as WordPress does); its own subtree
    is refused."""
    if taxonomy not in HIERARCHICAL:
        raise ApiError(*NOT_HIERARCHICAL, status=400)
    if parent == term["id"]:
        return 0
    ancestor = parent
    while ancestor:
        if ancestor == term["id"]:
            raise ApiError("invalid_term_parent", "A term cannot be its own ancestor.", 400)
        above = state.taxonomies[taxonomy].get(ancestor)
        if above is None:
            raise ApiError("missing_parent", "Parent term does not exist.", 400)
        ancestor = above["parent"]
    return parent


def delete_term(env: Env, request: Request) -> Response:
    state = env.state
    with state.lock:
        _, term = _get_term(env, request)
        if not is_true(request.param("force", False)):
            raise ApiError(
                "woocommerce_rest_trash_not_supported", "Resource does not support trashing.", 501
            )
        rendered = render_term(state, request, term)
        for child in state.taxonomies.get(term["taxonomy"], {}).values():
            if child["parent"] == term["id"]:  # wp_delete_term: children move up a level
                child["parent"] = term["parent"]
        _forget_terms(state, {term["id"]})
        state.touch()
    return Response(200, rendered)


def _forget_terms(state: State, term_ids: set[int]) -> None:
    for term_id in term_ids:
        state.remove_term(term_id)
    for product in state.products.values():
        product["category_ids"] = [i for i in product["category_ids"] if i not in term_ids]
        product["tag_ids"] = [i for i in product["tag_ids"] if i not in term_ids]
        if product.get("brand_ids"):
            product["brand_ids"] = [i for i in product["brand_ids"] if i not in term_ids]
        for attribute in product["attributes"]:
            if "term_ids" in attribute:
                attribute["term_ids"] = [i for i in attribute["term_ids"] if i not in term_ids]


# global attributes -----------------------------------------------------------------------------
ATTRIBUTES_ROUTE = "/wc/v3/products/attributes"


def render_attribute(request: Request, attribute: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": attribute["id"],
        "name": attribute["name"],
        "slug": f"pa_{attribute['slug']}",
        "type": attribute["type"],
        "order_by": attribute["order_by"],
        "has_archives": attribute["has_archives"],
        "_links": links(request, ATTRIBUTES_ROUTE, attribute["id"]),
    }


def list_attributes(env: Env, request: Request) -> Response:
    with env.state.lock:
        attributes = sorted(env.state.attributes.values(), key=lambda a: a["slug"])
        items = [render_attribute(request, a) for a in attributes]
    response = Response(200, items)
    response.header("X-WP-Total", str(len(items)))
    return response.header("X-WP-TotalPages", "1")


def _attribute_slug(state: State, raw: str, exclude_id: int | None = None) -> str:
    slug = raw.strip()
    if slug.startswith("pa_"):
        slug = slug[3:]
    slug = sanitize_title(slug)
    if len(slug) > 28:
        message = f'Slug "{slug}" is too long (28 characters max). Shorten it, please.'
    elif slug in RESERVED_ATTRIBUTE_SLUGS:
        message = f'Slug "{slug}" is not allowed because it is a reserved term. Change it, please.'
    elif any(a["slug"] == slug and a["id"] != exclude_id for a in state.attributes.values()):
        message = f'Slug "{slug}" is already in use. Change it, please.'
    else:
        return slug
    raise ApiError("woocommerce_rest_cannot_create", message, 400)


def create_attribute(env: Env, request: Request) -> Response:
    body = request.json_body()
    if "name" not in body:
        raise missing_params("name")
    for name in ("name", "slug", "type", "order_by"):
        _check_string(body, name)
    with env.state.lock:
        rendered = render_attribute(request, add_attribute(env.state, body))
    response = Response(201, rendered)
    return response.header("Location", rendered["_links"]["self"][0]["href"])


def add_attribute(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Create a global attribute (caller holds ``state.lock``); raises ``ApiError`` on a bad slug."""
    slug = _attribute_slug(state, str(body.get("slug") or body["name"]))
    attribute: dict[str, Any] = {
        "id": state.next_attribute_id,
        "name": term_name(body["name"]),
        "slug": slug,
        "type": body.get("type") or "select",
        "order_by": body.get("order_by") or "menu_order",
        "has_archives": is_true(body.get("has_archives", False)),
    }
    state.next_attribute_id += 1
    state.attributes[attribute["id"]] = attribute
    state.taxonomies[attribute_taxonomy(attribute["id"])] = {}
    state.touch()
    return attribute


def _get_attribute(env: Env, request: Request) -> dict[str, Any]:
    attribute = env.state.attributes.get(int(request.url_params["id"]))
    if attribute is None:
        raise ApiError(*TAXONOMY_INVALID, status=404)
    return attribute


def get_attribute(env: Env, request: Request) -> Response:
    with env.state.lock:
        return Response(200, render_attribute(request, _get_attribute(env, request)))


def update_attribute(env: Env, request: Request) -> Response:
    body = request.json_body()
    for name in ("name", "slug", "type", "order_by"):
        _check_string(body, name)
    state = env.state
    with state.lock:
        attribute = _get_attribute(env, request)
        if body.get("slug"):
            attribute["slug"] = _attribute_slug(state, body["slug"], exclude_id=attribute["id"])
        if "name" in body:
            attribute["name"] = term_name(body["name"])
        for field in ("type", "order_by"):
            if body.get(field):
                attribute[field] = body[field]
        if "has_archives" in body:
            attribute["has_archives"] = is_true(body["has_archives"])
        state.touch()
        return Response(200, render_attribute(request, attribute))


def delete_attribute(env: Env, request: Request) -> Response:
    state = env.state
    with state.lock:
        attribute = _get_attribute(env, request)
        if not is_true(request.param("force", True)):
            raise ApiError(
                "woocommerce_rest_trash_not_supported", "Resource does not support trashing.", 501
            )
        rendered = render_attribute(request, attribute)
        taxonomy = attribute_taxonomy(attribute["id"])
        _forget_terms(state, set(state.taxonomies.get(taxonomy, {})))
        state.taxonomies.pop(taxonomy, None)
        del state.attributes[attribute["id"]]
        for product in state.products.values():
            product["attributes"] = [a for a in product["attributes"] if a["id"] != attribute["id"]]
        state.touch()
    return Response(200, rendered)
