"""The HTML reports opened in a real headless browser (Debian chromium): JS runs, no injection."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from transcribe.batch import BatchOptions, run_batch
from transcribe.grading import load_bareme

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
HOSTILE = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"

pytestmark = pytest.mark.slow


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium est introuvable : ce test a besoin d'un vrai navigateur "
                "(apt-get install -y chromium chromium-driver). Il ne doit pas être sauté.")


def dump_dom(url: str, profile: Path) -> tuple[str, str]:
    """The DOM after the page's scripts ran, and chromium's log (stderr)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout, done.stderr


class Dom(HTMLParser):
    """What the tests look at in a dumped DOM."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[tuple[str, dict]] = []
        self.texts: dict[str, str] = {}  # text of elements by id (nested ids included)
        self.rows: list[list[str]] = []  # cells of the #gradebook table body
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("br", "meta", "input", "img", "link", "hr", "line", "rect"):
            self.stack.append((tag, attrs))
        if tag == "tr" and self._in_gradebook():
            self.rows.append([])
        if tag == "td" and self._in_gradebook() and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        if self._inside("sup"):  # error numbers beside the marks
            return
        for tag, attrs in self.stack:
            if "id" in attrs:
                self.texts[attrs["id"]] = self.texts.get(attrs["id"], "") + data
        if self._inside("td") and self._in_gradebook() and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data

    def _in_gradebook(self) -> bool:
        return self._inside("tbody") and any(a.get("id") == "gradebook" for _, a in self.stack)

    def _inside(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def count(self, tag: str) -> int:
        return sum(t == tag for t, _ in self.tags)

    def find(self, tag: str, **wanted) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A small class with a hostile learner name and a submission that holds a script tag."""
    base = tmp_path_factory.mktemp("navigateur")
    copies = base / "copies"
    refs = sorted(p for p in REFERENCES.glob("*.txt") if "." not in p.stem)[:2]
    for k, learner in enumerate(("ana", "ben", "chloe", HOSTILE)):
        (copies / learner).mkdir(parents=True)
        for ref in refs:
            text = ref.read_text(encoding="utf-8").replace("é", "e", 2 * k).replace(" la ", " ", k)
            if learner == HOSTILE:
                text += "\n" + SCRIPT
            (copies / learner / ref.name).write_text(text, encoding="utf-8")
    (copies / "ben" / "99-inconnu.txt").write_text("Bonjour.", encoding="utf-8")
    out = base / "out"
    run_batch(BatchOptions(submissions=copies, references=REFERENCES, out=out, bareme=load_bareme(), jobs=1))
    return out


def test_class_report_runs_its_script_and_draws_its_charts(graded, tmp_path):
    dom_text, log = dump_dom((graded / "index.html").as_uri() + "#tri=note-desc", tmp_path / "profil")
    dom = Dom(dom_text)
    assert dom.texts.get("js-errors", "") == "", dom.texts["js-errors"]
    assert "Uncaught" not in log, log
    [table] = dom.find("table", id="gradebook")
    assert table.get("data-sortable") == "ready"  # the sorter ran
    assert dom.count("svg") == 4
    assert dom.count("rect") >= 4 * 2
    # Sorted by the URL's request (#tri=note-desc): notes decreasing, the failed row last.
    notes = [row[2] for row in dom.rows]
    assert notes[-1] == ""
    values = [float(n.replace(",", ".")) for n in notes[:-1]]
    assert len(values) == 8 and values == sorted(values, reverse=True)
    [head] = dom.find("th", **{"data-key": "note"})
    assert head.get("aria-sort") == "descending"
    # The hostile learner name is text, never an element.
    assert dom.count("img") == 0
    assert dom.count("script") == 2  # the page's error catcher and its sorter
    assert any(row[0] == HOSTILE for row in dom.rows)
    links = [a["href"] for a in dom.find("a") if a.get("href", "").endswith(".html")]
    assert len(links) == 8 and "ana/01-cardiologie-consultation.html" in links


def test_learner_report_shows_a_script_tag_as_text(graded, tmp_path):
    page = graded / HOSTILE / "01-cardiologie-consultation.html"
    raw = page.read_text(encoding="utf-8")
    assert SCRIPT not in raw and "&lt;" in raw
    dom_text, log = dump_dom(page.as_uri(), tmp_path / "profil")
    dom = Dom(dom_text)
    assert dom.texts.get("js-errors", "") == ""
    assert "Uncaught" not in log
    assert dom.count("script") == 1  # the error catcher only: no script came from the text
    assert dom.count("img") == 0
    assert dom.texts["copy"].endswith("\n" + SCRIPT)
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom_text  # the learner's name, as text
    assert dom.find("mark") and dom.find("table", **{"class": "criteria"})
