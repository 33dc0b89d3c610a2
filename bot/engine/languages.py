"""Languages in a conversation: LANG's menu and its answer, a language asked for by name
("po polsku"), the language of a person's words, and the guess on first contact."""

from __future__ import annotations

from bot import answers
from bot.engine.asking import prompt
from bot.engine.turn import Message, Turn
from bot.state import LanguageChanged, Option
from surveys.model import Questionnaire
from translations.catalog import language_name, language_names
from translations.texts import BOT

LINGUA_FRANCA = "en"  # "Stop please" from a Polish speaker: their language stays theirs


def language_options(turn: Turn) -> tuple[Option, ...]:
    """The offered languages, each in its own name (LANG's menu)."""
    return tuple(Option(lang, language_name(lang)) for lang in turn.offered())


def pick_language(turn: Turn, message: Message) -> bool:
    """The answer to LANG's menu: its number, code or name. Another keyword is not an answer
    (False: carry on); anything else shows the menu again."""
    if turn.run.interrupt != "language":
        return False
    norm = message.norm
    options = language_options(turn)
    chosen = None
    if norm.isdigit() and 1 <= int(norm) <= len(options):
        chosen = options[int(norm) - 1].id
    for option in options:  # its number, or its code
        if norm == option.id:
            chosen = option.id
    chosen = chosen or named_language(turn, norm)
    if chosen is None:
        if message.keyword is not None:
            return False  # another keyword: handle it instead
        turn.say(turn.bot("language-hint"), options)
        return True
    turn.run.interrupt = None
    set_language(turn, chosen)
    turn.say(turn.bot("language-set"))
    prompt(turn)
    return True


def named_language(turn: Turn, norm: str) -> str | None:
    """The offered language whose name this is, in itself, English or theirs."""
    for lang in turn.offered():
        if norm in {answers.fold(name) for name in language_names(lang, "en", turn.lang)}:
            return lang
    return None


def language_request(turn: Turn, text: str) -> bool:
    """A message that only asks for a language (its name, "po polsku", "Türkçe
    lütfen"), where it cannot be an answer: that language from now on, and the step
    asked again in it. False if the message is something else."""
    lang = named_language(turn, answers.fold(text)) or turn.env.requested(
        text, turn.offered())
    if lang is None:
        return False
    set_language(turn, lang)
    turn.say(turn.bot("language-set"))
    prompt(turn)
    return True


def set_language(turn: Turn, lang: str) -> None:
    """Their language from now on (an effect only when it changes)."""
    if lang != turn.state.contact.language:
        turn.state.contact.language = lang
        turn.effects.append(LanguageChanged(lang))


def words_language(turn: Turn, lang: str | None) -> None:
    """The language a person's words were in becomes theirs — unless it is English,
    which anyone uses for a keyword ("stop please", "no"), and theirs is known."""
    if lang in turn.env.languages and (turn.lang is None or lang != LINGUA_FRANCA):
        set_language(turn, lang)


def language_of_word(turn: Turn, key: str, word: str) -> None:
    """A word of one offered language only ("nie", "hayır"): that language becomes
    theirs, as opt-out words do, so the reply is in it."""
    owners = [lang for lang in turn.offered() if word in {
        answers.fold(w) for w in turn.env.catalogs.text([lang], f"bot/{key}",
                                                        BOT[key]).split()}]
    if len(owners) == 1:
        words_language(turn, owners[0])


def first_language(turn: Turn, text: str, survey: Questionnaire,
                   hint: str | None = None) -> None:
    """On first contact only: a confident guess from what the person wrote (it beats a
    phone set to English), else the channel's hint, else the survey's language."""
    if turn.state.contact.language is not None:
        return
    guess = turn.env.detect(text, survey.languages) if text else None
    hinted = hint if hint in survey.languages else None
    set_language(turn, guess or hinted or survey.language)


def first_words(turn: Turn, text: str, hint: str | None, matched: str | None) -> None:
    """On first contact, before a reply that cannot wait for the survey (signposting): the
    language of the safeguarding patterns their words matched (`matched`: right for every
    held-out disclosure, where the guess from the words is wrong or unsure for one in five),
    else `first_language`'s guess, else the channel's hint; nothing when no offered language
    fits (the survey's own then comes with the survey)."""
    if turn.state.contact.language is not None:
        return
    offered = turn.offered()
    guess = turn.env.detect(text, offered) if text else None
    lang = next((x for x in (matched, guess, hint) if x in offered), None)
    if lang is not None:
        set_language(turn, lang)
