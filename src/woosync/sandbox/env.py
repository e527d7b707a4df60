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
        return self._version >= (9, 6)

    @property
    def has_all_variations(self) -> bool:
        """``/variations``, the variations of many parents in one listing: since 10.3."""
        return self._version >= (10, 3)

    @property
    def _version(self) -> tuple[int, int]:
        major, _, rest = self.wc_version.partition(".")
        minor = rest.partition(".")[0]
        return int(major or 0), int(minor or 0) if minor.isdigit() else 0
