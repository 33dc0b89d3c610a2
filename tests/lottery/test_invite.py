"""`outreach lottery invite` (lottery/invite.py, lottery/addresses.py) as a council runs it:
the addresses file read whatever a spreadsheet saved, every bad row reported by line and
nothing drawn; a draw anyone can repeat from the seed, uniform across wards; codes drawn
with `secrets`, never rude, stored only as keyed hashes; mail-merge.csv for Excel."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot import letter_codes
from bot.youth import Blocklist
from lottery import addresses
from lottery.invite import fresh_codes
from store.db import transaction
from store.models import Draw, Letter, LetterCode
from surveys import registry
from tests.helpers.cli import outreach
from tests.helpers.db import count, rows

REGISTRATION = Path(__file__).resolve().parents[1] / "data" / "surveys" / \
    "letters-registration.yaml"
WARDS = ("Cann Hall", "Hale End & Highams Park South", "Leyton", "Markhouse", "Wood Street")
HEADER = "Address_1,address line 2,Postcode,WARD,UPRN"


@pytest.fixture
def registration(rt):
    """A made-up registration survey (audience registrants, keyword REGISTER), loaded."""
    with transaction(rt.sessions) as session:
        registry.load_definition(session, yaml.safe_load(REGISTRATION.read_text("utf-8")))
    return "join-the-panel"


def addresses_file(folder: Path, n: int, *extra: str, seed: int = 7) -> Path:
    """A made-up council file of `n` addresses across WARDS, and `extra` rows after
    (`{ward}` in them: the first address's ward)."""
    rnd = random.Random(seed)
    made = [f"Flat {i % 9 + 1},{i} Hoe Street,E17 {i % 9}QR,{rnd.choice(WARDS)},{100000 + i}"
            for i in range(n)]
    ward = made[0].split(",")[3]
    lines = [HEADER, *made, *(row.format(ward=ward) for row in extra)]
    path = folder / "addresses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def invite(app, path: Path, out: Path, letters: int = 5, seed: str = "17 42 8 31", *more):
    return outreach(app, "lottery", "invite", str(path), "--letters", str(letters),
                    "--seed", seed, "--out", str(out), *more)


def mail_merge(out: Path) -> list[dict]:
    with (out / "mail-merge.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_draw_writes_both_files_and_stores_only_hashes(app, rt, registration, tmp_path):
    path = addresses_file(tmp_path, 40, "flat 1, 0 HOE  street ,e17 0qr,{ward},")
    result = invite(app, path, tmp_path / "out", 6)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("draw 1: 6 letters to 6 of 40 addresses, 12 codes (2 a letter); "
                        "registration closes 2027-02-28")
    assert "note: 1 row(s) repeated an address and counted once" in lines
    assert "note: columns not used: UPRN" in lines
    assert lines[-2:] == [str(tmp_path / "out" / "mail-merge.csv"),
                          str(tmp_path / "out" / "letters.html")]
    merged = mail_merge(tmp_path / "out")
    assert list(merged[0]) == ["letter", "Address_1", "address line 2", "postcode", "ward",
                               "code_1", "web_1", "sms_1", "code_2", "web_2", "sms_2"]
    assert [r["letter"] for r in merged] == ["1", "2", "3", "4", "5", "6"]
    row = merged[0]
    plain = letter_codes.read(row["code_1"])
    assert row["code_1"] == letter_codes.shown(plain) and len(row["code_1"]) == 11
    assert row["web_1"] == f"https://outreach.example.org/s/{registration}?code={plain}"
    assert row["sms_1"] == f"Text REGISTER {row['code_1']} to +44 7700 900123"

    draw = rows(rt, Draw)[0]
    assert (draw.seed, draw.addresses, draw.letters, draw.per_household) == (
        "17 42 8 31", 40, 6, 2)
    assert draw.source_digest == hashlib.sha256(path.read_bytes()).hexdigest()
    # the end of 28 February in London (GMT then), stored UTC
    assert draw.closes_at == datetime(2027, 2, 28, 23, 59, 59, tzinfo=UTC)
    letters = rows(rt, Letter, order=Letter.number)
    assert [(x.number, x.ward) for x in letters] == [(int(r["letter"]), r["ward"])
                                                     for r in merged]
    codes = [letter_codes.read(r[f"code_{n}"]) for r in merged for n in (1, 2)]
    assert len(set(codes)) == 12
    assert {c.code_hash for c in rows(rt, LetterCode)} == {
        letter_codes.digest("test-secret", c) for c in codes}
    if rt.settings.database_url.startswith("sqlite:///"):  # the database file itself
        stored = Path(rt.settings.database_url.removeprefix("sqlite:///")).read_bytes()
        assert not [c for c in codes if c.encode() in stored
                    or letter_codes.shown(c).encode() in stored]


def test_the_same_seed_draws_the_same_addresses_with_new_codes(app, registration, tmp_path):
    path = addresses_file(tmp_path, 60)
    for out, seed in (("a", "2027 lottery: 5 19 23"), ("b", "2027 lottery: 5 19 23"),
                      ("c", "another seed")):
        assert invite(app, path, tmp_path / out, 10, seed).exit_code == 0
    a, b, c = (mail_merge(tmp_path / out) for out in "abc")
    drawn = [[(r["Address_1"], r["address line 2"]) for r in m] for m in (a, b, c)]
    assert drawn[0] == drawn[1] and drawn[0] != drawn[2]
    assert not {r["code_1"] for r in a} & {r["code_1"] for r in b}  # codes: never the seed's


def test_anyone_can_repeat_the_draw_from_the_seed_and_the_file(tmp_path):
    """The documented rule, written again from its words alone (lottery/addresses.py)."""
    import hmac
    import re

    path = addresses_file(tmp_path, 30, "flat 1, 0 Hoe Street ,e17 0qr,{ward},")
    seed = "4 8 15 16 23 42"

    def key(cells):
        parts = [re.sub(r"[^0-9A-Z]+", " ", c.upper()).strip() for c in cells]
        return " | ".join([*filter(None, parts[:-1]), parts[-1].replace(" ", "")])

    with path.open(encoding="utf-8") as fh:
        keys = list(dict.fromkeys(key(r[:3]) for r in list(csv.reader(fh))[1:]))
    again = sorted(keys, key=lambda k: hmac.new(seed.encode(), k.encode(),
                                                "sha256").hexdigest())[:12]
    read = addresses.read_file(path)
    assert len(keys) == len(read.rows) == 30
    assert [a.key for a in addresses.draw(read.rows, seed, 12)] == again


def test_the_draw_is_uniform_across_wards():
    """20,000 made-up addresses in wards of very different sizes: each ward's share of
    5,000 letters is within four standard errors of its share of addresses."""
    rnd = random.Random(2027)
    sizes = {"A": 8000, "B": 5000, "C": 4000, "D": 2000, "E": 800, "F": 200}
    made = [addresses.Address(n, (f"{n} Long Road",), f"E{n % 20} 1AA", ward,
                              addresses.key((f"{n} Long Road",), f"E{n % 20} 1AA"))
            for n, ward in enumerate(w for w, k in sizes.items() for _ in range(k))]
    rnd.shuffle(made)
    total, letters = len(made), 5000
    for seed in ("one seed", "another"):
        drawn = addresses.draw(made, seed, letters)
        assert len({a.key for a in drawn}) == letters
        got = Counter(a.ward for a in drawn)
        for ward, size in sizes.items():
            p = size / total
            sd = (letters * p * (1 - p) * (total - letters) / (total - 1)) ** 0.5
            assert abs(got[ward] - letters * p) < 4 * sd, (seed, ward, got[ward])


def test_every_bad_row_is_reported_by_line_and_nothing_is_drawn(app, rt, registration,
                                                                 tmp_path):
    path = addresses_file(tmp_path, 3, ",,E17 5QR,Leyton,", "Flat 1,9 Hoe Street,,Leyton,",
                          "Flat 1,9 Hoe Street,E17 5QR,,",
                          "Flat 1,0 Hoe Street,E17 0QR,St James,",
                          "Flat 2,9 Hoe Street,E17 9QR,Leytn,",
                          "Flat 3,9 Hoe Street,E17 9QR,hale end and highams park,")
    result = invite(app, path, tmp_path / "out", 2)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:5: the address is missing",
        f"{path}:6: the postcode is missing",
        f"{path}:7: the ward is missing",
        f"{path}:8: the same address as line 2, but in ward 'St James', not "
        f"'{first_ward(path)}'",
        f"{path}:9: 'Leytn' is not a ward of London Borough of Waltham Forest: the nearest "
        "is 'Leyton'",
        f"{path}:10: 'hale end and highams park' is not a ward of London Borough of Waltham "
        "Forest: the nearest is 'Hale End & Highams Park South'",
        f"{path}: nothing drawn"]
    assert count(rt, Draw) == 0 and not (tmp_path / "out").exists()


def test_wards_are_the_places_whatever_the_case_spaces_or_punctuation(app, rt, registration,
                                                                     tmp_path):
    """A ward as the council's export spells it is stored (and merged) as the place labels
    it, so that the staff page counts one ward once."""
    path = tmp_path / "addresses.csv"
    path.write_text("address,postcode,ward\n1 Hoe Street,E17 1QR,st. james\n"
                    "2 Hoe Street,E17 1QR,HALE END & HIGHAMS PARK SOUTH\n"
                    "3 Hoe Street,E17 1QR,lea_bridge\n", encoding="utf-8")
    result = invite(app, path, tmp_path / "out", 3)
    assert result.exit_code == 0, result.output
    assert sorted(x.ward for x in rows(rt, Letter)) == [
        "Hale End & Highams Park South", "Lea Bridge", "St James"]
    assert sorted(r["ward"] for r in mail_merge(tmp_path / "out")) == [
        "Hale End & Highams Park South", "Lea Bridge", "St James"]


def test_a_post_town_is_an_address_line_after_the_others(app, rt, registration, tmp_path):
    """Councils' exports name it Town or Post Town: the letter goes nowhere without it."""
    path = tmp_path / "addresses.csv"
    path.write_text("UPRN;Address line 1;Address line 2;Post Town;Postcode;Ward\n"
                    "100001;Flat 1;12 Hoe Street;LONDON;E17 4AB;Leyton\n", encoding="utf-8")
    result = invite(app, path, tmp_path / "out", 1)
    assert result.exit_code == 0, result.output
    assert "note: columns not used: UPRN" in result.output.splitlines()
    [row] = mail_merge(tmp_path / "out")
    assert list(row)[:5] == ["letter", "Address line 1", "Address line 2", "Post Town",
                             "postcode"]
    assert (row["Address line 1"], row["Address line 2"], row["Post Town"]) == (
        "Flat 1", "12 Hoe Street", "LONDON")
    html = "".join((tmp_path / "out" / "letters.html").read_text().split())
    assert "<p>12HoeStreet</p><p>LONDON</p><p>E174AB</p>" in html
    for name in ("Town", "post_town", "City", "Locality"):
        path.write_text(f"address,{name},postcode,ward\n1 Hoe Street,London,E17 1QR,Leyton\n",
                        encoding="utf-8")
        read = addresses.read_file(path)
        assert read.rows[0].lines == ("1 Hoe Street", "London") and read.ignored == ()
    path.write_text("address,town,postcode,ward\n,London,E17 1QR,Leyton\n", encoding="utf-8")
    with pytest.raises(addresses.AddressError, match="line 2: the address is missing"):
        addresses.read_file(path)


def first_ward(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        return list(csv.reader(fh))[1][3]


def test_a_file_without_its_columns_says_which(app, registration, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("street,postcode\n1 Hoe Street,E17 1QR\n", encoding="utf-8")
    result = invite(app, path, tmp_path / "out", 1)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:1: the columns must include address lines (address_1, address_2, ...), "
        "ward (found: street, postcode)")


def test_excel_files_in_windows_1252_with_semicolons_and_a_bom_are_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("ADDRESS LINE 1;Line2;PostCode;Ward\r\n"
                     "Flat 1;12 Rue Émile;E17 1QR;Hale End\r\n".encode("cp1252"))
    read = addresses.read_file(path)
    assert read.columns == ("ADDRESS LINE 1", "Line2")
    assert read.rows[0].lines == ("Flat 1", "12 Rue Émile") and read.rows[0].ward == "Hale End"
    path.write_bytes("\ufeffaddress,postcode,ward\n\"1 Hoe Street, Walthamstow\",E17 1QR,"
                     "Leyton\n".encode())
    assert addresses.read_file(path).rows[0].lines == ("1 Hoe Street, Walthamstow",)


def test_more_letters_than_addresses_is_a_clear_error(app, rt, registration, tmp_path):
    path = addresses_file(tmp_path, 8, "Flat 1,0 Hoe Street,E17 0QR,{ward},")
    result = invite(app, path, tmp_path / "out", 9)
    assert result.exit_code == 1
    assert ("9 letters asked for, but the file holds only 8 distinct addresses: ask for at "
            "most 8") in result.output
    assert count(rt, Draw) == 0


def test_a_telegram_bot_gives_each_code_its_start_link(app, rt, registration, tmp_path):
    """With the bot's username set, each code also opens the registration on Telegram
    (`/start CODE`), on the letter and in the mail merge; without it, neither has one."""
    rt.settings = dataclasses.replace(rt.settings, telegram_bot_username="@TinyBoroughBot")
    result = invite(app, addresses_file(tmp_path, 5), tmp_path / "out", 2)
    assert result.exit_code == 0, result.output
    merged = mail_merge(tmp_path / "out")
    assert list(merged[0])[-8:] == ["code_1", "web_1", "sms_1", "telegram_1",
                                    "code_2", "web_2", "sms_2", "telegram_2"]
    html = (tmp_path / "out" / "letters.html").read_text(encoding="utf-8")
    for row in merged:
        for n in (1, 2):
            plain = letter_codes.read(row[f"code_{n}"])
            assert row[f"telegram_{n}"] == f"https://t.me/TinyBoroughBot?start={plain}"
            assert f'<bdi dir="ltr">t.me/TinyBoroughBot?start={plain}</bdi>' in html


def test_letters_are_refused_with_links_to_this_machine(app, rt, registration, tmp_path):
    path = addresses_file(tmp_path, 5)
    rt.settings = dataclasses.replace(rt.settings, public_base_url="http://127.0.0.1:5000")
    result = invite(app, path, tmp_path / "out", 2)
    assert result.exit_code == 1
    assert "127.0.0.1 is this machine" in result.output and "--allow-local" in result.output
    assert not (tmp_path / "out").exists()
    rehearsal = invite(app, path, tmp_path / "out", 2, "s", "--allow-local")
    assert rehearsal.exit_code == 0, rehearsal.output
    assert mail_merge(tmp_path / "out")[0]["web_1"].startswith("http://127.0.0.1:5000/s/")


def test_files_of_an_earlier_draw_are_never_overwritten(app, rt, registration, tmp_path):
    path = addresses_file(tmp_path, 5)
    assert invite(app, path, tmp_path / "out", 2).exit_code == 0
    before = (tmp_path / "out" / "mail-merge.csv").read_bytes()
    again = invite(app, path, tmp_path / "out", 2)
    assert again.exit_code == 1 and "choose another --out" in again.output
    assert (tmp_path / "out" / "mail-merge.csv").read_bytes() == before
    assert count(rt, Draw) == 1


def test_without_a_registration_survey_nothing_is_drawn(app, rt, tmp_path):
    result = invite(app, addresses_file(tmp_path, 5), tmp_path / "out", 2)
    assert result.exit_code == 1 and "no registration survey is loaded" in result.output
    assert count(rt, Draw) == 0 and not (tmp_path / "out").exists()


def test_a_closing_date_given_is_kept_and_a_past_one_refused(app, rt, registration, tmp_path):
    path = addresses_file(tmp_path, 5)
    past = invite(app, path, tmp_path / "a", 2, "s", "--closes", "2026-03-01")
    assert past.exit_code == 1 and "2026-03-01, which has passed" in past.output
    summer = invite(app, path, tmp_path / "b", 2, "s", "--closes", "2026-06-30")
    assert summer.exit_code == 0, summer.output
    assert rows(rt, Draw)[0].closes_at == datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC)  # BST


def test_the_blocklist_refuses_codes_holding_a_word_and_repeats():
    blocklist = Blocklist.load()
    word = next(w for w in sorted(blocklist.words) if 3 <= len(w) <= 6
                and all(c in letter_codes.NEW_CODE_CHARS for c in w))
    rude = (word + "KKKKKKKKK")[:9]
    assert blocklist.blocks(rude) and blocklist.blocks("QQ" + rude[:7])
    clean = ["K7PM3QXAF", "K7PM3QXAF", "HJ4TRW9CX", "M3QXAFK7P"]
    letters = iter(rude + "".join(clean))
    codes = fresh_codes(2, blocklist, lambda batch: {"HJ4TRW9CX"}, lambda _: next(letters))
    assert codes == ["K7PM3QXAF", "M3QXAFK7P"]  # rude, repeated and taken codes skipped


def test_no_letters_writes_the_mail_merge_only(app, rt, registration, tmp_path):
    result = invite(app, addresses_file(tmp_path, 5), tmp_path / "out", 2, "s", "--no-letters")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mail-merge.csv"]
    assert result.output.splitlines()[-1] == str(tmp_path / "out" / "mail-merge.csv")
    assert count(rt, LetterCode) == 4
