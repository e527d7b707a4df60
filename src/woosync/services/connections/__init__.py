"""Connections to WooCommerce stores (the spec's connection operations, ARCHITECTURE.md, operations
table), and the client factory every store-facing service uses. A reader finds things by file name:

- ``records``: create, list, show, the default, delete; ``update``: change any field.
- ``lookup``: find a connection by id, name or URL, the default one, an active one; ``mark_synced``.
- ``moves``: a new URL of the same store or of another one.
- ``validate``: names and secrets; ``tls``: certificate checks; ``credentials``: where the secrets
  are kept (never in the database; ``woosync.secrets.secrets_location`` says where, in words).
- ``client``: ``open_client``, the factory; ``probe``: the connection test. Imported by their
  own path (``from woosync.services.connections.client import open_client``), not from here: they
  load the WooCommerce client (httpx), which a command that only reads the database never needs.
- ``views``: the typed results (``woosync.shapes.connections`` writes their JSON).
"""

from woosync.core.store_urls import normalize_store_url, same_store_url
from woosync.secrets import secrets_location
from woosync.services.connections.credentials import secrets_scope
from woosync.services.connections.lookup import (
    active_connection,
    connection_or_default,
    default_connection,
    get_connection,
    mark_synced,
)
from woosync.services.connections.records import (
    check_new_connection,
    connection_details,
    create_connection,
    delete_connection,
    get_connection_view,
    get_default_connection,
    list_connections,
)
from woosync.services.connections.tls import tls_verify
from woosync.services.connections.update import update_connection
from woosync.services.connections.views import (
    ConnectionDetails,
    ConnectionRemoved,
    ConnectionTest,
    ConnectionView,
)

__all__ = [
    "ConnectionDetails",
    "ConnectionRemoved",
    "ConnectionTest",
    "ConnectionView",
    "active_connection",
    "check_new_connection",
    "connection_details",
    "connection_or_default",
    "create_connection",
    "default_connection",
    "delete_connection",
    "get_connection",
    "get_connection_view",
    "get_default_connection",
    "list_connections",
    "mark_synced",
    "normalize_store_url",
    "same_store_url",
    "secrets_location",
    "secrets_scope",
    "tls_verify",
    "update_connection",
]
