"""Carry out the engine's effects against storage: one handler per effect type.

The engine says what happened (an answer, a consent, an opt-out); each handler here stores
it. As in goflow, where each event type is applied in its own place, adding an effect
means adding one handler, and no handler knows about the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import alerts, optouts, registrants, screened, selection
from bot.erasure import erase_contact, screen_out
from bot.lottery_state import LotteryAnswered, Registered
from bot.members import linking, roster, rsvps
from bot.outbox import prebuilt_insert
from bot.state import (
    AlertRaised,
    AnswerRecorded,
    ChannelChosen,
    ChatLinked,
    ConsentGiven,
    ConsentRefused,
    Effect,
    EraseRequested,
    LanguageChanged,
    LinkCodeIssued,
    OptedIn,
    OptedOut,
    PackSent,
    ResponseCompleted,
    ResponseDiscarded,
    ResponseExpired,
    ResponseScreenedOut,
    ResponseStarted,
    RsvpGiven,
)
from store.models import Answer, ConsentRecord, Conversation, Engager, Member, Response
from surveys import registry


@dataclass
class Scene:
    """Where an effect happens: the locked conversation, its channel and the moment, the
    message being answered, and who is told of an alert (kind -> (channel, address))."""

    session: Session
    conversation: Conversation
    channel: str
    now: datetime
    reply_to: int | None = None
    leads: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    secret: str = ""  # SECRET_KEY, which keys the hash a screened-out address is kept as
    staff_url: str | None = None  # PUBLIC_BASE_URL when public: the lead's notice links it

    @property
    def contact(self):
        return self.conversation.address.contact


E = TypeVar("E", bound=Effect)
Handler = Callable[[Scene, Effect], bool | None]  # True: the contact is gone, stop
HANDLERS: dict[type[Effect], Handler] = {}


def handles(*kinds: type[E]) -> Callable[[Callable[[Scene, E], bool | None]], Handler]:
    """Register a function as the handler of these effect types."""
    def register(handler):
        for kind in kinds:
            HANDLERS[kind] = handler
        return handler
    return register


def apply(session: Session, conversation: Conversation, effects: list[Effect],
          channel: str, now: datetime, reply_to: int | None = None,
          leads: Mapping[str, tuple[str, str] | None] | None = None, secret: str = "",
          staff_url: str | None = None) -> bool:
    """Carry out each effect in order; True if the contact was erased (nothing follows)."""
    scene = Scene(session, conversation, channel, now, reply_to, leads or {}, secret,
                  staff_url)
    for effect in effects:
        if HANDLERS[type(effect)](scene, effect):
            return True
    return False


@handles(EraseRequested)
def _erase(scene: Scene, _effect: EraseRequested) -> bool:
    erase_contact(scene.session, scene.contact, scene.now)
    return True


@handles(AlertRaised)
def _alert(scene: Scene, effect: AlertRaised) -> None:
    alerts.raise_alert(scene.session, alerts.Raised(
        kind=effect.lead, severity=effect.severity, category=effect.category,
        text=effect.text, language=effect.language, channel=scene.channel,
        survey=effect.survey, question=effect.question, contact_id=scene.contact.id,
        conversation_id=scene.conversation.id, message_id=scene.reply_to,
        under_13=_screened(scene)),
        scene.now, scene.leads.get(effect.lead), scene.staff_url)


def _screened(scene: Scene) -> bool:
    """Whether the address was screened out lately (an under-13 writing again)."""
    address = scene.conversation.address
    return screened.recall(scene.session, scene.secret, address.scheme, address.value,
                           scene.now) is not None


@handles(LanguageChanged)
def _language(scene: Scene, effect: LanguageChanged) -> None:
    scene.contact.language = effect.language


@handles(ConsentGiven, ConsentRefused)
def _consent(scene: Scene, effect: ConsentGiven | ConsentRefused) -> None:
    version = registry.version_row(scene.session, effect.survey, effect.version)
    scene.session.add(ConsentRecord(
        contact_id=scene.contact.id, survey_version_id=version.id,
        given=isinstance(effect, ConsentGiven), wording=effect.wording,
        language=effect.language, channel=scene.channel, at=scene.now))


@handles(ResponseStarted)
def _started(scene: Scene, effect: ResponseStarted) -> None:
    version = registry.version_row(scene.session, effect.survey, effect.version)
    response = Response(contact_id=scene.contact.id, survey_version_id=version.id,
                        channel=scene.channel, language=effect.language,
                        engager_code=effect.engager, started_at=scene.now, status="partial")
    scene.session.add(response)
    scene.session.flush()
    scene.conversation.response_id = response.id


@handles(AnswerRecorded)
def _answer(scene: Scene, effect: AnswerRecorded) -> None:
    """Store the answer; a question answered again (RESTART, a correction) is replaced."""
    response_id = scene.conversation.response_id
    if response_id is None:
        raise RuntimeError("an answer without a response: the conversation state is corrupt")
    if effect.text_language is None:
        english, status = None, None
    elif effect.text_language == "en":
        english, status = effect.value, "done"
    else:
        english, status = None, "pending"
    scene.session.execute(prebuilt_insert(scene.session, _upsert), dict(
        response_id=response_id, question_id=effect.question, value=effect.value,
        raw_text=effect.text, answered_at=scene.now, text_language=effect.text_language,
        translation_en=english, translation_status=status))


_REPLACED = ("value", "raw_text", "answered_at", "text_language", "translation_en",
             "translation_status")


def _upsert(insert):
    """INSERT … ON CONFLICT (response, question) DO UPDATE: one statement either way."""
    stmt = insert(Answer.__table__)
    return stmt.on_conflict_do_update(index_elements=["response_id", "question_id"],
                                      set_={name: stmt.excluded[name] for name in _REPLACED})


@handles(Registered)
def _registered(scene: Scene, effect: Registered) -> None:
    """A completed lottery registration: its registrant, in the same transaction (one per
    code: a code taken meanwhile makes none; bot/registrants.py)."""
    registrants.register(scene.session, scene.secret, effect.code, scene.contact.id,
                         scene.conversation.response_id, scene.channel,
                         scene.contact.language or "en", scene.now, effect.phone)


@handles(ResponseCompleted)
def _completed(scene: Scene, _effect: ResponseCompleted) -> None:
    response = scene.session.get(Response, scene.conversation.response_id)
    response.status, response.completed_at = "complete", scene.now
    scene.conversation.response_id = None


@handles(ResponseScreenedOut)
def _screened_out(scene: Scene, effect: ResponseScreenedOut) -> bool:
    """Someone the survey is not for (an under-13): a count, and nothing else kept but
    their address as a keyed hash for a while, so that writing again starts nothing."""
    scene.conversation.response_id = None
    address = scene.conversation.address
    if effect.under_13:  # over a survey's ages: that survey ends, the address is not marked
        screened.remember(scene.session, scene.secret, address.scheme, address.value,
                          effect.survey, scene.contact.language, scene.now)
    since = datetime.fromisoformat(effect.since) if effect.since else None
    return screen_out(scene.session, scene.contact, effect.survey, effect.reason, since,
                      scene.now, effect.under_13)


@handles(PackSent)
def _pack_sent(scene: Scene, effect: PackSent) -> None:
    """Remember the latest pack an engager has, so the weekly send never repeats it."""
    scene.session.execute(update(Engager).where(
        Engager.code == effect.engager,
        (Engager.pack_week.is_(None)) | (Engager.pack_week < effect.week))
        .values(pack_week=effect.week))


@handles(RsvpGiven)
def _rsvp(scene: Scene, effect: RsvpGiven) -> None:
    """A member's YES or NO, kept per session for staff (bot/members/rsvps.py)."""
    member = scene.session.scalar(select(Member.id).where(
        Member.contact_id == scene.contact.id))
    if member is not None:
        rsvps.record(scene.session, member, effect.session, effect.answer,
                     datetime.fromisoformat(effect.starts), scene.now)


def _member(scene: Scene) -> Member | None:
    return roster.member_of(scene.session, scene.contact.id)


@handles(LinkCodeIssued)
def _link_code(scene: Scene, effect: LinkCodeIssued) -> None:
    """A member's new one-time code for linking Telegram (bot/members/linking.py)."""
    member = _member(scene)
    if member is not None:
        linking.store(scene.session, member, effect.code, scene.now)


@handles(ChatLinked)
def _linked(scene: Scene, effect: ChatLinked) -> None:
    """This chat becomes the member's: its contact is merged into theirs."""
    linking.redeem(scene.session, scene.conversation.address, effect.member, effect.code,
                   effect.here, scene.now)


@handles(ChannelChosen)
def _channel(scene: Scene, _effect: ChannelChosen) -> None:
    member = _member(scene)
    if member is not None:
        linking.choose(scene.session, member, scene.conversation.address, scene.now)


@handles(ResponseDiscarded)
def _discarded(scene: Scene, _effect: ResponseDiscarded) -> None:
    if scene.conversation.response_id is not None:
        scene.session.execute(delete(Response).where(
            Response.id == scene.conversation.response_id))
    scene.conversation.response_id = None


@handles(ResponseExpired)
def _expired(scene: Scene, _effect: ResponseExpired) -> None:
    scene.conversation.response_id = None  # the answers stay, as a partial response


@handles(OptedOut, OptedIn)
def _opt(scene: Scene, effect: OptedOut | OptedIn) -> None:
    # The same path as the providers' opt-outs: what was queued is cancelled here; the
    # confirmation, written after this as a reply to the STOP, still goes.
    change = optouts.opt_out if isinstance(effect, OptedOut) else optouts.opt_in
    change(scene.session, scene.contact, scene.channel, "keyword", scene.now)


@handles(LotteryAnswered)
def _lottery_answered(scene: Scene, effect: LotteryAnswered) -> None:
    """A selected registrant's YES (made a member) or NO (declined): bot/selection.py."""
    selection.answered(scene.session, effect.registrant, scene.contact.id, effect.yes,
                       scene.now)
