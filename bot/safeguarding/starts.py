"""What a match of a regular expression can begin with, read from Python's own regex parser:
the detector tries a pattern only at words that begin so (bot/safeguarding/detect.py)."""

from __future__ import annotations

import functools

try:  # the regex parser, read only to find the letters a pattern can begin with
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - a Python without it tries every pattern everywhere
    _c = _parser = None


@functools.cache
def starts(regex: str, size: int = 2) -> frozenset[str] | None:
    """What a match of `regex` can begin with: strings of `size` letters, or shorter where
    anything may follow; None where that cannot be read."""
    try:
        found = _sequence(_parser.parse(regex).data, size)
    except Exception:  # a construct this reading does not know: try it everywhere
        return None
    return None if found is None else frozenset(text for text, _ in found)


def _sequence(items: list, size: int) -> set[tuple[str, bool]] | None:
    """(text, closed) pairs a sequence can begin with; closed: the sequence ends there."""
    building, done = {""}, set()
    for op, av in items:
        options = _item(op, av, size)
        if options is None:
            return {(text, False) for text in building} | done
        following = set()
        for text in building:
            for more, closed in options:
                joined = (text + more)[:size]
                if len(joined) < size and closed:
                    following.add(joined)
                else:
                    done.add((joined, False))
        building = following
        if not building:
            break
    return done | {(text, True) for text in building}


def _item(op: object, av: object, size: int) -> set[tuple[str, bool]] | None:
    if op is _c.LITERAL:
        return {(chr(av), True)}
    if op is _c.IN:
        if all(o is _c.LITERAL for o, _ in av):
            return {(chr(a), True) for _, a in av}
        return None
    if op is _c.SUBPATTERN:
        return _sequence(av[-1], size)
    if op is _c.BRANCH:
        found = set()
        for alternative in av[1]:
            these = _sequence(alternative, size)
            if these is None:
                return None
            found |= these
        return found
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, item = av
        these = _sequence(item, size)
        if these is None:
            return None
        if high != 1:  # after one round another may follow: what comes next is unknown
            these = {(text, False) for text, _ in these}
        return these | ({("", True)} if low == 0 else set())
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return {("", True)}  # takes no letter: what follows decides
    return None
