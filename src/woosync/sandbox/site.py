"""``GET /wp-json/`` (site index), ``GET /wp-json/wc/v3`` (namespace index) and ``system_status``."""

from __future__ import annotations

import uuid
from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import Request, Response


def _route_entries(
    env: Env, request: Request, routes: list[tuple[str, tuple[str, ...]]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pattern, methods in routes:
        entry: dict[str, Any] = {
            "namespace": "wc/v3",
            "methods": list(methods),
            "endpoints": [{"methods": list(methods), "args": {}}],
        }
        if "(?P<" not in pattern:
            entry["_links"] = {"self": [{"href": f"{request.api_base}{pattern}"}]}
        out[pattern] = entry
    return out


def site_index(env: Env, request: Request, routes: list[tuple[str, tuple[str, ...]]]) -> Response:
    body = {
        "name": env.site_name,
        "description": env.site_description,
        "url": request.home,
        "home": request.home,
        "gmt_offset": "0",
        "timezone_string": "UTC",
        "page_for_posts": 0,
        "page_on_front": 0,
        "show_on_front": "posts",
        "namespaces": ["oembed/1.0", "wc/v3", "wc/store/v1", "wp/v2", "wp-site-health/v1"],
        "authentication": [],
        "routes": _route_entries(env, request, routes),
        "site_logo": 0,
        "site_icon": 0,
        "site_icon_url": "",
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }
    return Response(200, body)


def namespace_index(
    env: Env, request: Request, routes: list[tuple[str, tuple[str, ...]]]
) -> Response:
    body = {
        "namespace": "wc/v3",
        "routes": _route_entries(env, request, routes),
        "_links": {"up": [{"href": f"{request.api_base}/"}]},
    }
    return Response(200, body)


def system_status(env: Env, request: Request) -> Response:
    home = request.home
    body = {
        "environment": {
            "home_url": home,
            "site_url": home,
            "store_id": str(uuid.uuid5(uuid.NAMESPACE_URL, home)),
            "version": env.wc_version,
            "log_directory": "/var/www/html/wp-content/uploads/wc-logs/",
            "log_directory_writable": True,
            "wp_version": env.wp_version,
            "wp_multisite": False,
            "wp_memory_limit": 268435456,
            "wp_debug_mode": False,
            "wp_cron": True,
            "wp_environment_type": "production",
            "language": "en_US",
            "external_object_cache": None,
            "server_info": "woosync-sandbox",
            "server_architecture": "sandbox",
            "php_version": "8.2.0",
            "php_post_max_size": 33554432,
            "php_max_execution_time": 120,
            "php_max_input_vars": 1000,
            "curl_version": "",
            "suhosin_installed": False,
            "max_upload_size": 33554432,
            "mysql_version": "10.11.0",
            "mysql_version_string": "10.11.0-MariaDB",
            "default_timezone": "UTC",
            "fsockopen_or_curl_enabled": True,
            "soapclient_enabled": False,
            "domdocument_enabled": True,
            "gzip_enabled": True,
            "mbstring_enabled": True,
            "remote_post_successful": False,
            "remote_post_response": False,
            "remote_get_successful": False,
            "remote_get_response": False,
        },
        "database": {
            "wc_database_version": env.wc_version,
            "database_prefix": "wp_",
            "maxmind_geoip_database": "",
            "database_size": {"data": 0.0, "index": 0.0},
        },
        "active_plugins": [
            {
                "plugin": "woocommerce/woocommerce.php",
                "name": "WooCommerce",
                "version": env.wc_version,
                "version_latest": env.wc_version,
                "url": "https://woocommerce.com/",
                "author_name": "Automattic",
                "author_url": "https://woocommerce.com",
                "network_activated": False,
            }
        ],
        "inactive_plugins": [],
        "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
        "theme": {"name": "Storefront", "version": "4.6.0", "is_block_theme": False},
        "settings": {
            "api_enabled": False,
            "force_ssl": False,
            "currency": "USD",
            "currency_symbol": "&#36;",
            "currency_position": "left",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "number_of_decimals": 2,
            "geolocation_enabled": False,
            "taxonomies": {
                "external": "external",
                "grouped": "grouped",
                "simple": "simple",
                "variable": "variable",
            },
            "product_visibility_terms": {
                term: term
                for term in (
                    "exclude-from-catalog",
                    "exclude-from-search",
                    "featured",
                    "outofstock",
                    *(f"rated-{n}" for n in range(1, 6)),
                )
            },
            "woocommerce_com_connected": "no",
            "enforce_approved_download_dirs": True,
            "order_datastore": "WC_Order_Data_Store_CPT",
            "HPOS_enabled": False,
            "HPOS_sync_enabled": False,
            "enabled_features": [],
        },
        "security": {"secure_connection": request.scheme == "https", "hide_errors": True},
        "pages": [],
        "post_type_counts": _post_type_counts(env),
        "logging": {
            "logging_enabled": True,
            "default_handler": "file",
            "retention_period_days": 30,
        },
    }
    return Response(200, body)


def _post_type_counts(env: Env) -> list[dict[str, str]]:
    with env.state.lock:
        variations = sum(r["type"] == "variation" for r in env.state.products.values())
        products = len(env.state.products) - variations
    counts = [{"type": "product", "count": str(products)}]
    if variations:
        counts.append({"type": "product_variation", "count": str(variations)})
    return counts
