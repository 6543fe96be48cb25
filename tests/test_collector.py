"""The server processes' garbage collector settings (collector.py): start-up objects are
frozen and young collections are rarer; other processes keep Python's defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _collector_state(**env: str) -> dict[str, object]:
    code = (
        "import gc, json, connect_support.asgi; "
        "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"
    )
    environment = {key: value for key, value in os.environ.items() if key != "CONNECT_SUPPORT_SERVING"}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**environment, **env}, capture_output=True, text=True, check=True
    )
    state: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return state


def test_a_serving_process_freezes_its_start_up_objects_and_collects_less_often() -> None:
    state = _collector_state(CONNECT_SUPPORT_SERVING="1")
    assert state["threshold"] == [50_000, 10, 10]
    assert isinstance(state["frozen"], int)
    assert state["frozen"] > 10_000


def test_other_processes_keep_the_defaults() -> None:
    state = _collector_state()
    assert state["threshold"] == [700, 10, 10]
    assert state["frozen"] == 0
