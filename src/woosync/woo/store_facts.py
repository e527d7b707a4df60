"""Facts about the store: its name and versions (the connection test) and whether the key may write."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from woosync.core.logging import redact_url
from woosync.woo.errors import WooAuthError, WooError, WooNotFoundError
from woosync.woo.models import StoreInfo
from woosync.woo.site import origin
from woosync.woo.translate import NO_REST_API
from woosync.woo.transport import Transport

log = logging.getLogger("woosync.woo")

INDEX_FIELDS = "name,description,url,home,namespaces"


class StoreFacts(Transport):
    """What a connection test asks of a store."""

    def store_info(self) -> StoreInfo:
        """Name and versions of the store, checking on the way that the key can read.

        1. ``GET /wp-json/`` (public, sent without credentials): the site name, its address and
           whether the ``wc/v3`` namespace exists.
        2. ``GET /system_status`` for the WordPress and WooCommerce versions; keys whose user lacks
           ``manage_woocommerce`` get 401/403 there, so fall back to a products probe
           (``GET /products?per_page=1&_fields=id``) and leave the versions unknown. A failing probe
           raises the store's own error.
        """
        index_url = self.store_url + "/wp-json/"
        home: str | None = None
        name = urlsplit(self.store_url).hostname or self.store_url
        try:
            index = self._exchange(
                "GET", index_url, params={"_fields": INDEX_FIELDS}, authenticate=False
            )[1]
        except WooAuthError as exc:  # some hosts close the index to anonymous visitors
            log.info("the site index is not public (%s); skipping the namespace check", exc.code)
        else:
            if not isinstance(index, dict):
                raise WooError(f"{index_url} is not a WordPress REST API index", hint=NO_REST_API)
            namespaces = index.get("namespaces") or []
            if "wc/v3" not in namespaces:
                raise WooError(
                    f"WooCommerce REST API (wc/v3) not found at {self.store_url}",
                    hint="is the WooCommerce plugin installed and active?",
                    url=index_url,
                )
            name = str(index.get("name") or name)
            home = str(index.get("home") or index.get("url") or "").rstrip("/") or None
            if home and origin(home) != origin(self.store_url):
                log.warning(
                    "the site calls itself %s, not %s; OAuth signatures and links use its own address",
                    redact_url(home),
                    redact_url(self.store_url),
                )
        wp_version, woo_version = self._versions()
        return StoreInfo(
            store_name=name,
            wp_version=wp_version,
            woo_version=woo_version,
            store_url=self.store_url,
            home_url=home,
        )

    def write_access(self) -> WooError | None:
        """Whether the key may write, found out without changing anything; ``None`` when it may.

        Sends an empty batch (``POST /products/batch`` with ``{}``): WooCommerce checks the key's
        permission (a read-only key gets 401 "does not have write permissions") and the user's
        right to batch-edit products (403), then applies nothing and answers ``[]``. Any other
        failure is returned too: write access is then unknown.
        """
        try:
            # an empty batch applies nothing: as safe to repeat as a read
            self._exchange("POST", self._url("/products/batch"), json={}, idempotent=True)
        except WooError as exc:
            return exc
        return None

    def _versions(self) -> tuple[str | None, str | None]:
        try:
            # Only the two fields: the whole environment section makes WooCommerce run slow
            # outbound self-tests. Servers that ignore nested _fields get the section instead.
            status = self.get(
                "/system_status", {"_fields": "environment.version,environment.wp_version"}
            )
            environment = _environment(status)
            if not environment.get("version"):
                environment = _environment(self.get("/system_status", {"_fields": "environment"}))
        except (WooAuthError, WooNotFoundError) as exc:
            log.info("system_status not readable (%s); probing products instead", exc.code)
            self.get("/products", {"per_page": 1, "_fields": "id"})
            return None, None
        wp_version = environment.get("wp_version")
        woo_version = environment.get("version")
        return (
            str(wp_version) if wp_version else None,
            str(woo_version) if woo_version else None,
        )


def _environment(status: Any) -> dict[str, Any]:
    environment = status.get("environment") if isinstance(status, dict) else None
    return environment if isinstance(environment, dict) else {}
