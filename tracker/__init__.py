"""darkpool: abandoned-cart discounts, seen from the shopper's side."""

__version__ = "0.1.0"
