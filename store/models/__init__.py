"""The store's models, one module per concern; import them from here (`from store.models
import Message`). Importing this package registers every table on `Base.metadata`, which
Alembic compares with the migrations. No I/O here."""

from store.models.alerts import Alert
from store.models.base import Base, UTCDateTime, utcnow
from store.models.conversations import Conversation, Message
from store.models.engagers import Engager
from store.models.lottery import Draw, Letter, LetterCode, Registrant, Run, Target
from store.models.members import AssemblySession, CheckIn, Member, Rsvp
from store.models.people import Address, ConsentRecord, Contact, Erasure, OptOut
from store.models.staff import (
    AuditEvent,
    QuoteReview,
    SigninLimit,
    StaffSession,
    StaffToken,
    StaffUser,
)
from store.models.surveys import Answer, Response, ScreenedAddress, ScreenOut, Survey, SurveyVersion

__all__ = [
    "UTCDateTime",
    "utcnow",
    "Base",
    "Contact",
    "Address",
    "ConsentRecord",
    "OptOut",
    "Erasure",
    "Survey",
    "SurveyVersion",
    "Response",
    "Answer",
    "ScreenOut",
    "ScreenedAddress",
    "Conversation",
    "Message",
    "Engager",
    "Alert",
    "Member",
    "AssemblySession",
    "Rsvp",
    "CheckIn",
    "StaffUser",
    "StaffSession",
    "StaffToken",
    "QuoteReview",
    "AuditEvent",
    "SigninLimit",
    "Draw",
    "Letter",
    "LetterCode",
    "Registrant",
    "Target",
    "Run",
]
