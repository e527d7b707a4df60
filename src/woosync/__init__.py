"""woosync: run several WooCommerce stores from one local product catalog."""

__version__ = "0.1.0"
