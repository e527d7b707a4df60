"""WooCommerce's own limits on one request (the REST API's, not woosync's choices)."""

from __future__ import annotations

MAX_BATCH = 100  # objects per /batch request: more is refused (HTTP 413)
MAX_PER_PAGE = 100  # items per page of a list (``per_page``), and SKUs or ids per filter
