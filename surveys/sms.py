"""Each survey message as a text channel sends it, and a warning when one costs too many
SMS parts in some language (`outreach surveys check` prints them)."""

from __future__ import annotations

from pathlib import Path

from surveys.model import Questionnaire
from surveys.reader import Problem, plain, read_file, text_lines
from surveys.validation import validate
from translations import segments
from translations.catalog import Catalogs

SMS_PARTS = 3  # the most SMS parts one survey message may cost, in any language


def messages(survey: Questionnaire, lang: str, catalogs: Catalogs) -> list[tuple[str, str]]:
    """Each survey message as a text channel sends it in `lang` (context, text): intro,
    consent, outro, and each question with its note and options, numbered but at an age
    question (as bot/plaintext.py renders them; a test keeps the two in step)."""
    def text(context: str, source: str) -> str:
        return catalogs.text([lang, survey.language], f"{survey.slug}/{context}", source)

    sent = [(k, text(k, v)) for k in ("intro", "consent", "outro", "screen_out")
            if (v := getattr(survey, k))]
    yes_no = [catalogs.bot(lang, "yes"), catalogs.bot(lang, "no")]
    for q in survey.questions:
        lines = [text(q.id, q.text)] + ([catalogs.bot(lang, "optional")] if q.optional else [])
        labels = ([text(f"{q.id}/{c.id}", c.text) for c in q.choices] if q.choices
                  else yes_no if q.type == "yesno" else [])
        if q.role == "age" and q.choices:  # a number is an age: the bands go unnumbered
            lines += [catalogs.bot(lang, "hint/age-how"), *labels]
        else:
            lines += [f"{n} {label}" for n, label in enumerate(labels, start=1)]
        sent.append((q.id, "\n".join(lines)))
    return [(f"{survey.slug}/{context}", message) for context, message in sent]


def sms_warnings(path: Path | str, catalogs: Catalogs) -> list[Problem]:
    """A warning for each survey message that costs more than SMS_PARTS in a language."""
    data, problems = read_file(path)
    if problems or validate(data, str(path), catalogs):
        return []
    survey = Questionnaire.from_definition(plain(data))
    lines = text_lines(data)
    found = []
    for lang in survey.languages:
        for context, message in messages(survey, lang, catalogs):
            parts = segments.count(message)
            if parts > SMS_PARTS:
                found.append(Problem(str(path), lines.get(context, data.line),
                                     f"warning: {context} takes {parts} SMS parts in '{lang}' "
                                     f"({len(message)} characters, {segments.encoding(message)}"
                                     f"); keep it within {SMS_PARTS}"))
    return found
