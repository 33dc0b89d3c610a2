"""The civic lottery's rehearsal (tests/lottery/test_rehearsal.py): a made-up council's
addresses file across the shipped place's wards, and made-up residents drawn roughly as the
place's published figures, each with what they would type to register on their channel in
their language; and a Town, the ways they reach the service (the Twilio and Telegram
webhooks, the web form, or `bot.conversations.handle` as those call it). The residents'
answers come from the place and the registration survey read as files, as a council
would read them, never through the code under test."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml

from bot import letter_codes
from bot.conversations import handle
from bot.messages import Delivery, Inbound
from bot.state import Start
from surveys import registry
from tests.helpers import twilio
from tests.helpers.telegram import Person
from tests.helpers.twilio import said
from tests.helpers.web_form import Browser
from translations.catalog import language_name

ROOT = Path(__file__).resolve().parents[2]
PLACE = ROOT / "assembly" / "places" / "waltham-forest.yaml"
REGISTRATION = ROOT / "surveys" / "lottery-registration.yaml"
SLUG = "lottery-registration"
LANGUAGES = ("en", "ro", "ur", "bg", "pl", "tr")
# Who registers how (shares of the whole): English half, each other language a tenth
LANGUAGE_WEIGHTS = (50, 10, 10, 10, 10, 10)
CHANNELS = ("sms", "whatsapp", "telegram", "web")
CHANNEL_WEIGHTS = (40, 20, 15, 25)
STREETS = ("Hoe Street", "Lea Bridge Road", "Forest Road", "Church Lane", "High Road",
           "Chingford Mount Road", "Markhouse Road", "Wood Street", "Grove Green Road")
# The ages 16 and over the place's five-year bands hold (its 15-19 band: 16 to 19)
AGE_FROM = 16
OLDEST = 95


@cache
def place() -> dict:
    """The shipped place file (read once: nothing changes it)."""
    return yaml.safe_load(PLACE.read_text(encoding="utf-8"))


@cache
def registration() -> dict:
    """The shipped registration survey (read once)."""
    return yaml.safe_load(REGISTRATION.read_text(encoding="utf-8"))


def wards() -> dict[str, str]:
    """The place's wards: label -> id."""
    [table] = place()["dimensions"]["ward"]
    return {c["label"]: c["id"] for c in table["categories"]}


def addresses_file(folder: Path, count: int, seed: int = 21) -> Path:
    """`count` made-up addresses (one a row, postcode and ward) spread over every ward."""
    rnd = random.Random(seed)
    labels = list(wards())
    lines = ["Address line 1,Address line 2,Postcode,Ward"]
    for i in range(count):
        ward = labels[i % len(labels)]
        lines.append(f"Flat {i % 7 + 1},{i // 7 + 1} {rnd.choice(STREETS)},"
                     f"E{rnd.choice((4, 10, 11, 17))} {i % 10}{'ABDEFG'[i % 6]}"
                     f"{'HJLNPQ'[i // 6 % 6]},{ward}")
    path = folder / "addresses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Resident:
    """A made-up resident: who they are, how they register, and the categories their
    answers stand for (the place's, as the survey's `reference:` names them)."""

    n: int
    language: str
    channel: str
    code: str  # as printed in mail-merge.csv
    letter: int
    name: str
    phone: str  # +447700900xxx (Ofcom's drama numbers)
    chat: str  # a Telegram chat id (Telegram registrants)
    age: int
    choices: dict[str, str]  # question id -> choice id
    categories: dict[str, str] = field(default_factory=dict)  # dimension -> category

    @property
    def address(self) -> str:
        """Where they write from, as the provider gives it."""
        return {"sms": self.phone, "whatsapp": f"whatsapp:{self.phone}",
                "telegram": self.chat}.get(self.channel, self.phone)


def _weights(dimension: str) -> dict[str, float]:
    """A dimension's categories and published counts (grouped where the table groups)."""
    table = place()["dimensions"][dimension][0]
    found: dict[str, float] = {}
    for c in table["categories"]:
        key = c.get("within", c["id"])
        found[key] = found.get(key, 0) + c["value"]
    return found


def _age_bands() -> list[tuple[int, int, float]]:
    """(first age, last age, people) of the place's bands from 16, by single years."""
    bands = []
    for c in place()["dimensions"]["age"][0]["categories"]:
        low, _, high = c["ages"].rstrip("+").partition("-")
        first, last = int(low), int(high) if high else OLDEST
        if last < AGE_FROM:
            continue
        share = (last - max(first, AGE_FROM) + 1) / (last - first + 1)
        bands.append((max(first, AGE_FROM), last, c["value"] * share))
    return bands


def _choice_of(survey: dict, question: str, reference: str) -> str:
    """The registration's choice whose `reference` is this category (or holds it)."""
    for q in survey["questions"]:
        if q["id"] == question:
            for c in q["choices"]:
                ref = c.get("reference")
                if ref == reference or (isinstance(ref, list) and reference in ref):
                    return c["id"]
    raise LookupError((question, reference))


def residents(letters: list[dict], count: int, pairs: int, seed: int = 400) -> list[Resident]:
    """`count` residents drawn from the place's figures (a few say nothing of themselves),
    one to a letter of mail-merge.csv except `pairs` households whose second code a second
    resident uses; each writes from their own number and chat."""
    rnd = random.Random(seed)
    survey = registration()
    by_label = wards()
    gender, ethnic, disability = (_weights(d) for d in ("gender", "ethnic_group",
                                                         "disability"))
    bands = _age_bands()
    made: list[Resident] = []
    chosen = rnd.sample(letters, count - pairs)
    homes = [(row, 1) for row in chosen] + [(row, 2) for row in chosen[:pairs]]
    for n, (row, which) in enumerate(homes):
        lo, hi, _ = rnd.choices(bands, weights=[b[2] for b in bands])[0]
        age = rnd.randint(lo, hi)
        cats = {"gender": _pick(rnd, gender, 0.02), "ethnic_group": _pick(rnd, ethnic, 0.02),
                "disability": _pick(rnd, disability, 0.02),
                "ward": by_label[row["ward"]]}
        choices = {q: (_choice_of(survey, q, cats[q]) if cats[q] else "prefer_not")
                   for q in ("gender", "ethnic_group", "disability")}
        if cats["disability"] == "disabled":
            choices["disability"] = rnd.choice(("yes_a_lot", "yes_a_little"))
        if cats["gender"] is None and rnd.random() < 0.5:
            choices["gender"] = "another"
        made.append(Resident(
            n=n, language=rnd.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0],
            channel=rnd.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
            code=row[f"code_{which}"], letter=int(row["letter"]),
            name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}-{n}",
            phone=f"+447700900{n:03d}", chat=str(880_000 + n), age=age,
            choices={**choices, "ward": cats["ward"]},
            categories={k: v or "not_stated" for k, v in cats.items()}))
    return made


def _pick(rnd: random.Random, weights: dict[str, float], silent: float) -> str | None:
    """A category by its weight, or None (prefer not to say) with chance `silent`."""
    if rnd.random() < silent:
        return None
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def age_band(age: int) -> str:
    """The registration's age choice an age falls in (the web form's radio value)."""
    [question] = [q for q in registration()["questions"] if q["id"] == "age_band"]
    for c in question["choices"]:
        low, _, high = c["ages"].rstrip("+").partition("-")
        if int(low) <= age <= (int(high) if high else OLDEST):
            return c["id"]
    raise LookupError(age)


def clicked(person: Resident) -> Iterator[str | list[str] | None]:
    """What the resident sends through the web form after agreeing: the age band's radio,
    the same words and numbers as in a chat, the dates' checkboxes; None: Skip."""
    answers = list(typed(person))
    yield age_band(person.age)
    yield from answers[1:3]
    yield answers[3].split(",")
    yield from answers[4:-1]
    yield None if answers[-1] == "SKIP" else answers[-1]


def typed(person: Resident) -> Iterator[str]:
    """What the resident types after YES, question by question (choices by their number;
    the age as a number; access needs skipped for every third)."""
    survey = registration()
    numbers = {q["id"]: {c["id"]: str(i) for i, c in enumerate(q.get("choices", []), 1)}
               for q in survey["questions"]}
    ward = person.choices["ward"]
    [(area, ward_q)] = [(q["when"].split("==")[1].strip(), q["id"])
                        for q in survey["questions"] if q.get("role") == "ward"
                        and ward in numbers[q["id"]]]
    yield str(person.age)
    yield person.name
    yield person.phone.replace("+44", "0")
    yield ",".join(str(d) for d in range(1, person.n % 3 + 2))
    for q in ("gender", "ethnic_group", "disability"):
        yield numbers[q][person.choices[q]]
    yield numbers["area"][area]
    yield numbers[ward_q][ward]
    yield "SKIP" if person.n % 3 == 0 else "Step-free access, please"


class Town:
    """The rehearsal's residents and the ways they reach the service."""

    def __init__(self, app, rt, clock, senders, telegram_api):
        self.app, self.rt, self.clock = app, rt, clock
        self.senders, self.telegram_api = senders, telegram_api
        self.client = app.test_client()
        self.ways: Counter = Counter()

    # Chats: what is typed, on which route ---------------------------------------------

    def opening(self, person: Resident) -> list[str]:
        """Their code (REGISTER and the code as printed, or the bare code as typed), their
        language's name unless English, then YES in their language."""
        code = person.code if person.n % 4 else person.code.replace("-", " ").lower()
        said = [f"REGISTER {code}" if person.n % 5 else code]
        if person.language != "en":
            said.append(language_name(person.language))
        return [*said, self.rt.catalogs.bot(person.language, "yes")]

    def twilio(self, address: str, text: str) -> list[str]:
        self.clock.advance(timedelta(seconds=20))
        return said(twilio.post(self.client, twilio.incoming(address, text)))

    def engine(self, channel: str, address: str, text: str,
               deliver: Delivery = Delivery.INLINE) -> list[str]:
        self.clock.advance(timedelta(seconds=20))
        return [r.text for r in handle(self.rt, Inbound(channel, address, text),
                                       deliver).replies]

    def chat(self, person: Resident, text: str, webhook: bool) -> list[str]:
        """One message from them on their chat channel (a web registrant: by SMS)."""
        channel = "sms" if person.channel == "web" else person.channel
        address = person.phone if person.channel == "web" else person.address
        if channel == "telegram" and webhook:
            return [m["text"] for m in self.telegram(person).send(text)]
        if webhook:
            return self.twilio(address, text)
        return self.engine(channel, address, text)

    def telegram(self, person: Resident) -> Person:
        return Person(self.client, self.rt, self.senders, self.clock, self.telegram_api,
                      chat=person.chat, lang=person.language)

    # Registering -------------------------------------------------------------------------

    def register(self, person: Resident, webhook: bool) -> str:
        """Register them; the last thing they were told."""
        self.ways[webhook and "webhook" or "engine", person.channel] += 1
        if person.channel == "web":
            return self.web(person) if webhook else self.web_engine(person)
        if person.channel == "telegram" and webhook:
            bot = self.telegram(person)
            bot.send(f"/start {letter_codes.read(person.code)}")  # the letter's t.me link
            replies = bot.tap(self.rt.catalogs.bot(person.language, "yes"))
            for answer in typed(person):
                replies = bot.send(answer)
            return replies[-1]["text"]
        for text in [*self.opening(person), *typed(person)]:
            replies = self.chat(person, text, webhook)
        return replies[-1]

    def web(self, person: Resident) -> str:
        """The web form from the letter's QR code, in their language."""
        browser = Browser(self.app)
        code = letter_codes.read(person.code)
        page = browser.open(f"/s/{SLUG}?code={code}&lang={person.language}")
        assert page.html_attrs["lang"] == person.language
        page = browser.send("1")  # I agree
        for answer in clicked(person):
            self.clock.advance(timedelta(seconds=20))
            page = browser.send(skip=True) if answer is None else browser.send(answer)
        return page.said[-1]

    def web_engine(self, person: Resident) -> str:
        """What the web form hands the engine for them: the start with the letter's code
        and their language, "1" (I agree), then each form as text (the web's Inbounds)."""
        token = f"rehearsal-web-{person.n}"
        start = Start(survey=SLUG, letter=letter_codes.read(person.code))
        handle(self.rt, Inbound("web", token, "", provider_id=f"{token}.start",
                                lang_hint=person.language, start=start), Delivery.SHOWN)
        for answer in ["1", *clicked(person)]:
            text = ("SKIP" if answer is None else ",".join(answer) if isinstance(answer, list)
                    else answer)
            replies = self.engine("web", token, text, Delivery.SHOWN)
        return replies[-1]

    # Confirming --------------------------------------------------------------------------

    def answer(self, person: Resident, yes: bool) -> list[str]:
        """YES or NO in their language, on the channel they were asked on, by webhook."""
        word = self.rt.catalogs.bot(person.language, "yes" if yes else "no")
        if person.channel == "whatsapp":  # the template reached them: the question first
            [again] = self.chat(person, "GO", webhook=True)
            assert again.startswith(self.rt.catalogs.bot(
                person.language, "selection/again", days="\0", by="\0", contact="\0"
            ).split("\0")[0])
        return self.chat(person, word, webhook=True)


def outro(rt, lang: str) -> str:
    with rt.sessions() as session:
        survey = registry.current(session)[SLUG]
    return rt.catalogs.text([lang], f"{SLUG}/outro", survey.outro)


FIRST = ("Ada", "Bogdan", "Asma", "Dimitar", "Zofia", "Emre", "Grace", "Kwame", "Priya",
         "Ioana", "Marek", "Ayse", "Tom", "Fatima", "Nikolai", "Chloe")
LAST = ("Okafor", "Popescu", "Siddiqui", "Petrov", "Nowak", "Yilmaz", "Smith", "Mensah",
        "Shah", "Ionescu", "Kowalski", "Demir", "Brown", "Khan", "Georgiev", "Taylor")
