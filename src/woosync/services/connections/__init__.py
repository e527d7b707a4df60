"""Connections to WooCommerce stores (the spec's connection operations, ARCHITECTURE.md, operations
table), and the client factory every store-facing service uses. A reader finds things by file name:

- ``records``: create, list, show, the default, delete; ``update``: change any field.
- ``lookup``: find a connection by id, name or URL, the default one, an active one; ``mark_synced``.
- ``moves``: a new URL of the same store or of another one.
- ``validate``: names and secrets; ``tls``: certificate checks; ``credentials``: where the secrets
  are kept (never in the database; ``woosync.secrets.secrets_location`` says where, in words).
- ``client``: ``open_client``, the factory (it loads the WooCommerce client, httpx); ``probe``:
  the connection test.
- ``views``: the typed results (``woosync.shapes.connections`` writes their JSON).

Import what you need from its module (``from woosync.services.connections.lookup import
active_connection``): the package itself re-exports nothing, so a command loads only the modules
it uses (an unchanged ``export --partial`` never loads ``records``, ``update``, ``moves``,
``validate`` nor ``views``).
"""
