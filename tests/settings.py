"""Settings for the test run: a fresh data dir and a file-backed SQLite test database.

pytest-django imports this before any conftest, so the environment is set in time.
"""

from __future__ import annotations

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("CONNECT_SUPPORT_DATA_DIR", tempfile.mkdtemp(prefix=f"cs-tests-{_worker}-"))
# Server threads in the tests share the test database, which an in-memory SQLite
# database cannot do without table-level locking errors.
os.environ["TEST_SQLITE_FILE"] = "1"

from connect_support.settings import *  # noqa: E402, F403

# Server threads close their connection after each request, so that the test database
# can be dropped at the end of a PostgreSQL run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Chat's database threads too (a server process keeps theirs open: chat/threads.py; the
# two-process and fault tests run real servers and so cover that).
CHAT_DB_KEEP_SECONDS = 0

# Several runs against one PostgreSQL server at once each need their own test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["TEST_DATABASE_NAME"]  # noqa: F405

# The test processes of one run (pytest-xdist workers) share one Redis database: each
# keeps its channel-layer groups and cache keys to itself, or one worker's live events
# (a new chat in the inbox group) reach another worker's test.
if REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"cs:chan:{_worker}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"cs:{_worker}"  # noqa: F405
