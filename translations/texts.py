"""The bot's own words, in English, keyed by their gettext context.

These are msgids: translators translate them in `translations/<lang>/LC_MESSAGES/messages.po`
under `msgctxt "bot/<key>"`; code never holds another language. Placeholders in braces are
filled in at run time and must be kept by translators. Keyword and answer-word lists are
space-separated words; a translation lists the words people type in that language (English
words are always understood as well).
"""

BOT = {
    # Keywords: the whole message must be one of these words.
    "keywords/stop": "STOP STOPALL UNSUBSCRIBE CANCEL END QUIT REVOKE OPTOUT",
    "keywords/start": "START UNSTOP",
    "keywords/help": "HELP INFO",
    "keywords/lang": "LANG LANGUAGE",
    "keywords/skip": "SKIP",
    "keywords/restart": "RESTART",
    "keywords/delete": "DELETE",
    # Peer engagers' keywords: only for someone the bot knows as an engager (bot/youth.py);
    # from anyone else they are ordinary words, e.g. an answer.
    "keywords/prompts": "PROMPTS",
    "keywords/log": "LOG",
    "keywords/stats": "STATS",
    # Assembly members' own: asks the team for a call (bot/members); from anyone else an
    # ordinary word.
    "keywords/call": "CALL",
    # Words that may stand around an engager's keyword ("stats please", "send my prompts"):
    # left out when matching it. Only polite or filler words: never a keyword of its own.
    "words/please": "please pls plz thanks thank you ta my me show send",
    # Assembly members' own too: a one-time code to link Telegram (bot/members/linking.py).
    "keywords/link": "LINK",
    # Words accepted as yes / no answers (and their labels on buttons).
    "words/yes": "yes y yeah yep yup sure ok okay",
    "words/no": "no n nope nah",
    "yes": "Yes",
    "no": "No",
    # Replies to keywords.
    "help": (
        "This is {org}'s survey for the Citizens' Assembly on neighbourhood policing. "
        "Reply STOP to stop, LANG for another language, SKIP to skip a question, "
        "RESTART to start again, DELETE to erase your answers."
    ),
    # HELP's last sentence: the configured HELP_CONTACT, else (unset) only the org's name.
    "help-contact": "Contact: {contact}",
    "help-org": "For help, contact {org}.",
    # Signposting: the same reply as words that suggest someone is at risk (bot/safeguarding).
    "signpost": (
        "In danger now? Call 999. To talk, free, any time: Samaritans 116 123, or "
        "Childline 0800 1111 (under 19). A person on our team will read your message."
    ),
    # After the signposting, when someone may be hurt now: the police's Silent Solution.
    "signpost-silent": (
        "If you can't speak on a 999 call from a mobile, stay on the line and press 55 when "
        "asked."
    ),
    # The council's own line (SAFEGUARDING_LINE), when one is configured.
    "signpost-line": "You can also call {line}.",
    # After the signposting, to a peer engager (in a log, or known by their phone): what
    # they write may be a friend's words, which their training says to pass on.
    "signpost-engager": (
        "If a friend told you this, pass it on to your youth lead today. You don't have to "
        "deal with it alone."
    ),
    "stopped": "You will not get any more messages from us. Reply START if you change your mind.",
    # Before the next question, after a free-text answer holding an opt-out phrase ("Police
    # don't contact me"): the answer is kept; this says how to stop, in case they meant it.
    "stop-hint": "If you want no more messages from us, reply STOP.",
    "started": "Welcome back. You can carry on where you left off.",
    "started-done": (
        "Welcome back. You have already answered our survey, thank you. "
        "Reply RESTART to answer it again."
    ),
    "started-new": "Welcome back. Send us any message to start the survey.",
    "choose-language": "Choose your language by number:",
    "language-hint": "Please reply with the number of your language.",
    "language-set": "OK, we will write to you in English.",
    "optional": "Reply SKIP to skip this question.",
    "cannot-skip": "This question needs an answer.",
    "restarting": "Starting again.",
    "restart-confirm": (
        "Starting again will lose the answers you have given. "
        "Reply YES to start again, or NO to carry on."
    ),
    "restart-kept": "OK, your answers are kept. Carrying on.",
    "delete-confirm": (
        "Reply YES to erase your answers and your number from our records, "
        "or NO to keep them."
    ),
    "deleted": "Your answers and details have been erased. Thank you for your time.",
    "delete-kept": "Nothing has been erased.",
    "consent-hint": "Please reply YES to take part, or NO if you would rather not.",
    "refused": "No problem, thank you. We will not ask you anything else.",
    "already-done": (
        "You have already answered this survey, thank you. "
        "Reply RESTART to answer it again or HELP for help."
    ),
    "nudge": "You are part way through our survey. Reply to carry on:",
    "nothing-to-do": "There is no survey in progress. Reply HELP for help.",
    # Peer engagers: the week's prompt pack ({starters}: one "- " line per starter), their
    # reach as counts (a count under 5 is said as "fewer than 5"), a paused code.
    "prompts-pack": "Week {week} conversation starters:\n{starters}\nAfter a chat, reply LOG.",
    "stats": (
        "Your reach so far, as counts only:\nFriends who started: {started}\n"
        "Friends who finished: {finished}\nChats you logged: {conversations}\n"
        "People in them: {people}"
    ),
    "fewer-than-5": "fewer than 5",
    # HELP from an engager: their own keywords, after HELP's usual answer.
    "help-engager": (
        "As an engager, reply PROMPTS for this week's starters, LOG to record a chat, STATS "
        "to see your reach."
    ),
    # A message after an engager's log is finished (instead of "already-done").
    "already-logged": (
        "That chat is logged, thank you. Reply LOG to log another chat or STATS to see your "
        "reach."
    ),
    # A paused engager's keyword while a log they began is still open: the question follows.
    "engager-paused-log": "Your engager code is paused, but you can still finish this log.",
    "engager-paused": (
        "Your engager code is paused at the moment. Ask the youth team who trained you "
        "if you want to carry on."
    ),
    # Assembly members (bot/members/rules.yaml says which reminder goes when). {session}:
    # the session's name; {day}: its local day, written in the member's language by the
    # code ("Saturday 14 March"); {time}: local, 24-hour; {venue} and the notes as the
    # coordinator wrote them. {notes} is empty or ends with a space.
    "reminder/confirm": (
        "Citizens' Assembly: {session}, {day}, {time}, {venue}. Can you come? Reply YES or NO."
    ),
    "reminder/day-before": (
        "Reminder: {session} is tomorrow, {day}, {time}, {venue}. {notes}Can't come? Reply NO."
    ),
    "reminder/morning": "See you today at {time}: {session}, {venue}. Can't come? Reply NO.",
    "reminder/moved": (
        "Change: {session} is now {day}, {time}, {venue}. Can you come? Reply YES or NO."
    ),
    # To the members who had heard of a session the coordinator removed.
    "reminder/removed": (
        "Cancelled: {session}, {day}, {time}, {venue}, will not take place. Sorry for the "
        "change."
    ),
    # An assembly day's title in the member's phone calendar (/m/<token>.ics).
    "calendar-event": "Citizens' Assembly: {session}",
    # The member's calendar's own name (X-WR-CALNAME), as their phone lists it.
    "calendar-name": "Citizens' Assembly ({org})",
    "reminder/bring": "Bring: {text}.",
    "reminder/access": "Access: {text}.",
    "reminder/travel": "Travel: {text}.",
    # Signed with the council's name (OUTREACH_ORG_NAME): an unsigned link reads as phishing.
    "member-welcome": (
        "{org}: welcome to the Citizens' Assembly. We will remind you before each day. "
        "Add the days to your calendar: {link}"
    ),
    # A member's YES or NO names the session's day ({day}: "Saturday 14 March"); a member
    # told of several days may answer for one by its name ("yes saturday"): {weekday} is a
    # day's name, {days} the days they may answer for.
    "rsvp-yes": "Thank you, see you on {day}.",
    "rsvp-no": (
        "Thank you for letting us know you can't come on {day}. Someone from the team will "
        "be in touch."
    ),
    "rsvp-other-day": "For {weekday}, reply YES {weekday} or NO {weekday}.",
    "rsvp-which-day": (
        "We have not asked you about {weekday}. Reply YES or NO with the day: {days}."
    ),
    # A day named that a session has moved from ({old}: "Saturday"; {day}: its new day).
    "rsvp-moved": (
        "That session has moved from {old} to {day}. Can you come then? Reply YES "
        "{weekday} or NO {weekday}."
    ),
    # A low wellbeing score, or words of distress, from a member; and their reply CALL.
    "offer-call": (
        "Thank you for telling us. If you would like a call from the team, reply CALL."
    ),
    "call-booked": "Thank you. Someone from the team will call you soon.",
    # A member's message that answers nothing we asked (never the residents' survey).
    "member-unclear": (
        "Thank you for your message. We send your Citizens' Assembly reminders here: reply "
        "YES or NO to one. To talk to the team, reply CALL."
    ),
    # Linking Telegram (bot/members/linking.py): a member texts LINK for a one-time code,
    # then sends LINK CODE to the Telegram bot. Keep "LINK" as it is in every language:
    # the bot reads the word LINK before a code in Telegram. {channel}: SMS or WhatsApp.
    "link-code": (
        "Your code for assembly messages on Telegram: {code}. Open {url} or send LINK {code} "
        "to {bot}. It works once, for 24 hours."
    ),
    "link-code-plain": (
        "Your code to get assembly messages on Telegram: {code}. Send LINK {code} to our "
        "Telegram bot. It works once, for 24 hours."
    ),
    "link-how": (
        "To get your Citizens' Assembly messages here, send LINK and the code we sent you by "
        "SMS, for example LINK K7PQ2XMD. No code? Text LINK to us, or ask the team."
    ),
    "link-wrong": (
        "That code is wrong or has expired. Check it and try again, or text LINK to us by SMS "
        "for a new one."
    ),
    "link-wait": (
        "Too many wrong codes. Please wait an hour and try again, or ask the assembly team."
    ),
    "link-other": (
        "This chat is already linked to another assembly member. Please ask the assembly team."
    ),
    "linked": "Done: this chat is linked to your place on the Citizens' Assembly.",
    "linked-here": (
        "Done: this chat is linked to your place on the Citizens' Assembly. Your reminders will"
        " come here."
    ),
    "link-already": "This chat is already linked to you. Your reminders come here.",
    "link-already-ask": "This chat is already linked to you.",
    "channel-ask": "Your reminders come by {channel} now. Get them here on Telegram instead?",
    "channel-here": "OK. Your reminders and check-ins will come here from now on.",
    "channel-kept": (
        "OK. They will keep coming by {channel}. Send LINK here if you change your mind."
    ),
    # Hints given when an answer is not understood; the question is then asked again.
    "hint/scale": "Please reply with a number from {min} to {max}.",
    "hint/choice": "Please reply with one of the numbers.",
    "hint/age": "Please reply with your age in years, for example 34.",
    "hint/age-how": "Reply with your age in years, or one of:",
    "hint/multi": "Please reply with one or more of the numbers, for example 1,3.",
    "hint/yesno": "Please reply YES or NO.",
    "hint/number": "Please reply with a number.",
    "hint/number-range": "Please reply with a number from {min} to {max}.",
    "hint/text": "Please reply in words.",
    # Channel matters.
    "media": "Sorry, we can only read text. Please reply in words.",
    "slow-down": "You are sending messages very fast. Please wait a minute and try again.",
    # The web form's own words.
    "web/continue": "Continue",
    "web/skip": "Skip this question",
    "web/optional": "(optional)",
    "web/languages": "Choose your language",
    "web/skip-link": "Skip to main content",
    "web/error": "Error:",
    "web/problem": "There is a problem",
    "web/agree": "I agree",
    "web/decline": "No thanks",
    "web/consent-question": "Do you agree to take part?",
    "web/consent-hint": "Choose whether you agree to take part.",
    "web/hint/scale": "Choose a number from {min} to {max}.",
    "web/hint/choice": "Choose one answer.",
    "web/hint/multi": "Choose one or more answers.",
    "web/hint/number": "Enter a number.",
    "web/hint/number-range": "Enter a number from {min} to {max}.",
    "web/hint/text": "Write your answer in the box.",
    "web/delete-confirm": "Erase your answers and your details from our records?",
    "web/restart-confirm": "Start again? The answers you have given will be lost.",
    "web/progress": "Question {number} of {total}",
    "web/privacy": "Your privacy",
    # The privacy line under-13s (and others a survey is not for) see after being thanked.
    "web/privacy-screened": "Nothing you told us has been kept.",
    "web/contact": "Questions or problems? Contact {contact}.",
    "web/surveys-title": "Have your say",
    "web/surveys-intro": "Choose a survey to take part:",
    "web/surveys-none": "There is no survey open at the moment.",
    "web/stale": "That page was out of date, so nothing was saved. This is where you are now.",
    "web/not-found-title": "Survey not found",
    "web/not-found": "We could not find that survey. Please check the link you were given.",
    "web/bad-request-title": "Your answer was not saved",
    "web/bad-request": (
        "This page had expired or did not come from our site, so nothing was saved. "
        "Please check that cookies are allowed for this site, then go back to the survey."
    ),
    "web/back": "Go back to the survey",
    # An answer kept in the spool while the database is unreachable (bot/spool.py).
    "web/kept-title": "Your answer is kept",
    "web/kept": (
        "We have your answer, but we cannot show the next question just now. "
        "Please come back to this page in a few minutes to carry on."
    ),
    # The civic lottery's confirmation (bot/selection.py, bot/engine/confirming.py). The worker
    # asks each person the lottery selected: {dates}, the assembly's days ("13-14 March and
    # 27-28 March"), {by} the day to answer by ("Monday 9 March"), both written in their
    # language by the code. Those not selected are told once; {date}: the day their details
    # are erased after (the assembly file's lottery: keep_until).
    "selection/ask": (
        "{org}: you have been selected by lottery for the Citizens' Assembly on {dates}. "
        "Reply YES to take part or NO if you cannot. Please answer by {by}."
    ),
    "selection/again": (
        "You were selected by lottery for the Citizens' Assembly on {days}. Can you take "
        "part? Please reply YES or NO by {by}. Questions: {contact}"
    ),
    # Asked instead of selection/ask of someone whose registration said they can come to
    # only some of the weekends: {dates}, those weekends as their registration wrote them.
    "selection/ask-some": (
        "{org}: you have been selected by lottery for the Citizens' Assembly. You told us you "
        "can come on {dates}. Reply YES to take part on those days or NO if you cannot. "
        "Please answer by {by}."
    ),
    # To a registrant the lottery has finished with (not selected, said NO, never answered,
    # dropped out) who writes: {contact}, HELP_CONTACT (or the council's name).
    "selection/finished": (
        "{org}: the Citizens' Assembly lottery has finished. Thank you for registering. "
        "Questions: {contact}"
    ),
    "selection/yes": (
        "Thank you! You are now a member of the Citizens' Assembly. We will send you your "
        "calendar link and a reminder before each day."
    ),
    "selection/no": (
        "Thank you for letting us know. We are sorry you cannot take part. We will not write "
        "to you about the assembly again."
    ),
    "selection/not-selected": (
        "{org}: thank you for registering for the Citizens' Assembly. You were not selected "
        "this time. Your details will be erased after {date}."
    ),
    "selection/not-selected-no-date": (
        "{org}: thank you for registering for the Citizens' Assembly. You were not selected "
        "this time. Your details will be erased after the assembly."
    ),
    # The civic lottery's registration (bot/engine/registration.py): a letter's code asked
    # for, refused (used, full, closed, unknown, too many tries) or already registered.
    "register-code-ask": (
        "Please send the registration code printed on your letter. It looks like K7P-M3Q-XAF."
    ),
    "register-code-unknown": (
        "We could not find that code. Please check it and send it again: codes look like "
        "K7P-M3Q-XAF. Reply HELP for help."
    ),
    "register-code-used": (
        "This code has already been used to register. Each code registers one person: if "
        "someone else in your home wants to register, use the other code on your letter."
    ),
    "register-code-full": (
        "Everyone your letter's codes allow has already registered from your home."
    ),
    "register-already": (
        "You are already registered for the lottery: each person registers once. If you are "
        "chosen, we will message you."
    ),
    "register-closed": (
        "Registration for the lottery closed on {date}. Thank you for your interest."
    ),
    "register-closed-now": "Registration for the lottery has closed. Thank you for your interest.",
    "register-code-wait": (
        "Too many codes did not work. Please wait an hour and try again, or reply HELP."
    ),
    "hint/phone": (
        "That does not look like a phone number. Please send the whole number, e.g. 07700 "
        "900123."
    ),
    "web/hint/phone": "Enter a whole phone number, such as 07700 900123.",
    # The lottery's registration, once more (bot/engine/registration.py, survey.py): HELP
    # while registering, a registrant writing again or sending RESTART, a bare number at
    # the age question that may be a list's place, a phone number that cannot get texts.
    "register-help": (
        "This is {org}'s registration for the Citizens' Assembly lottery. Reply STOP to stop, "
        "LANG for another language, SKIP to skip a question, DELETE to withdraw."
    ),
    "register-done": (
        "You are registered for the lottery, thank you. We will message you if you are "
        "selected. Each person registers once. Questions: reply HELP."
    ),
    "register-done-closes": (
        "You are registered for the lottery, thank you. Registration closes on {date}; we "
        "will message you if you are selected. Each person registers once. Questions: reply "
        "HELP."
    ),
    "register-age-check": (
        "Is {age} your age in years? Please reply with your age, e.g. 34"
    ),
    "register-phone-mobile": (
        "That looks like a landline. The lottery's messages come by text: please send a "
        "mobile number, e.g. 07700 900123."
    ),
    "web/hint/phone-mobile": (
        "Enter a mobile number, such as 07700 900123: the lottery's messages come by text."
    ),
}
