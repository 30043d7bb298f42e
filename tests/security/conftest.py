"""Hypothesis settings for the property tests: the same examples on every run, so CI is repeatable.

HYPOTHESIS_PROFILE=explore runs a fresh random search with more examples, to look for new cases.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,  # a fixed seed from each test's source: the same 200 examples each time
    database=None,  # nothing written to .hypothesis/ in the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=5000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
