"""The nnconform property suite: the op table, the generic checks, the per-op invariants,
the pytest plugin and the `nnconform` command line."""
