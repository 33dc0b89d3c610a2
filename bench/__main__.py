"""`make bench`: one table of figures against the aims (docs/PERFORMANCE.md). Prints only;
no figure is a test. `python -m bench --quick` runs shorter loads."""

from __future__ import annotations

import sys

from bench import exports, inbound, inprocess, lottery_invite, lottery_select, outbound

AIM_RATIO, AIM_P99, AIM_OUTBOUND, AIM_TURN = 0.5, 25.0, 1000.0, 200.0
AIM_EXPORT_S = {"csv": 10.0, "xlsx": 60.0}  # for 1,000,000 answers
AIM_EXPORT_MB = 200.0


def _inbound(kind: str, seconds: int) -> None:
    results = {r.target: r for r in inbound.measure(kind, seconds=seconds)}
    floor, ceiling = results["durable floor"], results["static ceiling"]
    for r in results.values():
        print(f"  {kind:<10} {r.target:<15} {r.rate:8.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} "
              f"{r.rate / floor.rate:8.0%} {r.rate / ceiling.rate:8.0%}"
              + (f"  non-2xx {r.non_2xx}" if r.non_2xx else "")
              + (f"  errors {r.errors}" if r.errors else "")
              + (f"  (requests replayed {r.wrapped}x)" if r.wrapped else ""))
    project = results["project"]
    met = project.rate >= AIM_RATIO * floor.rate and project.p99_ms < AIM_P99
    print(f"  {'':<10} aim: project >= {AIM_RATIO:.0%} of the floor and p99 < {AIM_P99:.0f} ms:"
          f" {'met' if met else 'NOT met'}")


def main(quick: bool = False) -> None:
    seconds = 4 if quick else 10
    print(f"inbound: {inbound.CONNECTIONS} senders, {inbound.WORKERS} gunicorn workers, "
          f"{seconds} s each")
    print(f"  {'database':<10} {'target':<15} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'of floor':>8} {'of ceil.':>8}")
    if not inbound.have_wrk():
        print("  wrk is missing: `apt-get install wrk` (Debian) — inbound skipped")
    else:
        for kind in ("sqlite", "postgresql"):
            try:
                _inbound(kind, seconds)
            except Exception as exc:  # noqa: BLE001 - e.g. no PostgreSQL here: say so, go on
                print(f"  {kind:<10} skipped: {type(exc).__name__}: {exc}")
    count = 2000 if quick else 10_000
    print(f"outbound: {count} queued messages to a local fake Twilio, send-rate limit off")
    for kind, workers in (("sqlite", 1), ("postgresql", 1), ("postgresql", 2)):
        try:
            o = outbound.measure(kind, workers, count)
        except Exception as exc:  # noqa: BLE001
            print(f"  {kind:<10} {workers} worker(s): skipped: {type(exc).__name__}: {exc}")
            continue
        print(f"  {kind:<10} {workers} worker(s): {o.rate:6.0f} msg/s; sent twice "
              f"{o.sent_twice}, missing {o.missing}"
              + (f"  (aim >= {AIM_OUTBOUND:.0f} msg/s with one worker)" if workers == 1 else ""))
    print(f"detect (first messages): {inprocess.bench_detect()}")
    print(f"checks: {inprocess.bench_checks()}")
    turn, size = inprocess.bench_engine()
    print(f"engine: {turn:.0f} µs a turn (aim < {AIM_TURN:.0f} µs); state JSON {size:.0f} bytes "
          "at the end of a survey")
    print(f"handle in-process (SQLite, no server): {inprocess.bench_handle()}")
    _exports(100_000 if quick else 1_000_000)
    _lottery(quick)


def _lottery(quick: bool) -> None:
    """The civic lottery: letters drawn and written (aim: 10,000 in < 10 s), a selection by
    the library in its own environment (aim: 1,000 registrants in < 60 s, < 1 GB)."""
    addresses, letters = (4_000, 2_000) if quick else (20_000, 10_000)
    try:
        print(lottery_invite.report(lottery_invite.measure(addresses, letters)))
    except Exception as exc:  # noqa: BLE001 - say so, go on
        print(f"lottery invite: skipped: {type(exc).__name__}: {exc}")
    try:
        print(lottery_select.report(lottery_select.measure(300 if quick else 1000)))
    except Exception as exc:  # noqa: BLE001 - e.g. no .venv-lottery: `make lottery-env`
        print(f"lottery select: skipped: {type(exc).__name__}: {exc}")


def _exports(answers: int) -> None:
    print(f"exports: {answers:,} answers ({exports.SURVEY}, every question answered), "
          "`outreach export responses` in a process of its own")
    for kind in ("sqlite", "postgresql"):
        try:
            results = exports.measure(kind, answers)
        except Exception as exc:  # noqa: BLE001 - e.g. no PostgreSQL here: say so, go on
            print(f"  {kind:<10} skipped: {type(exc).__name__}: {exc}")
            continue
        for r in results:
            met = r.seconds < AIM_EXPORT_S[r.kind] and r.peak_mb < AIM_EXPORT_MB
            print(f"  {kind:<10} {r.kind:<5} {r.responses:7,} rows {r.seconds:6.1f} s "
                  f"peak {r.peak_mb:5.0f} MB  file {r.size_mb:5.1f} MB"
                  + (f"  (aim < {AIM_EXPORT_S[r.kind]:.0f} s, < {AIM_EXPORT_MB:.0f} MB: "
                     f"{'met' if met else 'NOT met'})" if answers >= 1_000_000 else ""))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
