"""Numeric evaluation of derivations."""
