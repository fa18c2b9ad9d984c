"""Printers: readers of a Derivation (they never re-derive)."""
