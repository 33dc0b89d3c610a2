"""Run a function in several threads released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Call work(0) … work(count-1) at once, one thread each; returns their results in
    order and re-raises the first exception any of them raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
