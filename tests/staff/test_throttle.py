"""Throttling wrong passwords: per address, per account, per known browser; never long."""

from __future__ import annotations

from datetime import timedelta

from staff import audit, throttle
from store.db import transaction

EMAIL = "ana@example.org"


def fail(rt, times: int, email=EMAIL, address="203.0.113.1", device=None):
    with transaction(rt.sessions) as session:
        for _ in range(times):
            audit.record(session, audit.SIGNIN_FAILED, rt.now(), email=email, address=address,
                         device=device)


def wait(rt, email=EMAIL, address="203.0.113.1", device=None):
    with rt.sessions() as session:
        return throttle.retry_after(session, email, address, device, rt.now())


def test_an_account_is_held_back_after_five_failures_for_the_rest_of_the_window(rt, clock):
    fail(rt, throttle.PER_ACCOUNT - 1)
    assert wait(rt) is None
    fail(rt, 1, address="203.0.113.2")  # from anywhere
    clock.advance(timedelta(minutes=5))
    assert wait(rt, address="198.51.100.1") == 10 * 60
    clock.advance(timedelta(minutes=10))
    assert wait(rt) is None


def test_a_browser_that_signed_in_before_is_not_held_back_by_others_failures(rt):
    fail(rt, 10, address="203.0.113.2")
    assert wait(rt, address="192.0.2.5") is not None
    assert wait(rt, address="192.0.2.5", device="d1") is None
    fail(rt, throttle.PER_DEVICE, address="192.0.2.5", device="d1")
    assert wait(rt, address="192.0.2.6", device="d1") is not None
    assert wait(rt, address="192.0.2.6", device="d2") is None


def test_an_address_trying_many_accounts_is_held_back(rt):
    for n in range(throttle.PER_ADDRESS):
        fail(rt, 1, email=f"p{n}@example.org")
    assert wait(rt, email="new@example.org") is not None
    assert wait(rt, email="new@example.org", address="203.0.113.9") is None


def test_throttled_attempts_do_not_count(rt, clock):
    fail(rt, throttle.PER_ACCOUNT)
    with transaction(rt.sessions) as session:
        for _ in range(50):
            audit.record(session, audit.SIGNIN_THROTTLED, rt.now(), email=EMAIL)
    clock.advance(throttle.WINDOW)
    assert wait(rt) is None
