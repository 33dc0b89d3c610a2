"""Throttling repeated wrong passwords, without locking a real user out for long.

Failures are read back from the audit log (so every web worker sees the same count) over a
sliding 15-minute window. Three limits, each answered with 429 and `Retry-After`:

- an address (IP) that got 20 passwords wrong, for any accounts: a password list;
- an account that got 5 wrong from browsers that never signed in to it: guessing at one
  person's password. The account's own browsers (a signed device cookie, set at each
  sign-in: OWASP's "device cookies") are not held back by this one, so an attacker who
  keeps an account throttled does not keep its owner out;
- one of those known browsers that got 5 wrong itself (a stolen laptop).

A throttled attempt is logged but never checked, so it neither counts nor costs a hash.
The longest wait is the window, 15 minutes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from staff import audit
from store.models import AuditEvent

WINDOW = timedelta(minutes=15)
PER_ADDRESS = 20
PER_ACCOUNT = 5
PER_DEVICE = 5


def retry_after(session: Session, email: str, address: str | None, device: str | None,
                now: datetime) -> int | None:
    """Seconds to wait before this sign-in may be tried, or None when it may go ahead."""
    since = now - WINDOW
    limits = [(PER_ADDRESS, (AuditEvent.address == address,))]
    if device is not None:
        limits.append((PER_DEVICE, (AuditEvent.email == email, AuditEvent.device == device)))
    else:
        limits.append((PER_ACCOUNT, (AuditEvent.email == email, AuditEvent.device.is_(None))))
    for limit, where in limits:
        failures, oldest = audit.count(session, audit.SIGNIN_FAILED, since, *where)
        if failures >= limit:
            return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
    return None
