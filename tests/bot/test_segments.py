"""SMS parts: GSM-7 160 / 153, UCS-2 70 / 67."""

import pytest

from bot import engine, segments
from bot import plaintext as text_render
from bot.state import Person, Run, State
from tests.helpers.surveys import make_env


@pytest.mark.parametrize("text, encoding, parts", [
    ("", "GSM-7", 1),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1),        # extension characters count twice
    ("€" * 81, "GSM-7", 2),
    ("Reply 'YES'", "GSM-7", 1),
    ("Reply ‘YES’", "UCS-2", 1),   # curly quotes are outside GSM-7
    ("ș" * 70, "UCS-2", 1),
    ("ș" * 71, "UCS-2", 2),
    ("ș" * 134, "UCS-2", 2),
    ("ș" * 135, "UCS-2", 3),
    ("😀" * 35, "UCS-2", 1),       # outside the BMP: two units each
    ("😀" * 36, "UCS-2", 2),
    ("آپ کا شکریہ", "UCS-2", 1),
])
def test_encoding_and_parts(text, encoding, parts):
    assert segments.encoding(text) == encoding
    assert segments.count(text) == parts


def test_english_survey_texts_stay_gsm7():
    env = make_env()
    for survey in env.surveys.values():
        for context, source in survey.texts():
            assert segments.encoding(source) == "GSM-7", context


LONG_LISTS = {"ward", "ethnic_group"}  # 22 wards and the census groups cannot fit


def test_each_english_question_fits_one_sms():
    env = make_env()
    for survey in env.surveys.values():
        for question in survey.questions:
            state = State(Person("en"), Run(survey=survey.slug, version=survey.version,
                                             step="question", question=question.id))
            [reply] = engine.prompt(state, env)
            parts = segments.count(text_render.render(reply))
            assert parts == 1 or question.id in LONG_LISTS, (survey.slug, question.id, parts)
