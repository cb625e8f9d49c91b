"""Collection rules for the whole repository (the tests' fixtures live in tests/conftest.py)."""

import importlib.util

# skdigits.distributed needs the optional "distributed" extra; without it, its
# doctests are not collected (tests/test_distributed.py skips with the reason).
collect_ignore = []
if importlib.util.find_spec("distributed") is None:
    collect_ignore.append("skdigits/distributed.py")
