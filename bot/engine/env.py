"""What the engine may consult (`Env`): surveys, catalogues, settings and lazy look-ups.

All plain data or plain callables: the caller (bot/runtime.py) fills it; tests build one
from the shipped surveys (tests/helpers/surveys.py). Without a look-up, the default answers
"nobody": no engager, no member, no invitation, no link code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.lottery_state import LetterCodeStatus, Selected
from bot.optout_phrases import OptOutPhrases
from bot.prompt_packs import PromptPacks
from bot.state import Engaged, Invitation, LinkTarget, Membership, Reach
from surveys import conditions
from surveys.model import REGISTRANTS, Questionnaire
from translations.catalog import Catalogs


def _no_detection(text: str, offered: Iterable[str]) -> str | None:
    return None


def _no_request(text: str, offered: Iterable[str]) -> str | None:
    return None


def _no_engagers(code: str) -> bool:
    return False


def _not_an_engager() -> Engaged | None:
    return None


def _no_reach(code: str) -> Reach:
    return Reach()


def _not_a_member() -> Membership | None:
    return None


def _no_invitations() -> tuple[Invitation, ...]:
    return ()


def _no_link_target(code: str) -> LinkTarget | None:
    return None


def _no_link_code() -> str | None:
    return None


def _no_letter_code(code: str) -> LetterCodeStatus | None:
    return None


def _not_selected() -> Selected | None:
    return None


def _no_registration() -> tuple[str, str] | None:
    return None


@dataclass
class Env:
    """What the engine may consult: surveys, catalogues and settings, all plain data."""

    surveys: Mapping[str, Questionnaire]
    catalogs: Catalogs = field(default_factory=Catalogs)
    default_survey: str | None = None
    versions: Mapping[tuple[str, int], Questionnaire] = field(default_factory=dict)
    detect: Callable[[str, Iterable[str]], str | None] = _no_detection
    # A message that only asks for a language ("po polsku", "Türkçe lütfen"): that language.
    requested: Callable[[str, Iterable[str]], str | None] = _no_request
    languages: tuple[str, ...] = ("en",)
    nudge_after: timedelta = timedelta(hours=24)
    expire_after: timedelta = timedelta(days=3)
    org: str = "the council"
    help_contact: str | None = None  # HELP_CONTACT; without it HELP names only the org
    safeguarding_line: str | None = None  # SAFEGUARDING_LINE, added to signposting
    opt_out: OptOutPhrases = field(default_factory=OptOutPhrases)
    call_me: OptOutPhrases = field(default_factory=OptOutPhrases)  # translations/<lang>/call.yaml
    # Peer engagers, looked up only when asked (a code given, an engager's keyword sent):
    # whether a code is an active engager's, the person writing as an engager, their reach.
    engager_code: Callable[[str], bool] = _no_engagers
    engager: Callable[[], Engaged | None] = _not_an_engager
    reach: Callable[[str], Reach] = _no_reach
    prompts: PromptPacks = field(default_factory=PromptPacks)
    # Assembly members, looked up only when asked (CALL, a YES or NO, words of distress):
    # the person writing as a member, and the sessions their reminders told them of (not
    # begun; the latest reminder's first).
    member: Callable[[], Membership | None] = _not_a_member
    invitations: Callable[[], tuple[Invitation, ...]] = _no_invitations
    # Linking a member's Telegram chat (bot/members/linking.py): the member whose live
    # one-time code this is, a fresh unused code, and the bot's @username for the SMS.
    link_target: Callable[[str], LinkTarget | None] = _no_link_target
    new_link_code: Callable[[], str | None] = _no_link_code
    telegram_bot: str | None = None
    # Per survey (bot/members/rules.yaml): answers that raise a wellbeing alert and offer
    # a call, and a nudge later than `nudge_after` (the members' check-in: 48 hours).
    # The civic lottery, looked up only when asked: what a typed registration code is
    # (bot/registrants.py), and the person writing as a registrant the lottery selected.
    letter_code: Callable[[str], LetterCodeStatus | None] = _no_letter_code
    selected: Callable[[], Selected | None] = _not_selected
    phone_region: str = "GB"  # OUTREACH_PHONE_REGION: how a registrant's phone number is read
    # The person writing as a registrant (bot/registrants.py): their status and the local
    # date (ISO) registration closes ("" when none is set); None when they are no registrant.
    registration: Callable[[], tuple[str, str] | None] = _no_registration
    low_wellbeing: Mapping[str, conditions.Condition] = field(default_factory=dict)
    nudges: Mapping[str, timedelta] = field(default_factory=dict)

    def survey(self, slug: str | None, version: int | None = None) -> Questionnaire | None:
        if slug is None:
            return None
        current = self.surveys.get(slug)
        if version is None or (current is not None and current.version == version):
            return current
        return self.versions.get((slug, version), current)

    def start_survey(self) -> Questionnaire | None:
        """The survey a first message starts: DEFAULT_SURVEY, else the residents' one."""
        default = self.surveys.get(self.default_survey or "")
        if default is not None and default.audience != REGISTRANTS:  # never without a code
            return default
        residents = [s for s in self.surveys.values() if s.audience == "residents"]
        return residents[0] if len(residents) == 1 else None

    def audience_survey(self, audience: str) -> Questionnaire | None:
        return next((s for s in self.surveys.values() if s.audience == audience), None)
