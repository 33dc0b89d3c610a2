"""Assembly members: the roster (contacts with a role), the assembly days, reminders before
them, YES / NO answers, the calendar, and the wellbeing check-ins between weekends.

`rules` (the schedule as a data file), `roster_file` (the roster file read and checked),
`roster` (import, look-ups), `sessions` (the days), `rsvps` (answers and who staff should
chase), `link_codes` and `linking` (a Telegram chat linked with a one-time code sent by
SMS), `schedule` (what goes to whom and when), `reminders` (their words, queued once),
`job` (the worker's part), `cli` (`outreach members|sessions|reminders …`). See
docs/members.md.
"""
