"""The evidence pack's own words, in English, keyed by their gettext context.

These are msgids: translators translate them in `translations/<lang>/LC_MESSAGES/messages.po`
under `msgctxt "pack/<key>"` (staff/evidence/wording.py reads them). Placeholders in braces
are filled in when the pack is made and must be kept. A count filled in is already written
out ("2,585", "fewer than 5", "none"), so a sentence should read well with any of them.
"""

PACK = {
    # The page and its cover.
    "title": "Evidence pack: {name}",
    "draft": "Draft: quotes not yet reviewed",
    "cover-title": "What residents told us",
    "cover-question": "The assembly's question: {question}",
    "cover-dates": "Evidence gathered {dates}. This pack was produced on {date} at {time}.",
    "dates": "{first} to {last}",
    "no-dates": "no dates yet",
    "figure-residents": "residents answered the survey",
    "figure-young": "young people answered their own survey",
    "figure-young-ages": "young people ({ages}) answered their own survey",
    "figure-logs": "peer conversations logged, with {people} young people taking part",
    "figure-answers": "answers in people's own words, read for themes",
    "how-to-read": "How to read this pack",
    "how-to-read-numbers": (
        "Numbers are counts of people. Where fewer than {threshold} people gave an answer we "
        "write \"{fewer}\" instead of the number, so that nobody can be recognised; sometimes "
        "a second small number is hidden too, so the first cannot be worked out from a total. "
        "Quotes have had phone numbers, e-mail addresses, postcodes, street addresses and "
        "names removed. Each chart has its numbers in a table beneath it."),
    "how-to-read-sample": (
        "The people who answered chose to take part: they are not a random sample. Section 2 "
        "shows who answered and who is missing, so you can weigh what they said."),
    "contents": "Contents",
    # The six sections' headings ({themes}: how many themes, in words from "numbers").
    "heading-gathered": "How the evidence was gathered",
    "heading-representative": "Who answered, and who is missing",
    "heading-closed": "What residents told us: the survey questions",
    "heading-themes": "In their own words: {themes} themes",
    "heading-youth": "Youth voice",
    "heading-method": "How this pack was made",
    # Numbers 0 to 12 as words, space-separated ("no" for 0); digits are used above 12.
    "numbers": "no one two three four five six seven eight nine ten eleven twelve",
    # Words in tables and lists.
    "or": "{names} or {last}",
    "total": "Total",
    "answer": "Answer",
    "people": "People",
    "share": "Share",
    "average": "Average",
    "fewer": "fewer than {threshold}",
    "not-shown": "not shown",
    "none": "none",
    "zero": "no",
    "under-1": "under 1%",
    "no-figure": "no figure",
    "at-least": "at least {count}",
    "yes": "Yes",
    "no": "No",
    "ages-range": "{low} to {high}",
    "ages-over": "{low} and over",
    "band/0-1": "0 or 1",
    "band/2-5": "2 to 5",
    "band/6-10": "6 to 10",
    "band/11-20": "11 to 20",
    "band/21+": "More than 20",
    "audience/residents": "Residents",
    "audience/youth": "Young people",
    "audience/youth-aged": "Young people aged {ages}",
    "audience/engagers": "Peer engagers, about their conversations with friends",
    "source/residents": "Resident",
    "source/youth": "Young person",
    "source/engagers": "Peer conversation log",
    # A channel's name where it is not a brand's (bot/channels.py names the others).
    "channel/web": "Web form",
    # A quote.
    "in-english": "In English:",
    "not-translated": "Not translated yet: the English translation is switched off or still "
                      "waiting.",
    "quote-from": "{source}, in {language}",
    "headline-scale": "{value} of {top}",
    # A survey question's chart and tables.
    "numbers-behind": "The numbers behind the chart",
    "answered-question": "Answered this question",
    "not-shown-note": "\"Not shown\": hidden so that a smaller number cannot be worked out "
                      "from the total.",
    "multi-note": "People could choose more than one answer, so the shares add up to more "
                  "than 100%.",
    "by/age": "Age",
    "by/language": "Language answered in",
    "average-by/age": "Average answer ({low} to {high}) by age",
    "average-by/language": "Average answer ({low} to {high}) by language answered in",
    "nothing-shown-question": "Fewer than {threshold} people answered this question, so "
                              "nothing is shown.",
    # 1. How the evidence was gathered.
    "gathered": (
        "From {dates}, people could answer a short survey by text message (SMS), WhatsApp, "
        "Telegram or a web form, in {languages}."),
    "gathered-young": (
        "Young people aged {ages} answered their own survey, many through a trained peer "
        "engager who shared a personal link or code."),
    "gathered-logs": "The engagers also logged their conversations with friends.",
    "surveys-caption": (
        "Surveys and responses. A response is \"partial\" when the person stopped before the "
        "end; their answers up to then are counted."),
    "survey": "Survey",
    "who": "Who",
    "responses": "Responses",
    "complete": "Complete",
    "partial": "Partial",
    "by-channel": "How people answered",
    "by-language": "The language people answered in",
    "logged": (
        "Peer engagers logged {logs} conversations with friends, in which {people} young "
        "people took part (as the engagers counted them)."),
    "no-engager-codes": "No engager's code has brought a response or a log yet.",
    "engager-codes": "Engagers' codes that brought at least one response or log: {count}.",
    "engagers-unnamed": (
        "Engagers are never named here, and nothing in this pack says which engager reached "
        "whom."),
    # 2. Who answered, and who is missing.
    "representative": (
        "We compare the people who answered with the published population figures we hold "
        "for {place} (each table's source is named under it). Where no published figure "
        "matches a group, we show who answered without a comparison and say why — we never "
        "estimate one. The questions about the person were optional."),
    "gaps": "The gaps, plainly",
    "gap-under": "Under-represented: {group} — {said} {of}, against {reference} of {base}.",
    "gap-over": "Over-represented: {group} — {said} {of}, against {reference} of {base}.",
    "of-responses": "of responses",
    "of-answered": "of those who answered",
    "gap-none": "No one answered from {count} of the {total} in {title}: {groups}.",
    "gap-few": "Fewer than {threshold} answered from {count} of the {total} in {title}: "
               "{groups}.",
    "rule": (
        "A group is called under-represented when its share of those who answered is less "
        "than {under} of its share of the population, and over-represented when it is more "
        "than {over} of it. Both shares are of the groups compared."),
    "age-answered": "{count} people who answered gave their age.",
    "asked": "Asked: \"{question}\"",
    "nothing-shown": "Fewer than {threshold} people answered, so nothing is shown.",
    "compared-with": "Who answered, compared with {base}",
    "not-compared-caption": "Who answered (not compared)",
    "group": "Group",
    "population": "Population",
    "heard": "Heard",
    "under": "Under-represented",
    "under-parity": "Under-represented: {count} more would reach parity",
    "over": "Over-represented",
    "even": "About even",
    "not-compared": "Not compared: {why}",
    "no-match": "The survey's answers do not match the categories of {table} ({groups}).",
    "no-answer-maps": "no answer maps to them",
    "left-out": "Left out of both sides: {groups} ({count} answers).",
    "source": "Source: {table}, {title} ({date}; {base}): {source}, {url}.",
    "rescaled": "The published figures are rescaled so that the groups compared add up to "
                "100%.",
    "nothing-comparable": "This survey asks nothing that can be compared with the population.",
    "no-one-to-compare": "No residents' survey has responses yet, so there is no one to "
                         "compare.",
    # 3. The survey questions.
    "closed": (
        "Each chart shows the share of residents who answered that question. Questions about "
        "the person (age, gender, ward and so on) are in section 2. Where the numbers allow, "
        "the average answer to each scale question is shown for age groups and for the "
        "language people answered in."),
    "no-residents": "No residents' survey has responses yet.",
    # 4. In their own words.
    "free-text": "{count} answers were written in people's own words.",
    "free-text-questions": "{count} answers were written in people's own words, to these "
                           "questions:",
    "coding": (
        "Each answer was read by a published set of rules, one per language, that codes it "
        "to any of the {themes} themes below; one answer can touch several themes. Section 6 "
        "explains the rules and how the quotes were chosen."),
    "chart-themes": "Share of free-text answers coded to each theme",
    "themes-caption": "Answers coded to each theme",
    "theme": "Theme",
    "residents": "Residents",
    "young-people": "Young people",
    "all": "All",
    "share-of-all": "Share of all answers",
    "not-coded": "Not coded to any theme",
    "theme-answers": "{count} answers",
    "about": "About {about}.",
    "no-quote": "No answer could be quoted for this theme.",
    "uncoded-heading": "What the rules did not code",
    "uncoded": (
        "{count} answers ({share}) matched none of the {themes} themes. So that a subject the "
        "rules miss is still seen, these are the phrases that came up most often in them "
        "(each counted once per answer, only if at least {threshold} people used it, and "
        "only the most frequent phrase for each word):"),
    "phrase": "\"{phrase}\" — {count} answers",
    "no-phrase": "No phrase came up in {threshold} or more of them.",
    "not-translated-yet": (
        "{count} answers in other languages are not translated yet; they are coded by the "
        "rules of every language, and quoted in their own language."),
    # 5. Youth voice.
    "youth-answered": "{count} young people answered their own survey, {through} of them "
                      "through a peer engager's link or code.",
    "youth-answered-aged": "{count} young people aged {ages} answered their own survey, "
                           "{through} of them through a peer engager's link or code.",
    "no-under-13": "No child under 13 started it.",
    "under-13": "{count} children under 13 started it; they were thanked and nothing they "
                "said was kept.",
    "no-youth": "No young people's survey has responses yet.",
    "youth-logs": "Engagers also logged {logs} conversations with friends ({people} young "
                  "people).",
    "log-questions": "What came up in peer conversations",
    "more-young": "More from young people",
    # 6. How this pack was made.
    "anonymous-heading": "Keeping people anonymous",
    "anonymous": (
        "The pack is made from the survey database by a program, not by hand. It contains "
        "counts, never a list of people. Any number from 1 to {most} is shown as \"{fewer}\", "
        "and its share is not shown; where the numbers in a table add up to a total that is "
        "shown, the next smallest number is hidden as well (\"{hidden}\"), so a hidden number "
        "cannot be worked out by subtraction. Phone numbers, chat identities and the names "
        "of peer engagers never appear."),
    "redaction": (
        "Before any quote is shown, the program removes e-mail addresses, phone numbers (UK "
        "and international, however they are written), postcodes, street addresses, names "
        "introduced as names (\"my name is …\", \"PC …\", in each language) and the peer "
        "engagers' names. No program can recognise every name: a first name on its own "
        "(\"ask Kemal at the shop\") can get through, so a member of staff reads every quote "
        "before the pack is shared. Answers that raised a safeguarding concern were passed "
        "to the council's safeguarding lead and are never quoted."),
    "coding-heading": "Coding answers to themes",
    "coding-method": (
        "The {themes} themes are this assembly's own, from its theme set. The rules are lists "
        "of words and phrases per language (for example, \"{example}\" is coded {theme}), "
        "published with examples each rule must and must not match. Every answer is checked "
        "against every language's rules, "
        "and its English translation against the English rules. The rules are simple on "
        "purpose, so anyone can check why an answer was coded as it was; they will miss some "
        "answers and occasionally code one wrongly, which is why the uncoded answers are "
        "counted and their common phrases listed."),
    "rule-sets": "The rule sets",
    "language": "Language",
    "rules": "Rules",
    "checked-examples": "Checked examples",
    "quotes-heading": "Choosing the quotes",
    "quotes": (
        "Quotes are chosen to show the range of views, not the most eloquent. For each "
        "theme, the answers coded to it are split by the same person's answer to their "
        "survey's headline question{measures}: the low, middle or high third of a scale, "
        "each answer of a choice, or not asked. From each group in turn we take the answer "
        "closest to that group's typical (median) length, preferring a language not already "
        "quoted for the theme. Ties are broken by a fixed shuffle, so the same answers "
        "always give the same quotes. An answer is quoted only once, only if it has at least "
        "five words, and each is shown in the language it was written in, with its English "
        "translation."),
    "measures": " ({measures})",
    "translations-heading": "Translations",
    "translations": (
        "Answers in other languages are translated into English by the outreach's "
        "translation service, where it is switched on; the original words are always shown "
        "first, and an answer not translated yet says so. The survey questions were "
        "translated for the project, and what people answered should be read with that in "
        "mind."),
    "footer": (
        "Produced by assembly-outreach from the survey database on {date}. Population "
        "figures for {place}, as published; the table and source of each are named under "
        "it."),
}
