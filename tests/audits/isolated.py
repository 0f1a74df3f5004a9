"""Running a parse in a separate small process, checked for time and memory.

Django-free on purpose: the child is forked from a ``forkserver`` process, a fresh small
interpreter, and imports only this module and the parsers. Forked from the test process
instead, the workbook reader would report that process's size (hundreds of MB in a long
test run) as its own peak: a process's peak memory counts what it held before ``exec``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from compliance_hub.audits.parsing.table import FileProblem
from compliance_hub.audits.parsing.values import ValueProblem, parse_amount, parse_date

SECONDS = 8  # CPU seconds: a refusal takes well under this; the old regex reader took minutes
WALL_FACTOR = 4  # on a busy machine (CI beside other work) wall time may stretch this much
MEMORY_MB = 300  # growth of the test process (CSV) or peak of the workbook reader (XLSX)


def _rss_mb(field: str) -> float:
    status = open("/proc/self/status").read()  # noqa: SIM115
    match = re.search(rf"{field}:\s+(\d+) kB", status)
    assert match
    return int(match.group(1)) / 1024


def _outcome(fn: Callable[..., Any], args: tuple[Any, ...], sink: Any) -> None:
    import resource

    start = _rss_mb("VmRSS")
    began = time.process_time()
    try:
        result = fn(*args)
        outcome = ("table", len(result.rows)) if hasattr(result, "rows") else ("value", result)
    except (FileProblem, ValueProblem) as problem:
        outcome = ("problem", str(problem))
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workbook reader's process
    cpu = time.process_time() - began + reader.ru_utime + reader.ru_stime
    sink.send((outcome, cpu, _rss_mb("VmHWM") - start, reader.ru_maxrss / 1024))


def within(fn: Callable[..., Any], *args: Any, seconds: float = SECONDS) -> tuple[str, Any]:
    """``fn(*args)`` in a process forked from a small server process (not from this one,
    whose size a child would inherit until it runs the reader): its outcome, checked for
    CPU time (its own and the workbook reader's: wall time would measure the machine's load)
    and memory."""
    context = multiprocessing.get_context("forkserver")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_outcome, args=(fn, args, send))
    process.start()
    try:
        if not receive.poll(seconds * WALL_FACTOR):
            pytest.fail(f"still parsing after {seconds * WALL_FACTOR} s")
        outcome, cpu, grew_mb, reader_mb = receive.recv()
    finally:
        process.kill()
        process.join()
    assert cpu < seconds, f"took {cpu:.1f} s of CPU"
    assert grew_mb < MEMORY_MB, f"the test process grew by {grew_mb:.0f} MB"
    assert reader_mb < MEMORY_MB, f"the workbook reader peaked at {reader_mb:.0f} MB"
    return outcome


def values(texts: list[str]) -> int:
    for text in texts:
        for parse in (parse_date, parse_amount):
            with contextlib.suppress(ValueProblem):
                parse(text)
    return len(texts)
