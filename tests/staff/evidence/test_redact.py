"""Quotes are cleared of phone numbers (UK and international, however spaced), e-mail
addresses, postcodes, street addresses and names, and nothing else is touched."""

from __future__ import annotations

import time

import pytest

from staff.evidence import redact
from staff.evidence.redact import Redactor
from staff.evidence.redaction_rules import CATEGORIES

PHONE = redact.PHONE_MARK


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor.load(known_names=["Zara Okafor", "Kacper Nowak"])


@pytest.mark.parametrize("number", [
    # UK mobiles, every spacing people type
    "07700 900123", "07700900123", "07700 900 123", "0770 090 0123", "077-009-001-23",
    "07700.900.123", "07700/900123", "0 7 7 0 0 9 0 0 1 2 3", "07700  -  900123",
    "(07700) 900123",
    # UK landlines
    "020 7946 0123", "(020) 7946 0123", "02079460123", "0113 496 0123", "01632 960123",
    "7946 0123",
    # +44 and 0044
    "+44 7700 900123", "+447700900123", "+44 (0)7700 900123", "+44 (0)20 7946 0123",
    "0044 7700 900 123", "00 44 7700 900123", "0044-20-7946-0123",
    # international
    "+40 721 234 567", "+48 512 345 678", "+48512345678", "+90 532 123 45 67",
    "+92 300 1234567", "0092 300 1234567", "+359 88 123 4567", "+1 (555) 010-9999",
])
def test_phone_numbers_are_removed_however_written(redactor, number):
    said = f"text me on {number} after 6"
    assert redactor.redact(said) == f"text me on {PHONE} after 6"


def test_a_telegram_chat_id_is_removed(redactor):
    assert redactor.redact("my telegram is 7012345678") == f"my telegram is {PHONE}"


@pytest.mark.parametrize("kept", [
    "I have lived here 25 years since 1998",
    "Between 2019 and 2023 it got worse",
    "I have 3 kids and 2 dogs",
    "I'd give them 4 out of 5",
    "Call 999 in an emergency and 101 otherwise",
    "It costs £100 a month and 2 buses",
])
def test_numbers_that_are_not_phone_numbers_stay(redactor, kept):
    assert redactor.redact(kept) == kept


@pytest.mark.parametrize(("said", "shown"), [
    ("mail me at jo.bloggs+x@example.co.uk thanks", "mail me at [e-mail removed] thanks"),
    ("JO@EXAMPLE.COM", "[e-mail removed]"),
    ("jo (at) gmail (dot) com", "[e-mail removed]"),
    ("ania[at]example[dot]pl please", "[e-mail removed] please"),
])
def test_email_addresses_are_removed(redactor, said, shown):
    assert redactor.redact(said) == shown


@pytest.mark.parametrize(("said", "shown"), [
    ("near E17 4AB", "near [postcode removed]"),
    ("near e174ab", "near [postcode removed]"),
    ("IG8 0AB is mine", "[postcode removed] is mine"),
    ("E10 5NP.", "[postcode removed]."),
    ("I live in E17", "I live in E17"),  # a district, shared by tens of thousands
])
def test_postcodes_are_removed(redactor, said, shown):
    assert redactor.redact(said) == shown


@pytest.mark.parametrize(("said", "shown"), [
    ("I live at 12 Hoe Street", "I live at [address removed]"),
    ("Flat 3, 45 Markhouse Road is mine", "[address removed] is mine"),
    ("dealing outside 14a Church Hill every night",
     "dealing outside [address removed] every night"),
    ("mieszkam na Hoe Street 12", "mieszkam na [address removed]"),
    ("flat 7 above the shop", "[address removed] above the shop"),
    ("3 kids on the road", "3 kids on the road"),
    ("More police on Hoe Street please", "More police on Hoe Street please"),
])
def test_street_addresses_are_removed_but_a_street_alone_stays(redactor, said, shown):
    assert redactor.redact(said) == shown


@pytest.mark.parametrize(("said", "shown"), [
    ("My name is John Smith and I live here", "My name is [name removed] and I live here"),
    ("my name is john and I'm scared", "my name is [name removed] and I'm scared"),
    ("my names Dave", "my names [name removed]"),
    ("PC Dave Jones was kind", "PC [name removed] was kind"),
    ("Nazywam się Anna Kowalska", "Nazywam się [name removed]"),
    ("mă numesc Maria", "mă numesc [name removed]"),
    ("Benim adım Ayşe", "Benim adım [name removed]"),
    ("Казвам се Иван", "Казвам се [name removed]"),
    ("میرا نام احمد ہے", "میرا نام [name removed] ہے"),
    ("Zara told me about it", "[name removed] told me about it"),
    ("zara okafor shared it", "[name removed] shared it"),
    ("KACPER sent it", "[name removed] sent it"),
])
def test_names_introduced_or_known_are_removed(redactor, said, shown):
    assert redactor.redact(said) == shown


def test_what_name_redaction_cannot_catch(redactor):
    """A first name on its own is not recognised: documented, and why a person reads the
    quotes (docs/evidence-pack.md)."""
    assert redactor.redact("ask Kemal at the shop") == "ask Kemal at the shop"


def test_everything_at_once(redactor):
    said = ("My name is Tom Lee, ring 07700 900123 or +44 20 7946 0000, "
            "tom@example.org, 5 Oak Road E17 9AA")
    assert redactor.redact(said) == (
        "My name is [name removed], ring [phone number removed] or [phone number removed], "
        "[e-mail removed], [address removed] [postcode removed]")


def test_a_broken_redaction_file_is_reported(tmp_path):
    for lang in ("en", "pl"):
        (tmp_path / lang).mkdir()
    (tmp_path / "en" / "redaction.yaml").write_text(
        "language: en\nnot_names: [and]\nsurname: x\n"
        "introductions: {phrases: [my name is], must: [[\"my name is Bob\", \"x\"]]}\n")
    (tmp_path / "pl" / "redaction.yaml").write_text("language: ro\nnot_names: [i]\n")
    _, problems = redact.read(tmp_path)
    text = "\n".join(problems)
    assert "en/redaction.yaml: unknown key 'surname'" in text
    assert "en/redaction.yaml: introductions: must_not must list" in text
    assert "en/redaction.yaml: kinship: missing" in text
    assert "pl/redaction.yaml: language must be 'pl'" in text


def _one_file(tmp_path, kinship: str) -> None:
    """A valid en/redaction.yaml whose every category but kinship has a phrase-less
    example."""
    sections = "".join(f"{c}: {{must: [[a, a]], must_not: [b]}}\n"
                       for c in CATEGORIES if c not in ("kinship", "contacts"))
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "redaction.yaml").write_text(
        f"language: en\nnot_names: [and]\n{sections}kinship: {kinship}\n", encoding="utf-8")


def test_an_example_the_rules_miss_is_reported(tmp_path):
    _one_file(tmp_path, '{phrases: [my son], must: [["my boy Bob", "my boy [name removed]"]],'
                        ' must_not: ["my son Bob"]}')
    _, problems = redact.read(tmp_path)
    assert problems == [
        f"{tmp_path / 'en' / 'redaction.yaml'}: kinship: must 'my boy Bob' gives 'my boy Bob', "
        "not 'my boy [name removed]'",
        f"{tmp_path / 'en' / 'redaction.yaml'}: kinship: must_not 'my son Bob' gives "
        "'my son [name removed]'"]


def test_a_redaction_file_with_every_example_right_loads(tmp_path):
    _one_file(tmp_path, '{phrases: [my son], must: [["my son Bob", "my son [name removed]"]],'
                        ' must_not: ["my son and I"]}')
    assert Redactor.load(directory=tmp_path).redact("my son Bob") == "my son [name removed]"


# Children's details (issue 18): each as the resident typed it, and what is shown -----------

@pytest.mark.parametrize(("said", "shown"), [
    ("my son Jayden got stopped again", "my son [name removed] got stopped again"),
    ("I'm Aisha Begum from Cathall Road", "I'm [name removed] from [address removed]"),
    ("i'm from cathall road", "i'm from [address removed]"),
    ("my daughter Amelia (12) goes to Walthamstow Academy",
     "my daughter [name removed] goes to [school removed]"),
    ("my daughter Amelia, 12, goes to St Mary's Primary",
     "my daughter [name removed], goes to [school removed]"),
    ("insta @jaydenx_17", "insta [handle removed]"),
    ("snap: jaydenx", "snap: [handle removed]"),
    ("jo at example dot com", "[e-mail removed]"),
    ("seven seven zero zero nine zero zero one two three", "[phone number removed]"),
    ("seventy seven double oh nine hundred one two three", "[phone number removed]"),
    ("call me on Monday", "call me on Monday"),
    ("Mrs Begum at number 12", "Mrs [name removed] [address removed]"),
    ("my son Jayden (12) and Jayden's friend", "my son [name removed] and [name removed]'s friend"),
])
def test_childrens_details_are_removed(redactor, said, shown):
    assert redactor.redact(said) == shown


@pytest.mark.parametrize("kept", [
    "call me on Monday", "the police never came", "crime on the High Road is getting worse",
    "More police on Hoe Street please", "my son goes to school by bus",
    "I saw it on instagram", "I was at home, right on the dot",
    "one or two officers, three at most",
])
def test_ordinary_sentences_stay(redactor, kept):
    assert redactor.redact(kept) == kept


@pytest.mark.parametrize(("said", "shown"), [
    ("ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "[e-mail removed]"),
    ("０７７００ ９００１２３", "[phone number removed]"),
    ("07700\u200b900123", "[phone number removed]"),
    ("write to jo@example.com.Then call", "write to [e-mail removed].Then call"),
    ("write to jo@example.com. Then call", "write to [e-mail removed]. Then call"),
])
def test_odd_unicode_is_normalised_and_an_email_ends_before_a_sentence(redactor, said, shown):
    assert redactor.redact(said) == shown


def test_redaction_is_fast(redactor):
    """About half a millisecond a quote: the pack redacts thousands, an export every cell."""
    said = ["I'm Aisha from Cathall Road, my son Jayden (12) goes to Walthamstow Academy",
            "the police should patrol the park more often at night, we never see them"] * 250
    started = time.perf_counter()
    for text in said:
        redactor.redact(text)
    assert (time.perf_counter() - started) / len(said) < 0.005
