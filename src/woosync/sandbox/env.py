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

    @property
    def has_brands(self) -> bool:
        """Brands are part of WooCommerce since 9.6."""
        major, _, rest = self.wc_version.partition(".")
        minor = rest.partition(".")[0]
        return (int(major or 0), int(minor or 0) if minor.isdigit() else 0) >= (9, 6)
