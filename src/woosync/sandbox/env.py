"""What every handler gets: the data, the counters and the site's identity."""

from __future__ import annotations

from dataclasses import dataclass

from woosync.sandbox.state import State
from woosync.sandbox.stats import Stats


@dataclass
class Env:
    state: State
    stats: Stats
    site_name: str = "Sandbox Store"
    site_description: str = "A WooCommerce-compatible sandbox store"
    wp_version: str = "7.0.4"
    wc_version: str = "11.0.1"
