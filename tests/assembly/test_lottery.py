"""The assembly file's lottery: section: defaults, values and FILE:LINE problems."""

from __future__ import annotations

from datetime import date

import pytest

import assembly
from assembly.lottery import Lottery


def test_the_shipped_assembly_sets_its_lottery():
    lottery = assembly.load().lottery
    assert lottery.panel == 50 and lottery.reserves == 10
    assert isinstance(lottery.closes, date) and lottery.algorithm == "maximin"


def _write(tmp_path, section: str):
    shipped = assembly.SHIPPED.read_text(encoding="utf-8").split("\nlottery:")[0]
    path = tmp_path / "assembly.yaml"
    text = shipped.replace("place: waltham-forest", f"place: {assembly.PLACES}/waltham-forest.yaml")
    text = text.replace("themes: waltham-forest-policing",
                        f"themes: {assembly.THEME_SETS}/waltham-forest-policing")
    path.write_text(text + section, encoding="utf-8")
    return path


def test_without_a_section_the_defaults_hold(tmp_path):
    assert assembly.load(_write(tmp_path, "\n")).lottery == Lottery()


def test_each_bad_value_is_named_with_its_line(tmp_path):
    path = _write(tmp_path, "\nlottery:\n  panel: 0\n  closes: someday\n  algorithm: magic\n"
                            "  colour: red\n")
    with pytest.raises(assembly.AssemblyError) as raised:
        assembly.load(path)
    message = str(raised.value)
    lines = message.count(f"{path}:")
    assert lines == 4, message
    for words in ("panel must be", "closes must be a date", "algorithm must be one of",
                  "unknown lottery key 'colour'"):
        assert words in message
