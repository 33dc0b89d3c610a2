"""Addresses as providers give them, and as we store them.

Each channel's scheme is in bot/channels.py: sms -> tel, whatsapp -> whatsapp (the same
E.164 number without Twilio's `whatsapp:` prefix), telegram -> the chat id, web -> a session
token. Phone numbers are normalised to E.164 with phonenumbers (region GB unless configured).
"""

from __future__ import annotations

import phonenumbers

from bot import channels

_PHONE_PREFIXES = tuple(c.prefix for c in channels.CHANNELS if c.phone and c.prefix)


class InvalidAddress(ValueError):
    """An address we cannot use (not a phone number, empty chat id...)."""


def e164(number: str, region: str = "GB") -> str:
    """A phone number in E.164 (+447700900123), or InvalidAddress."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number: {number!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidAddress(f"not a possible phone number: {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def could_be_mobile(number: str) -> bool:
    """Whether an E.164 number has a mobile number's length where it is from (a number
    someone will text from: +4412345 is not)."""
    parsed = phonenumbers.parse(number)
    return phonenumbers.is_possible_number_for_type(parsed,
                                                    phonenumbers.PhoneNumberType.MOBILE)


def is_valid(number: str) -> bool:
    """Whether an E.164 number is one in use where it is from (phonenumbers' metadata):
    `+4412345` is possible as a string, but no such number exists."""
    return phonenumbers.is_valid_number(phonenumbers.parse(number))


def whole_number(number: str, region: str = "GB") -> str:
    """A number someone keyed in for us to text (a roster's), in E.164, or InvalidAddress
    when it cannot be whole: one digit short or long. Valid by phonenumbers, or of a mobile
    number's length where it is from (its metadata calls Ofcom's drama range, 07700 900xxx,
    invalid, and demos and tests use it)."""
    value = e164(number, region)
    if not (is_valid(value) or could_be_mobile(value)):
        raise InvalidAddress(f"not a whole phone number: {number!r}")
    return value


def mobile(number: str) -> bool:
    """Whether an E.164 number from `whole_number` can get texts: a mobile (or a number
    that may be one), never a landline or a freephone number; the drama range, which
    phonenumbers calls invalid, counts as mobile."""
    if not is_valid(number):
        return could_be_mobile(number)
    return phonenumbers.number_type(phonenumbers.parse(number)) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def parse(channel: str, address: str, region: str = "GB") -> tuple[str, str]:
    """(scheme, value) for an address on a channel."""
    if channel not in channels.BY_NAME:
        raise InvalidAddress(f"unknown channel {channel!r}")
    row = channels.get(channel)
    address = (address or "").strip()
    if row.phone:  # a number as any phone channel's provider gives it (`whatsapp:+44…`)
        for prefix in _PHONE_PREFIXES:
            address = address.removeprefix(prefix)
        return row.scheme, e164(address, region)
    if not address or len(address) > 255:
        raise InvalidAddress("empty or oversized address")
    return row.scheme, address


def provider_address(scheme: str, value: str) -> str:
    """The address a provider wants for sending (Twilio wants `whatsapp:+44…`)."""
    row = channels.BY_SCHEME.get(scheme)
    return row.prefix + value if row is not None else value


def masked(address: str, keep: int = 4) -> str:
    """An address fit for a log: all but its last `keep` digits or letters hidden
    (`whatsapp:+447700900123` -> `whatsapp:+*********0123`); a short one keeps less than
    half (a chat id `4242` -> `***2`), so none is ever shown whole."""
    prefix, _, value = address.rpartition(":")
    size = sum(c.isalnum() for c in value)
    hide = size - min(keep, (size - 1) // 2)
    out = []
    for c in value:
        if c.isalnum() and hide > 0:
            c, hide = "*", hide - 1
        out.append(c)
    return (f"{prefix}:" if prefix else "") + "".join(out)
