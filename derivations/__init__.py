"""The lecture, derived: ``python -m derivations --out DIR`` (see issue 3; not built yet)."""
