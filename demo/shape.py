"""The shape of the demo data set: how many answer on each channel and in each language,
the peer engagers, and the made-up tendencies (ages, areas, wards, themes) that give the
evidence pack gaps to show. demo/seed.py makes people from them, drawing with `pick` and `clamp`."""

from __future__ import annotations

import random
from typing import Any

SEED = 2024
DAYS = 42
RESIDENTS, YOUTH, LOGS = "neighbourhood-policing", "youth-voice", "peer-conversation-log"
DRAMA = "+447700900{:03d}"  # Ofcom's drama numbers: 07700 900000 to 900999
# How many residents answered on each channel, and the drama numbers each phone channel uses.
RESIDENT_CHANNELS = {"web": 1240, "telegram": 560, "sms": 480, "whatsapp": 300}
YOUTH_CHANNELS = {"telegram": 220, "sms": 130, "web": 80}
PHONES = {("residents", "sms"): 0, ("residents", "whatsapp"): 500, ("youth", "sms"): 800}
LANGUAGES = {"en": 70, "ro": 8, "pl": 6, "ur": 5, "bg": 5, "tr": 6}
YOUTH_LANGUAGES = {"en": 80, "ro": 5, "pl": 5, "ur": 4, "bg": 3, "tr": 3}
ENGAGERS = (("Zara Okafor", "sms", "en", 30), ("Kacper Nowak", "telegram", "pl", 22),
            ("Elif Demir", "telegram", "tr", 14), ("Ionut Radu", "sms", "ro", 12),
            ("Aisha Malik", "telegram", "ur", 12), ("Boris Georgiev", "sms", "bg", 10))
LOGS_COUNT = 72
SCREEN_OUTS = {"age_band=under_13": 7, "age_band=over_24": 3}
THEME_WEIGHTS = {"visibility": 22, "communication": 16, "accountability": 14,
                 "youth_engagement": 12, "victim_support": 10, "recruitment": 10,
                 "training": 8, "partnerships": 5}
AGE_BANDS = {"13_15": 1, "16_24": 6, "25_34": 22, "35_44": 25, "45_54": 18, "55_64": 12,
             "65_74": 5, "75_plus": 1.5, "prefer_not": 3, None: 6.5}
AREAS = {"chingford": 25, "walthamstow": 40, "leyton": 30, "outside_borough": 2,
         "prefer_not": 3}
# Ward weights within each area: Endlebury and Hatch Lane hardly answer (a gap to show).
WARDS = {"chingford": {"chingford_green": 20, "endlebury": 0.4, "hale_end_highams_park_south": 20,
                       "hatch_lane_highams_park_north": 6, "larkswood": 22, "valley": 20},
         "walthamstow": {"chapel_end": 12, "high_street": 14, "higham_hill": 9, "hoe_street": 16,
                         "markhouse": 10, "st_james": 13, "upper_walthamstow": 9,
                         "william_morris": 10, "wood_street": 10},
         "leyton": {"cann_hall": 14, "cathall": 11, "forest": 13, "grove_green": 15,
                    "lea_bridge": 16, "leyton": 15, "leytonstone": 16}}


def pick(rng: random.Random, weights: dict) -> Any:
    """One key of `weights`, drawn with its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def clamp(value: float, low: int = 1, high: int = 5) -> int:
    """`value` rounded to a whole number from `low` to `high` (a 1 to 5 scale)."""
    return max(low, min(high, round(value)))
