"""The web form as a visitor's browser meets it: each page parsed into its elements and checked
(html lang and dir, a title, one h1, no script, every control labelled, every
aria-describedby pointing at an element that exists), a Browser that reads a page and submits
its form, a whole English run of the residents' survey, and the under-13 page's checks."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
RESIDENTS, YOUTH = "/s/neighbourhood-policing", "/s/youth-voice"
CONTACT = "020 7946 0123"  # HELP_CONTACT in the test configuration (tests/conftest.py)

RESIDENTS_EN = [
    # (the question the page asks, what the resident does)
    ("Do you agree to take part?", ("choose", "I agree")),
    ("How safe do you feel in your local area during the day?", ("choose", "4")),
    ("How safe do you feel in your local area after dark?", ("choose", "2")),
    ("What would make you feel safer?", ("choose", "Police on foot", "CCTV")),
    ("How much do you trust the police in Waltham Forest?", ("choose", "3")),
    ("In the last 12 months, have you had any contact", ("choose", "Yes")),
    ("Overall, how were you treated by the police that time?", ("choose", "Fairly well")),
    ("How often do you see neighbourhood police officers", ("choose", "About once a month")),
    ("What could the police do to earn your trust?", ("type", "Walk the streets and talk.")),
    ("Are there enough safe places and activities", ("choose", "Some, but not enough")),
    ("The last questions are about you, so we hear from every group.", ("type", "12")),
    ("How old are you?", ("choose", "25 to 34")),
    ("Where do you live?", ("choose", "Leyton/Leytonstone")),
    ("Which ward do you live in?", ("choose", "Leyton")),
    ("How would you describe your gender?", ("skip",)),
    ("What is your ethnic group?", ("choose", "White")),
    ("Does a disability or long-term condition limit", ("choose", "No")),
]


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: list[Element]):
        self.tag, self.attrs, self.parents = tag, attrs, parents
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


class Page(HTMLParser):
    """A page's elements, each with its attributes, its text and its ancestors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.one_where(lambda e: e.attrs.get("id") == id_)

    def one_where(self, test) -> Element:
        found = [e for e in self.elements if test(e)]
        assert len(found) == 1, len(found)
        return found[0]

    @property
    def html_attrs(self) -> dict[str, str | None]:
        return self.one("html").attrs

    @property
    def hidden(self) -> dict[str, str | None]:
        return {e.attrs["name"]: e.attrs.get("value") for e in self.all("input", type="hidden")}

    @property
    def controls(self) -> list[Element]:
        return [e for e in self.elements if e.tag in ("textarea", "select")
                or (e.tag == "input" and e.attrs.get("type") != "hidden")]

    @property
    def question(self) -> str:
        """The legend of the form's fieldset, or the label of its one field."""
        legends = self.all("legend")
        if legends:
            return legends[0].text
        return self.one("label", **{"for": "answer"}).text

    @property
    def said(self) -> list[str]:
        return [e.text for e in self.all("p", **{"class": "said"})]

    def label(self, control: Element) -> str | None:
        labels = [e for e in self.all("label") if e.attrs.get("for") == control.attrs.get("id")]
        if labels and labels[0].text:
            return labels[0].text
        return None

    def value_of(self, label: str) -> str:
        """The value an option posts, found by the words on its label (or its button)."""
        found = [c.attrs["value"] for c in self.controls if self.label(c) == label]
        found += [b.attrs["value"] for b in self.all("button", name="answer") if b.text == label]
        assert len(found) == 1, (label, [self.label(c) for c in self.controls])
        return found[0]

    def error(self) -> Element | None:
        found = [e for e in self.elements if e.attrs.get("id") == "answer-error"]
        return found[0] if found else None


def checked(page: Page) -> Page:
    """Assert what every page of the form must be, and return it."""
    assert page.html_attrs["lang"] and page.html_attrs["dir"] in ("ltr", "rtl")
    assert page.one("title").text
    assert page.one("h1").text
    assert not page.all("script") and "<script" not in page.html.lower()
    ids = [e.attrs["id"] for e in page.elements if e.attrs.get("id")]
    assert len(ids) == len(set(ids)), ids
    for control in page.controls:
        fieldsets = [p for p in control.parents if p.tag == "fieldset"]
        legend = fieldsets and [e for e in page.all("legend") if fieldsets[-1] in e.parents]
        assert page.label(control) or (legend and legend[0].text), control.attrs
    for element in page.elements:
        for ref in (element.attrs.get("aria-describedby") or "").split():
            assert ref in ids, ref
    return page


class Browser:
    """One visitor with a cookie jar, reading each page and submitting its form."""

    def __init__(self, app):
        self.client = app.test_client()
        self.page: Page | None = None

    def open(self, url: str, **kwargs) -> Page:
        response = self.client.get(url, **kwargs)
        assert response.status_code == 200, response.status_code
        self.page = checked(Page(response.text))
        return self.page

    def post(self, data: dict):
        form = self.page.one("form")
        return self.client.post(form.attrs["action"], data=data)

    def send(self, answer=None, skip: bool = False, **fields) -> Page:
        data = {"csrf": self.page.hidden["csrf"], "step": self.page.hidden["step"], **fields}
        if answer is not None:
            data["answer"] = answer
        if skip:
            data["skip"] = "1"
        response = self.post(data)
        assert response.status_code == 303, response.status_code
        return self.open(response.headers["Location"])

    def choose(self, *labels: str) -> Page:
        return self.send([self.page.value_of(label) for label in labels])


def assert_under_13_page(rt, page: Page, lang: str, survey) -> None:
    """The page someone screened out (an under-13) sees is wholly in their language — title,
    language list with theirs marked, privacy line, footer — and its privacy line says that
    nothing was kept (not the survey's notice, which says what is kept)."""
    title = rt.catalogs.text([lang], f"{survey.slug}/title", survey.title)
    assert page.html_attrs["lang"] == lang
    assert page.one("h1").text == title and page.one("title").text == title
    assert [a.attrs["hreflang"] for a in page.all("a") if a.attrs.get("aria-current")] == [lang]
    assert page.by_id("languages-title").text == rt.catalogs.bot(lang, "web/languages")
    footer = page.one("footer").text
    assert footer == " ".join([rt.catalogs.bot(lang, "web/privacy"),
                               rt.catalogs.bot(lang, "web/privacy-screened"),
                               rt.catalogs.bot(lang, "web/contact", contact=CONTACT)])
    assert page.one("a", **{"class": "skip-link"}).text == rt.catalogs.bot(lang, "web/skip-link")
