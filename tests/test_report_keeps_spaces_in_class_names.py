"""The HTML report shows class names that differ only in their spaces (`red circle`, `red  circle`)
apart, as the text table does: a browser collapses a run of spaces unless told otherwise."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.helpers import run
from zsl_cli.records import CSV_COLUMNS

# Each image's true class and its predicted one.
IMAGES = [
    ("red circle", "red circle"),
    ("red  circle", "red  circle"),
    ("red  circle", "red circle"),
    (" red star", " red star"),
]
KEEPS_SPACES = re.compile(r"white-space:\s*(pre|pre-wrap|break-spaces)\s*(;|$)")


class _Page(HTMLParser):
    """Each text of the page with the elements it is inside, as (tag, classes) pairs; and the
    page's CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, set[str]]] = []
        self.texts: list[tuple[str, list[tuple[str, set[str]]]]] = []
        self.css = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        self.open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1][0] == "style":
            self.css += data
        else:
            self.texts.append((data, list(self.open)))


def _space_keeping_selectors(css: str) -> list[tuple[str, str]]:
    """The (tag, class) of each simple selector (`td`, `td.name`, `.name`) whose rule keeps
    white space; "" for either part not given."""
    kept = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if KEEPS_SPACES.search(body.strip()):
            for selector in selectors.split(","):
                tag, _, name = selector.strip().partition(".")
                kept.append((tag, name))
    return kept


def _keeps_spaces(elements: list[tuple[str, set[str]]], selectors: list[tuple[str, str]]) -> bool:
    return any(
        (not tag or tag == element) and (not name or name in classes)
        for element, classes in elements
        for tag, name in selectors
    )


def test_names_that_differ_in_their_spaces_show_apart_in_the_report(tmp_path: Path):
    truth, predictions = tmp_path / "truth.csv", tmp_path / "p.csv"
    truth.write_text(
        "path,label\n" + "".join(f'{i}.png,"{name}"\n' for i, (name, _) in enumerate(IMAGES)),
        encoding="utf-8",
    )
    predictions.write_text(
        ",".join(CSV_COLUMNS)
        + "\n"
        + "".join(f'{i}.png,"{p}",0.9,"{p}",0.9,ok,\n' for i, (_, p) in enumerate(IMAGES)),
        encoding="utf-8",
    )
    page_path = tmp_path / "r.html"
    result = run("evaluate", predictions, "--truth", truth, "--report", page_path)
    assert result.exit_code == 0, result.stderr
    page = _Page()
    page.feed(page_path.read_text(encoding="utf-8"))
    selectors = _space_keeping_selectors(page.css)
    # The names are there as written: in the per-class table, the matrix and the mistakes.
    spaced = [(text, inside) for text, inside in page.texts if "red  circle" in text]
    assert len(spaced) >= 4, spaced
    assert any(text == " red star" for text, _ in page.texts)
    # Each is inside an element the page's CSS keeps white space in, where a browser collapsed
    # the two spaces and the two classes showed as one name, twice.
    for text, inside in [*spaced, *((t, i) for t, i in page.texts if t == " red star")]:
        assert _keeps_spaces(inside, selectors), (text, inside, page.css)
