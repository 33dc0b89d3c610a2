"""The lottery's invitations at scale: 10,000 letters drawn from 20,000 made-up addresses
through `outreach lottery invite` (the shipped assembly file: two codes a letter, so 20,000
codes and QR codes), on SQLite, writing mail-merge.csv and letters.html.

The command runs twice, each time in a process of its own so that its peak memory (VmHWM)
is its own: with `--no-letters` (the draw, the codes, mail-merge.csv: the aim is under
10 s) and with letters.html, whose QR codes are drawn by a pool of processes
(lottery/letters.py; the largest process's peak is given beside it). Then each step but
letters.html is timed alone, in this process, and one QR code.
`python -m bench.lottery_invite [ADDRESSES LETTERS]`.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.inbound import ROOT
from store.migrate import upgrade

WARDS = ("Cann Hall", "Cathall", "Chingford Green", "Endlebury", "Forest", "Grove Green",
         "Hale End & Highams Park South", "Hatch Lane & Highams Park North", "High Street",
         "Higham Hill", "Hoe Street", "Larkswood")  # the shipped place's: each is checked
REGISTRATION = ROOT / "surveys" / "lottery-registration.yaml"  # the shipped registration
SEED = "bench: 3 14 15 92 65"


@dataclass(frozen=True)
class Run:
    """One run of the command: its seconds, its peak and its QR pool's largest peak."""

    seconds: float
    peak_mb: float
    pool_peak_mb: float


@dataclass(frozen=True)
class Invited:
    addresses: int
    letters: int
    mail_merge: Run  # --no-letters
    both: Run  # mail-merge.csv and letters.html
    html_mb: float
    csv_mb: float
    steps: dict[str, float]  # seconds each step takes alone
    qr_ms: float  # one QR code (segno, best mask) and its SVG


def made_up(path: Path, count: int) -> Path:
    """A council's file of `count` made-up addresses in a dozen wards."""
    rnd = random.Random(2027)
    with path.open("w", encoding="utf-8") as out:
        out.write("address_1,address_2,postcode,ward\n")
        for n in range(count):
            out.write(f"Flat {n % 12 + 1},{n // 12 + 1} {rnd.choice(('High', 'Hoe', 'Wood'))} "
                      f"Street,E{n % 18 + 1} {n % 9}{chr(65 + n % 26)}Q,{rnd.choice(WARDS)}\n")
    return path


def _env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
            "INSTANCE_PATH": str(folder / "instance"), "PYTHONPATH": str(ROOT),
            "PUBLIC_BASE_URL": "https://outreach.example.org"}


def _app(url: str, folder: Path):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TRANSLATOR": "none",
                       "INSTANCE_PATH": str(folder / "instance"),
                       "PUBLIC_BASE_URL": "https://outreach.example.org"})


def _prepare(url: str, folder: Path) -> None:
    """A migrated database with a registration survey loaded (the letters link to it)."""
    from store.db import transaction
    from surveys import registry

    upgrade(url)
    rt = _app(url, folder).extensions["outreach"]
    with transaction(rt.sessions) as session:
        registry.load_definition(session, yaml.safe_load(REGISTRATION.read_text("utf-8")))
    rt.engine.dispose()


def measure(addresses: int = 20_000, letters: int = 10_000) -> Invited:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        _prepare(url, folder)
        source = made_up(folder / "addresses.csv", addresses)
        runs = [_run(url, folder, source, letters, folder / out, *more)
                for out, more in (("csv", ("--no-letters",)), ("both", ()))]
        steps = _steps(url, folder, source, letters)
        both = folder / "both"
        return Invited(addresses, letters, *runs, (both / "letters.html").stat().st_size / 2**20,
                       (both / "mail-merge.csv").stat().st_size / 2**20, steps, _qr_ms())


def _run(url: str, folder: Path, source: Path, letters: int, out: Path, *more: str) -> Run:
    child = subprocess.run(
        [sys.executable, "-m", "bench.lottery_invite", "--child", str(source), str(letters),
         str(out), *more],
        env=_env(url, folder), cwd=folder, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(child.stderr.strip().splitlines()[-1] if child.stderr else "failed")
    return Run(**json.loads(child.stdout.strip().splitlines()[-1]))


def _steps(url: str, folder: Path, source: Path, count: int) -> dict[str, float]:
    """Each step of the command alone, in this process (the QR codes in one process)."""
    from bot.youth import Blocklist
    from lottery import addresses, invite
    from store.db import transaction

    app = _app(url, folder)
    rt = app.extensions["outreach"]
    timed: dict[str, float] = {}

    def step(name, work):
        started = time.perf_counter()
        result = work()
        timed[name] = time.perf_counter() - started
        return result

    read = step("read the file", lambda: addresses.read_file(source))
    chosen = step("draw", lambda: addresses.draw(read.rows, SEED + " again", count))
    with rt.sessions() as session:
        codes = step("codes", lambda: invite.fresh_codes(
            count * 2, Blocklist.load(), invite.taken_in(session, "bench")))
    invited = [invite.Invited(n, a, tuple(codes[(n - 1) * 2:n * 2]))
               for n, a in enumerate(chosen, start=1)]
    pages = invite.printed(invited, "https://outreach.example.org", "join", "REGISTER")

    def store():
        with transaction(rt.sessions) as session:
            invite.store(session, invited, SEED, read, 2, rt.now(), "bench", rt.now())

    step("store (hashes)", store)
    step("mail-merge.csv", lambda: invite.write_mail_merge(
        folder / "m.csv", read.columns, invited, pages, "+44 7700 900123", 2))
    rt.engine.dispose()
    return timed


def _qr_ms(n: int = 200) -> float:
    from lottery.letters import qr_svg

    started = time.perf_counter()
    for i in range(n):
        qr_svg(f"https://outreach.example.org/s/join-the-panel?code=K7PM3Q{i:03d}")
    return (time.perf_counter() - started) / n * 1000


def _child(source: str, letters: str, out: str, *more: str) -> None:
    """In the command's own process: run `outreach lottery invite`, print its figures."""
    from app import main

    started = time.perf_counter()
    main(["lottery", "invite", source, "--letters", letters, "--seed", SEED, "--out", out,
          *more], standalone_mode=False)
    seconds = time.perf_counter() - started
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": _high_water_kb() / 1024,
                      "pool_peak_mb": pool}))


def _high_water_kb() -> int:
    """This process's peak resident set (VmHWM; see bench/exports.py)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(result: Invited) -> str:
    codes = f"{result.letters:,} letters ({result.letters * 2:,} codes)"
    lines = [f"lottery invite: {codes} from {result.addresses:,} addresses",
             f"  mail-merge.csv only:  {result.mail_merge.seconds:6.1f} s, peak "
             f"{result.mail_merge.peak_mb:.0f} MB (aim < 10 s)",
             f"  with letters.html:    {result.both.seconds:6.1f} s, peak "
             f"{result.both.peak_mb:.0f} MB, QR pool {result.both.pool_peak_mb:.0f} MB a "
             f"process; letters.html {result.html_mb:.0f} MB, mail-merge.csv "
             f"{result.csv_mb:.1f} MB",
             f"  one QR code (segno):  {result.qr_ms:6.1f} ms"]
    lines += [f"  {name + ':':<21} {seconds:6.2f} s" for name, seconds in result.steps.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:])
    else:
        sizes = [int(a) for a in sys.argv[1:3]] or [20_000, 10_000]
        print(report(measure(*sizes)))
