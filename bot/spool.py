"""The spool: verified inbound messages kept on local disk while the database is unreachable.

Twilio does not retry a 500, and a web visitor who gets one has lost their answer, so a
message that has passed its channel's check (a Twilio signature, Telegram's secret, the
form's CSRF token) and then cannot reach the database is written here and answered: nothing
a person sends is lost to an outage. The pattern is RapidPro courier's spool: one file per
message, written under a temporary name, fsync'd, renamed into place, and the directory
fsync'd, so a file either holds the whole message or is not there.

`outreach worker` replays the files in name order (the time they came) once the database
answers, through `handle` as if they had just arrived, with the replies going through the
outbox; the provider's message id is still the key, so a message stored before the outage
bit, or sent again by its provider, is a no-op. While a person has a message waiting here,
their next ones wait behind it (the file name carries a keyed hash of their address, never
the address), so their answers stay in order. Files hold phone numbers and answers: mode 0600
in a 0700 directory, removed once replayed.

No one can fill the disk with it during an outage: a text is cut to what the app would
store, a provider id already waiting (a resend, a second click) keeps no second file, and
past its caps (OUTREACH_SPOOL_PER_SENDER, OUTREACH_SPOOL_MAX_MB) it keeps nothing (`Full`):
the request fails as it would without a spool.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import hmac
import itertools
import json
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.addresses import InvalidAddress
from bot.answers import MAX_TEXT
from bot.config import Settings
from bot.messages import Delivery, Inbound
from bot.state import Start

log = logging.getLogger(__name__)

SUFFIX = ".json"
SET_ASIDE = "failed"  # files the replay could not read or handle: kept for a person to see
FORMAT = 1
MB = 1_000_000
STALE_S = 600  # a temporary file this old was never finished: no write takes so long
_sequence = itertools.count()  # orders two messages of one process in the same nanosecond


class Full(Exception):
    """The spool is at a cap: the message is not kept (the request fails as it would without
    a spool)."""


def unreachable(exc: BaseException) -> bool:
    """Whether a database error means it cannot be reached (down, refused, read-only, out of
    connections), as opposed to a mistake in what we asked of it."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Spool:
    """The spool directory of one installation (OUTREACH_SPOOL_DIR)."""

    def __init__(self, directory: Path, key: str, max_bytes: int = 500 * MB,
                 per_sender: int = 100):
        self.directory = Path(directory)
        self._key = key.encode()
        self.max_bytes, self.per_sender = max_bytes, per_sender

    @classmethod
    def of(cls, settings: Settings) -> Spool:
        """The installation's spool (it holds no state but its folder: cheap to make)."""
        return cls(settings.spool_dir, settings.secret_key, settings.spool_max_mb * MB,
                   settings.spool_per_sender)

    def keep(self, inbound: Inbound, deliver: Delivery) -> str:
        """Write one message durably; the file's name (which names no one). A message whose
        provider id is waiting already (a provider's or a browser's resend) keeps no second
        file: the name of the first. `Full` past the spool's caps, nothing written."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        who, key = self._who(inbound), self._hash(inbound.provider_id or "")
        waiting = self.waiting()
        if inbound.provider_id:
            for path in waiting:
                if path.name.endswith(f"-{key}-{who}{SUFFIX}"):
                    return path.name
        name = f"{time.time_ns():020d}-{next(_sequence):06d}-{os.getpid()}-{key}-{who}{SUFFIX}"
        text = inbound.text
        if isinstance(text, str) and len(text) > MAX_TEXT:  # no more than the app stores
            text = text.strip()[:MAX_TEXT]
        data = json.dumps({"format": FORMAT, "inbound": asdict(replace(inbound, text=text)),
                           "deliver": _when_replayed(deliver).value},
                          ensure_ascii=False).encode()
        self._make_room(waiting, who, len(data), inbound.channel)
        temporary = self.directory / f".{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(temporary, self.directory / name)
        except BaseException:  # a full disk: no half-written file left where no one looks
            temporary.unlink(missing_ok=True)
            raise
        self._sync_directory()
        log.warning("database unreachable: a %s message was kept in the spool as %s",
                    inbound.channel, name)
        return name

    def waiting(self) -> list[Path]:
        """The files waiting to be replayed, oldest first."""
        try:
            names = os.listdir(self.directory)
        except (FileNotFoundError, NotADirectoryError):  # nothing kept (or nowhere to keep it)
            return []
        return [self.directory / n for n in sorted(names)
                if n.endswith(SUFFIX) and not n.startswith(".")]

    def count(self) -> int:
        """How many wait; 0 when the folder cannot be read (`warnings` says so)."""
        try:
            return len(self.waiting())
        except OSError:
            return 0

    def holds(self, inbound: Inbound) -> bool:
        """Whether this person has a message waiting: their next one must wait behind it."""
        who = self._who(inbound) + SUFFIX
        return any(path.name.endswith(who) for path in self.waiting())

    def replay(self, handle: Callable[[Inbound, Delivery], object]) -> int:
        """Hand each waiting message to `handle`, oldest first, and remove it once stored;
        stop at the first sign that the database is still unreachable. How many were
        replayed. One replay at a time (a lock beside the files); a file that cannot be
        read or handled is set aside in `failed/` and logged, never retried forever."""
        replayed = 0
        with self._replaying() as ours:
            if not ours:
                return 0
            self._clear_unfinished()
            for path in self.waiting():
                try:
                    inbound, deliver = _read(path)
                    handle(inbound, deliver)
                except InvalidAddress:  # the webhook answered nothing for it either
                    pass
                except Exception as exc:  # noqa: BLE001 - one file never stops the rest
                    if isinstance(exc, SQLAlchemyError) and unreachable(exc):
                        log.warning("spool: the database is still unreachable; %d waiting",
                                    self.count())
                        break
                    self._set_aside(path, exc)
                    continue
                path.unlink()
                self._sync_directory()
                replayed += 1
        if replayed:
            log.info("spool: replayed %d message(s)", replayed)
        return replayed

    def _clear_unfinished(self) -> None:
        """Remove temporary files a crash left behind (they may hold a number and an
        answer); one younger than STALE_S may be being written now, and is left alone."""
        cleared = 0
        for name in os.listdir(self.directory):
            path = self.directory / name
            try:
                if (name.startswith(".") and name.endswith(".tmp")
                        and path.stat().st_mtime < time.time() - STALE_S):
                    path.unlink()
                    cleared += 1
            except FileNotFoundError:  # renamed or removed meanwhile
                continue
        if cleared:
            self._sync_directory()
            log.warning("spool: removed %d unfinished file(s) left by a crash or a full disk",
                        cleared)

    def _who(self, inbound: Inbound) -> str:
        """A keyed hash of the sender's address: enough to keep their messages in order,
        nothing that names them."""
        return self._hash(f"{inbound.channel}:{inbound.address}")

    def _hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:16]

    def _make_room(self, waiting: list[Path], who: str, size: int, channel: str) -> None:
        """Raise `Full` when one more file of `size` bytes would pass a cap."""
        if sum(path.name.endswith(f"-{who}{SUFFIX}") for path in waiting) >= self.per_sender:
            log.error("spool: a %s message was refused: its sender has %d waiting already "
                      "(OUTREACH_SPOOL_PER_SENDER)", channel, self.per_sender)
            raise Full("this sender's messages fill their share of the spool")
        used = 0
        for path in waiting:
            try:
                used += path.stat().st_size
            except FileNotFoundError:  # replayed meanwhile
                continue
        if used + size > self.max_bytes:
            log.error("spool: a %s message was refused: the spool holds %d MB of its %d "
                      "(OUTREACH_SPOOL_MAX_MB)", channel, used // MB, self.max_bytes // MB)
            raise Full("the spool is full")

    def set_aside(self) -> list[Path]:
        """The files the replay could not handle, kept in `failed/` for a person to see."""
        try:
            names = os.listdir(self.directory / SET_ASIDE)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [self.directory / SET_ASIDE / n for n in sorted(names) if n.endswith(SUFFIX)]

    def warnings(self) -> list[str]:
        """What an operator must look at (start-up, /healthz, the staff dashboard): a folder
        that cannot be written (found now, not in the outage), files set aside."""
        warnings = []
        if (error := self.unwritable()) is not None:
            warnings.append(f"OUTREACH_SPOOL_DIR cannot be written ({error}): while the "
                            "database is unreachable, messages would be lost")
        try:
            failed = len(self.set_aside())
        except OSError:
            failed = 0
        if failed:
            warnings.append(f"{failed} message(s) in the spool could not be replayed: they "
                            f"are in OUTREACH_SPOOL_DIR/{SET_ASIDE}/, the cause in the "
                            "worker's log")
        return warnings

    def unwritable(self) -> str | None:
        """Why the folder cannot be made, written and fsync'd (the kind of error, no path),
        or None when it can: a small file is written, fsync'd and removed."""
        probe = self.directory / f".probe-{os.getpid()}-{next(_sequence)}.tmp"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, b"probe")
                os.fsync(fd)
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
            self._sync_directory()
        except OSError as exc:
            return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        return None

    def _set_aside(self, path: Path, exc: BaseException) -> None:
        """Move a file the replay could not handle to `failed/`, and log why: the kind of
        error and where it was raised, never its message (it may hold a number or an
        answer)."""
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.error("spool: %s could not be replayed (%s%s); set aside in %s/", path.name,
                  type(exc).__name__,
                  f" at {Path(where.filename).name}:{where.lineno}" if where else "", SET_ASIDE)
        (self.directory / SET_ASIDE).mkdir(mode=0o700, exist_ok=True)
        os.rename(path, self.directory / SET_ASIDE / path.name)
        self._sync_directory()

    @contextmanager
    def _replaying(self) -> Iterator[bool]:
        """An exclusive lock for one replay; False when another process is replaying."""
        if not self.directory.is_dir():
            yield False
            return
        fd = os.open(self.directory / ".replay.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def _sync_directory(self) -> None:
        """Make the rename (or unlink) itself durable."""
        fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _when_replayed(deliver: Delivery) -> Delivery:
    """An inline answer can no longer be given: the replies go through the outbox."""
    return Delivery.OUTBOX if deliver is Delivery.INLINE else deliver


def _read(path: Path) -> tuple[Inbound, Delivery]:
    data = json.loads(path.read_bytes())
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown spool format {data.get('format')!r}")
    fields = dict(data["inbound"])
    if fields.get("start") is not None:
        fields["start"] = Start(**fields["start"])
    return Inbound(**fields), Delivery(data["deliver"])


def warnings(settings: Settings) -> list[str]:
    """What must be put right (start-up, /healthz, the staff dashboard): the settings'
    warnings, then the spool's."""
    return settings.warnings() + Spool.of(settings).warnings()
