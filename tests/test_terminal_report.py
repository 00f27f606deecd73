"""Snapshot of the terminal report's content (UPDATE_SNAPSHOTS=1 rewrites it).

What is pinned is the report's text in reading order, not rich's drawing of it: the report is
rendered wide enough that nothing wraps, then borders and rules are removed and spaces
collapsed, so that a rich release that draws boxes or pads cells differently changes nothing.
"""

import os
import re
from pathlib import Path

from rich.console import Console

from transcribe.grading import grade
from transcribe.report.terminal import print_score
from transcribe.scoring import score_files

SNAPSHOT = Path(__file__).parent / "snapshots" / "score_report_mini.txt"


def render(score, width: int = 100) -> str:
    with open(os.devnull, "w") as devnull:
        console = Console(record=True, width=width, color_system=None, file=devnull)
        print_score(score, console)
    return console.export_text()


def content(text: str) -> str:
    """The text without box drawing (U+2500–U+257F), one line per line that holds words."""
    lines = (" ".join(re.sub("[\u2500-\u257f]", " ", line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def test_terminal_report_snapshot(mini_exercise, tmp_path):
    text = (mini_exercise.read_text(encoding="utf-8").replace("DURAND", "DURANT")
            .replace("amlodipine", "amlodipinne").replace("Échographie", "Echographie")
            .replace("depuis trois jours", "depuis jours").replace("Conclusion :\n", "Conclusion\n"))
    sub = tmp_path / "copie.txt"
    sub.write_text(text, encoding="utf-8")
    rendered = content(render(grade(score_files(sub, mini_exercise), elapsed_minutes=9), width=400))
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8")


def test_report_highlights_errors_in_place(mini_exercise, tmp_path):
    sub = tmp_path / "copie.txt"
    sub.write_text(mini_exercise.read_text(encoding="utf-8").replace("Échographie", "Echographie"), encoding="utf-8")
    rendered = render(grade(score_files(sub, mini_exercise)))
    assert "Echographie[Échographie] cardiaque normale" in rendered
    assert "• Échographie cardiaque (saisi : « Echographie cardiaque », accent)" in rendered


def test_error_table_stops_at_500_rows(mini_exercise, tmp_path):
    sub = tmp_path / "copie.txt"
    sub.write_text(mini_exercise.read_text(encoding="utf-8") + " ;" * 600, encoding="utf-8")  # 600 added marks
    score = grade(score_files(sub, mini_exercise))
    rendered = render(score)
    assert len(score.errors) == 600
    assert rendered.count("│ ponctuation │") == 500
    assert "… et 100 autres erreurs (liste complète : --json)." in rendered
