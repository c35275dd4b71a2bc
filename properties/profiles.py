"""The Hypothesis profiles by name. Plain data, free of imports, so the CLI can list them
without importing Hypothesis before pytest (which would stop pytest rewriting its asserts);
the plugin registers them."""

PROFILES = {
    # Derandomized, fixed example counts, no deadline: the same verdict on every run.
    "ci": dict(derandomize=True, max_examples=25, deadline=None, database=None),
    # Quick and random, with Hypothesis's example database to replay past failures.
    "dev": dict(max_examples=10, deadline=None),
    # As ci, with fewer examples: for kernels run under Triton's interpreter (TRITON_INTERPRET=1),
    # where every program of every launch is Python.
    "interpreter": dict(derandomize=True, max_examples=8, deadline=None, database=None),
    # Many examples for a release or a new implementation.
    "thorough": dict(max_examples=400, deadline=None),
}
