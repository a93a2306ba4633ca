"""Settings for ``bench_dashboards.py``: the portal's own settings, with a URLconf that adds two
reference pages (``bench_urls``). Needs ``tests/bench`` on ``sys.path`` (the bench script sets
PYTHONPATH); nothing in the product imports this."""
from qualityaward.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
