"""Slowing down wrong passwords: per address, per account, per known browser; waits that
grow to 5 minutes and never lock; counts kept in signin_limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from staff import throttle
from store.db import transaction
from store.models import SigninLimit

EMAIL = "ana@example.org"
ADDRESS = "203.0.113.1"


def attempt(rt, email=EMAIL, address=ADDRESS, device=None, staff=True):
    """One try (as the sign-in form counts it): None, or the seconds it must wait."""
    with transaction(rt.sessions) as session:
        return throttle.attempt(session, throttle.keys(email, address, device, staff),
                                rt.now())


def fail(rt, times: int, **where) -> None:
    for _ in range(times):
        assert attempt(rt, **where) is None


@pytest.mark.parametrize("failures, wait", [
    (4, None), (5, 15), (6, 30), (7, 60), (8, 120), (9, 240), (10, 300), (40, 300)])
def test_waits_start_at_the_limit_double_and_stop_at_five_minutes(failures, wait):
    found = throttle.wait_after(failures, throttle.PER_ACCOUNT)
    assert (found.total_seconds() if found else None) == wait


def test_an_account_slows_guesses_down_but_never_locks(rt, clock):
    fail(rt, throttle.PER_ACCOUNT)
    assert attempt(rt) == 15
    clock.advance(timedelta(seconds=15))
    assert attempt(rt) is None  # one more try, then a longer wait
    assert attempt(rt) == 30
    clock.advance(throttle.WINDOW)
    fail(rt, throttle.PER_ACCOUNT)  # quiet for 15 minutes: counted from the start again


def test_a_browser_that_signed_in_before_is_not_held_back_by_others_failures(rt):
    fail(rt, throttle.PER_ACCOUNT)
    for n in range(throttle.PER_ADDRESS):
        attempt(rt, email=f"p{n}@example.org")
    assert attempt(rt) is not None and attempt(rt, email="new@example.org") is not None
    assert attempt(rt, device="d1") is None  # same address, same account: not held back
    fail(rt, throttle.PER_DEVICE - 1, device="d1")
    assert attempt(rt, address="192.0.2.6", device="d1") is not None  # a stolen laptop
    assert attempt(rt, device="d2") is None


def test_an_address_trying_many_accounts_is_slowed_down(rt):
    for n in range(throttle.PER_ADDRESS):
        assert attempt(rt, email=f"p{n}@example.org") is None
    assert attempt(rt, email="new@example.org") == 15
    assert attempt(rt, email="new@example.org", address="203.0.113.9") is None


def test_waiting_tries_do_not_count(rt, clock):
    fail(rt, throttle.PER_ACCOUNT)
    for _ in range(50):
        assert attempt(rt) is not None
    clock.advance(timedelta(seconds=15))
    assert attempt(rt) is None
    assert attempt(rt) == 30  # the 6th counted, not the 56th


def test_a_right_password_starts_the_account_again_and_gives_the_address_its_try_back(rt):
    limits = throttle.keys(EMAIL, ADDRESS, None)
    for _ in range(throttle.PER_ADDRESS - 1):  # colleagues behind one proxy, signing in
        assert attempt(rt) is None
        with transaction(rt.sessions) as session:
            throttle.succeeded(session, limits)
    fail(rt, throttle.PER_ACCOUNT)
    assert attempt(rt, email="someone@example.org") is None  # the address is not spent


def test_an_attacker_elsewhere_cannot_keep_the_owners_address_waiting(rt, clock):
    """The attack seen: guesses at the owner's account from another address, sent the
    moment each wait ends, kept every new browser waiting. Now they wait at their own
    address only."""
    fail(rt, throttle.PER_ACCOUNT, address="198.51.100.66")
    for _ in range(12):  # whoever polls fastest gets each try the wait leaves
        wait = attempt(rt, address="198.51.100.66")
        assert wait is not None
        clock.advance(timedelta(seconds=wait))
        assert attempt(rt, address="198.51.100.66") is None
    assert attempt(rt, address="203.0.113.1") is None  # the owner's own address


def test_guesses_spread_over_many_addresses_still_meet_a_ceiling(rt):
    for n in range(throttle.ACCOUNT_CEILING):
        assert attempt(rt, address=f"198.51.{n // 250}.{n % 250}") is None
    assert attempt(rt, address="203.0.113.200") == 15  # a new address for this account
    assert attempt(rt, email="other@example.org", address="203.0.113.200") is None


def test_one_address_polling_for_hours_never_reaches_the_account_ceiling(rt, clock):
    """Every try one address was let make counted towards the ceiling of 50: polling each
    time its wait ended, it kept the owner's new browser elsewhere waiting after ~3.5 h."""
    for _ in range(2 * throttle.ACCOUNT_CEILING):
        wait = attempt(rt, address="10.0.0.3")
        clock.advance(timedelta(seconds=wait or 1))
    assert attempt(rt, address="10.0.0.3") is None  # its wait just ended: counted again
    assert attempt(rt, address="10.0.0.9") is None  # the owner, in a new browser


def test_unblocking_clears_the_account_from_every_address_and_browser(rt):
    fail(rt, throttle.PER_ACCOUNT)
    fail(rt, throttle.PER_DEVICE, device="d1")
    fail(rt, throttle.PER_ACCOUNT, email="other@example.org")
    with transaction(rt.sessions) as session:
        assert throttle.unblock(session, EMAIL) == 3  # account, pair, device
    assert attempt(rt) is None and attempt(rt, device="d1") is None
    assert attempt(rt, email="other@example.org") == 15  # nobody else's


def rows(rt) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(SigninLimit.key)))


def test_emails_that_are_no_staff_users_make_no_more_rows_than_the_address_allows(rt, clock):
    for n in range(600):
        attempt(rt, email=f"made-up-{n}@example.org", staff=False)
        clock.advance(timedelta(milliseconds=50))
    found = rows(rt)
    # the address's limit, and one more try each time its growing wait ends: never 600
    assert f"address:{ADDRESS}" in found and len(found) < 2 * throttle.PER_ADDRESS
    assert not [key for key in found if key.startswith("account:")]


def test_a_try_that_must_wait_makes_no_row_and_lapsed_counts_are_deleted(rt, clock):
    for n in range(throttle.PER_ADDRESS):
        attempt(rt, email=f"p{n}@example.org", staff=False)
    made = set(rows(rt))
    for n in range(100):  # the address waits: nothing is made for these accounts
        assert attempt(rt, email=f"staff{n}@example.org") is not None
    assert set(rows(rt)) == made
    fail(rt, 1, address="198.51.100.1")
    clock.advance(throttle.WINDOW + timedelta(seconds=1))
    fail(rt, 1, address="198.51.100.2")
    assert sorted(rows(rt)) == sorted(k for k, _ in throttle.keys(EMAIL, "198.51.100.2", None))
