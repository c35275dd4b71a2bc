"""Conv ops (CATALOG section 2): the table entries and their invariants."""

OPS = []
