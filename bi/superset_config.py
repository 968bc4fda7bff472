"""Superset settings for the gold dashboard (read by Superset through SUPERSET_CONFIG_PATH).

Everything Superset keeps (its SQLite metadata database, the secret key, the admin password) lives
in SUPERSET_HOME, a git-ignored folder that `bi/setup_superset.py` creates (bi/.superset by
default). Nothing is cached: every chart asks the warehouse, so a dashboard shows the last run.
"""

import os
from pathlib import Path

_HOME = Path(os.environ["SUPERSET_HOME"])

SECRET_KEY = (_HOME / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}"

# Chart data and metadata are never cached: the warehouse changes with every `make run`.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
# Dashboard state (filters, permalinks) in the metadata database, as Superset's default.
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SupersetMetastoreCache", "CACHE_DEFAULT_TIMEOUT": 86400}
EXPLORE_FORM_DATA_CACHE_CONFIG = FILTER_STATE_CACHE_CONFIG

# A local, loopback-only tool: no thumbnails or alerts (they need Celery workers).
FEATURE_FLAGS = {"THUMBNAILS": False, "ALERT_REPORTS": False}
SUPERSET_LOG_VIEW = False
LOGO_TARGET_PATH = "/superset/dashboard/linkedin-ads/"
