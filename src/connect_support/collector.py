"""The garbage collector of a server process, tuned for steady latency.

CPython's cyclic collector stops everything while it walks the objects it tracks. In a
server holding thousands of WebSocket connections its full collections took 300 to 470 ms
and its middle ones 30 to 100 ms, every few seconds under load (docs/chat.md): every
connection waited that long. Almost all of our garbage is freed by reference counting;
the collector finds little. So, in ``connect-support serve``:

- everything loaded at start (Django, the apps, templates, the URL maps) is moved out of
  the collector's sight with ``gc.freeze()``: it lives as long as the process anyway;
- collections run less often: the youngest generation after ``GC_THRESHOLD`` new
  objects instead of 700, the older two as often relative to it as by default.

Cycles are still collected, in fewer, larger passes; memory stays bounded.
"""

from __future__ import annotations

import gc
import os

GC_THRESHOLD = 50_000


def collector_tune() -> None:
    threshold = int(os.environ.get("GC_THRESHOLD", GC_THRESHOLD))
    gc.collect()
    gc.freeze()
    _first, second, third = gc.get_threshold()
    gc.set_threshold(threshold, second, third)
