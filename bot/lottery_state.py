"""What the engine knows and says of the civic lottery: a registration code's standing, a
selected registrant waiting for their YES or NO (both learnt through its Env, only when it
asks), and the effects of registering and of answering. Pure, like bot/state.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.state import Effect


@dataclass(frozen=True)
class LetterCodeStatus:
    """What the engine learns of a registration code someone typed (bot/registrants.py):
    open, used, closed (on the local date `closes`), full (the household's places are
    taken), registered (the person writing is, with this code or another) or unknown."""

    status: str
    code: str
    closes: str | None = None


@dataclass(frozen=True)
class Selected:
    """A registrant the lottery selected, asked to confirm with YES or NO (lottery/confirm.py):
    their registrant id, status (selected: waiting; or one the lottery has finished with:
    not_selected, declined, no_answer, dropped) and the assembly's dates as told to them."""

    registrant: int
    status: str
    dates: tuple[str, ...] = ()
    by: str = ""  # the local date (ISO) they were asked to answer by
    # The weekends their registration said they can come to, when not all of them: each the
    # registration's choice as (catalogue context, English text), written in their language.
    weekends: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Registered(Effect):
    """A registration with a letter's code completed (before its ResponseCompleted)."""

    kind: ClassVar[str] = "registered"
    code: str
    phone: str | None = None  # the number they gave (E.164), where it is a whole one


@dataclass(frozen=True)
class LotteryAnswered(Effect):
    """A registrant the lottery selected answered the question whether they take part:
    YES (`yes`) makes them a member, NO marks them declined (bot/selection.py)."""

    kind: ClassVar[str] = "lottery_answered"
    registrant: int
    yes: bool
