"""Safeguarding: noticing, in free text, that someone may be at risk now.

`detect.py` holds the detector (pure: no database, no I/O beyond reading its pattern files),
`patterns.py` the pattern language, `starts.py` what a pattern can begin with, `checks.py`
the checks a pattern file must pass; `translations/<lang>/safeguarding.yaml` holds the
reviewable patterns per offered language, each file with the examples it must and must not
catch. docs/safeguarding.md says what is detected, what is not, and how a safeguarding
lead reviews and extends the lists.
"""
