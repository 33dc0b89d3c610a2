"""The civic lottery's settings: the `lottery:` section of an assembly file.

```yaml
lottery:
  panel: 50             # members the lottery selects
  reserves: 10          # drawn beside them, to replace those who cannot come
  per_household: 2      # codes on each letter: up to this many from one address register
  closes: 2027-02-28    # registration closes at the end of this day (local time)
  confirm_days: 7       # days a selected person has to answer YES or NO
  keep_until: 2027-09-30  # registrants' details are erased after this day (`outreach purge`)
  sms_number: "+44 7700 900123"  # the number the letter asks people to text
  algorithm: maximin    # the library's algorithm: maximin or nash (leximin needs Gurobi)
```
Every key is optional; `Lottery()` holds the defaults. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assembly.reader import LineDict

ALGORITHMS = ("maximin", "nash", "leximin", "legacy", "diversimax")


@dataclass(frozen=True)
class Lottery:
    panel: int = 50
    reserves: int = 10
    per_household: int = 1
    closes: date | None = None
    confirm_days: int = 7
    keep_until: date | None = None
    sms_number: str | None = None
    algorithm: str = "maximin"


_COUNTS = {"panel": 1, "reserves": 0, "per_household": 1, "confirm_days": 1}
_DATES = ("closes", "keep_until")
KEYS = (*_COUNTS, *_DATES, "sms_number", "algorithm")


def read(data: object, at: str, problems: list[str]) -> Lottery:
    """The section read from the assembly file (`at`: FILE:LINE of the key), problems
    appended as FILE:LINE lines; the defaults where it is absent."""
    if data is None:
        return Lottery()
    if not isinstance(data, dict):
        problems.append(f"{at}: lottery must be a mapping of {', '.join(KEYS)}")
        return Lottery()
    path = at.rsplit(":", 1)[0]

    def where(key: str) -> str:
        line = data.line_of(key) if isinstance(data, LineDict) and key in data else None
        return f"{path}:{line}" if line else at

    values: dict[str, object] = {}
    for key in data:
        if key not in KEYS:
            problems.append(f"{where(key)}: unknown lottery key '{key}' (known: "
                            f"{', '.join(KEYS)})")
    for key, least in _COUNTS.items():
        value = data.get(key)
        if value is None:
            continue
        if type(value) is not int or value < least:
            problems.append(f"{where(key)}: lottery {key} must be a whole number of at "
                            f"least {least}, not {value!r}")
        else:
            values[key] = value
    for key in _DATES:
        value = data.get(key)
        if value is None:
            continue
        try:
            values[key] = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            problems.append(f"{where(key)}: lottery {key} must be a date (YYYY-MM-DD), "
                            f"not {value!r}")
    number = data.get("sms_number")
    if number is not None:
        values["sms_number"] = str(number).strip()
    algorithm = data.get("algorithm")
    if algorithm is not None:
        if algorithm not in ALGORITHMS:
            problems.append(f"{where('algorithm')}: lottery algorithm must be one of "
                            f"{', '.join(ALGORITHMS)}, not {algorithm!r}")
        else:
            values["algorithm"] = algorithm
    return Lottery(**values)
