"""Conversation state, the events that resume it and what a resume returns: plain data.

Everything here round-trips through JSON (`to_json` / `from_json`), so a conversation can
be stored in a JSON column and replayed in tests. Effects are records of what happened
(an answer, a consent, an opt-out); the caller carries them out against storage.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass
class Person:
    """What the engine knows of the person: their language and whether they opted out."""

    language: str | None = None
    opted_out: bool = False


@dataclass
class Run:
    """Where the person is in a survey. `step`: idle, consent, question, done, refused, or
    screened (the survey is not for them, e.g. an under-13: every message is thanked)."""

    survey: str | None = None
    version: int | None = None
    step: str = "idle"
    question: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    engager: str | None = None
    consented: bool = False
    # "language", "delete", "restart" or "channel" while we wait for that answer
    interrupt: str | None = None
    nudged: bool = False
    active_at: str | None = None  # ISO time of the person's last message
    started_at: str | None = None  # ISO time the survey was started (what a screen-out erases)
    letter: str | None = None  # the letter code a lottery registration runs on

    @property
    def in_progress(self) -> bool:
        return self.step in ("consent", "question")


@dataclass
class State:
    contact: Person = field(default_factory=Person)
    run: Run = field(default_factory=Run)
    link_tries: list[str] = field(default_factory=list)  # ISO times of wrong link codes
    letter_tries: list[str] = field(default_factory=list)  # ISO times of refused letter codes

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> State:
        data = data or {}
        return cls(contact=Person(**data.get("contact", {})), run=Run(**data.get("run", {})),
                   link_tries=list(data.get("link_tries", [])),
                   letter_tries=list(data.get("letter_tries", [])))


# Events that resume a conversation.


@dataclass(frozen=True)
class Start:
    """A channel's explicit start (Telegram `/start CODE`, a web form link with ?ref=)."""

    survey: str | None = None
    engager: str | None = None
    letter: str | None = None  # a civic lottery letter's code (/start CODE, the web's ?code=)


@dataclass(frozen=True)
class Concern:
    """What the safeguarding check found in a message (bot/safeguarding): how urgent
    (3 in danger now, 2 at risk, 1 concern) and what kind (self_harm, abuse_at_home…)."""

    severity: int
    category: str
    language: str | None = None  # the language of the patterns that matched


@dataclass(frozen=True)
class Incoming:
    """A message from the person (or a channel's start of a survey)."""

    text: str
    lang_hint: str | None = None  # a language the channel tells us (Telegram, ?lang=)
    media: bool = False  # a picture or voice note rather than text
    start: Start | None = None
    concern: Concern | None = None  # found before the engine runs: signpost and alert
    link: str | None = None  # Telegram's LINK CODE ("" for LINK alone): link this chat


@dataclass(frozen=True)
class ReminderDue:
    """The wait's nudge time has come."""


@dataclass(frozen=True)
class Expired:
    """The wait's expiry time has come."""


Event = Incoming | ReminderDue | Expired


# What a resume returns.


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Reply:
    """A message to send. Choices are data; each channel renders them its own way.

    style "list": SMS numbers the options; "keys": the options are only buttons (the text
    already says what to type, as for a 1-5 scale or YES/NO consent); "words": SMS lists
    the options without numbers after `how` (an age question, where a number is an age).
    A web form shows `hint` beside the field as its error and offers a Skip button instead
    of `note`.
    """

    text: str
    options: tuple[Option, ...] = ()
    style: str = "list"
    multi: bool = False
    hint: str | None = None  # shown before the text: why we ask again, or a nudge
    note: str | None = None  # shown after it: "Reply SKIP to skip this question."
    question: str | None = None  # the question id this asks, if any
    how: str | None = None  # how to answer in plain text, for options listed without numbers


@dataclass(frozen=True)
class Wait:
    nudge_at: datetime | None
    expire_at: datetime | None


@dataclass(frozen=True)
class Effect:
    kind: ClassVar[str] = "effect"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class LanguageChanged(Effect):
    kind: ClassVar[str] = "language_changed"
    language: str


@dataclass(frozen=True)
class ConsentGiven(Effect):
    kind: ClassVar[str] = "consent_given"
    survey: str
    version: int
    wording: str
    language: str


@dataclass(frozen=True)
class ConsentRefused(Effect):
    kind: ClassVar[str] = "consent_refused"
    survey: str
    version: int
    wording: str
    language: str


@dataclass(frozen=True)
class ResponseStarted(Effect):
    kind: ClassVar[str] = "response_started"
    survey: str
    version: int
    language: str
    engager: str | None = None


@dataclass(frozen=True)
class AnswerRecorded(Effect):
    kind: ClassVar[str] = "answer_recorded"
    question: str
    value: Any
    text: str
    text_language: str | None = None


@dataclass(frozen=True)
class ResponseCompleted(Effect):
    kind: ClassVar[str] = "response_completed"


@dataclass(frozen=True)
class ResponseScreenedOut(Effect):
    """The person is outside the survey's audience (e.g. under 13): keep nothing but a count.
    `reason` is the answer that ended it ("age_band=under_13"); `since` when the survey
    was started (what it said from then on is erased)."""

    kind: ClassVar[str] = "response_screened_out"
    survey: str = ""
    reason: str = ""
    since: str | None = None
    under_13: bool = True  # a child: their address is marked as screened (bot/screened.py)


@dataclass(frozen=True)
class ResponseDiscarded(Effect):
    """RESTART while part way through: the unfinished answers are dropped."""

    kind: ClassVar[str] = "response_discarded"


@dataclass(frozen=True)
class ResponseExpired(Effect):
    """The unfinished response stays as partial; the conversation lets go of it."""

    kind: ClassVar[str] = "response_expired"


@dataclass(frozen=True)
class OptedOut(Effect):
    kind: ClassVar[str] = "opted_out"


@dataclass(frozen=True)
class OptedIn(Effect):
    kind: ClassVar[str] = "opted_in"


@dataclass(frozen=True)
class EraseRequested(Effect):
    kind: ClassVar[str] = "erase_requested"


CALL_REQUESTED = "call_requested"  # an alert's category: an assembly member's CALL


@dataclass(frozen=True)
class AlertRaised(Effect):
    """Words that suggest someone is at risk: a person must see them (bot/alerts.py)."""

    kind: ClassVar[str] = "alert_raised"
    severity: int
    category: str
    text: str
    language: str | None = None
    survey: str | None = None
    question: str | None = None
    lead: str = "safeguarding"  # the alert's kind, and so whose lead is told (wellbeing)


@dataclass(frozen=True)
class PackSent(Effect):
    """A peer engager was sent week `week`'s prompt pack (so the schedule skips it)."""

    kind: ClassVar[str] = "pack_sent"
    engager: str
    week: int


@dataclass(frozen=True)
class RsvpGiven(Effect):
    """An assembly member's YES or NO to the session their latest reminder was about;
    `starts`: that session's start (ISO), which the answer holds for."""

    kind: ClassVar[str] = "rsvp_given"
    session: int
    answer: str  # yes | no
    starts: str


@dataclass(frozen=True)
class LinkCodeIssued(Effect):
    """A member asked (LINK by SMS) for a one-time code that links a Telegram chat."""

    kind: ClassVar[str] = "link_code_issued"
    code: str


@dataclass(frozen=True)
class ChatLinked(Effect):
    """This chat gave a member's live code: it becomes that member's (their code is used
    up); `here`: their reminders come to this chat from now on."""

    kind: ClassVar[str] = "chat_linked"
    member: int
    code: str
    here: bool = False


@dataclass(frozen=True)
class ChannelChosen(Effect):
    """A member chose this conversation's channel for their reminders and check-ins."""

    kind: ClassVar[str] = "channel_chosen"


# What the engine may learn about assembly members (through its Env, only when it asks).


@dataclass(frozen=True)
class Membership:
    """The person writing is an assembly member; `channel`: where their reminders go."""

    member: int
    channel: str = "sms"


@dataclass(frozen=True)
class LinkTarget:
    """The member whose live one-time code was given, their channel and language."""

    member: int
    channel: str
    language: str | None = None


@dataclass(frozen=True)
class Invitation:
    """A session a member's reminders told them of, not yet begun (YES / NO to it)."""

    session: int
    starts: str  # ISO
    day: str = ""  # its local date, ISO ("2026-03-14"): the day a member may name
    answered: str = ""  # their answer for its current time ("yes", "no"), "" if none
    was: str = ""  # the local date a reminder named before it moved, "" if it has not


# What the engine may learn about peer engagers (through its Env, only when it asks).


@dataclass(frozen=True)
class Engaged:
    """The person writing is a peer engager: their code, and whether it is paused."""

    code: str
    paused: bool = False


@dataclass(frozen=True)
class Reach:
    """An engager's own reach, as counts: friends who started and finished the youth
    survey, conversations logged and the people in them."""

    started: int = 0
    finished: int = 0
    conversations: int = 0
    people: int = 0


@dataclass
class Sprint:
    """The outcome of one resume: the new state, replies, effects and the next wait."""

    state: State
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    wait: Wait | None = None
