"""grade --mode post-edition and the manifest « brouillon » column: gradebook columns, class
page, and what goes wrong (no draft, a draft taken for an exercise)."""

import csv
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from test_postedit import DRAFT, SOME, SOME_AND_NEW
from transcribe.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def rows(out: Path) -> dict:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as handle:
        return {(r["apprenant"], r["exercice"]): r for r in csv.DictReader(handle)}


def class_of_three(tmp_path: Path, mini_exercise: Path) -> Path:
    """Three learners correct the mini exercise's draft: nothing, half, half with new errors."""
    (mini_exercise.parent / "mini.brouillon.txt").write_text(DRAFT, encoding="utf-8")
    copies = tmp_path / "copies"
    for learner, text in (("ana", DRAFT), ("ben", SOME), ("chloe", SOME_AND_NEW)):
        (copies / learner).mkdir(parents=True)
        (copies / learner / "mini.txt").write_text(text, encoding="utf-8")
    return copies


def test_post_edition_mode_gradebook_and_class_page(tmp_path, mini_exercise):
    copies = class_of_three(tmp_path, mini_exercise)
    out = tmp_path / "out"
    result = run("grade", copies, "--references", mini_exercise.parent, "--out", out, "--mode", "post-edition",
                 "--jobs", "1")
    assert result.exit_code == 0, result.output
    book = rows(out)
    figures = {learner: tuple(book[(learner, "mini")][k] for k in (
        "draft_errors", "corrigees", "oubliees", "mal_corrigees", "introduites", "taux_correction",
        "critiques_laissees")) for learner in ("ana", "ben", "chloe")}
    assert figures == {"ana": ("10", "0", "10", "0", "0", "0", "2"),
                       "ben": ("10", "5", "5", "0", "0", "0.5", "1"),
                       "chloe": ("10", "5", "5", "0", "3", "0.5", "1")}
    items = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["items"]
    assert all(e["origin"] in ("brouillon", "apprenant") for i in items for e in i["score"]["errors"])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Correction des brouillons de reconnaissance vocale" in page
    assert "<strong>10</strong> erreur(s) du brouillon corrigée(s) sur 30" in page
    assert "taux de correction de la classe de <strong>33 %</strong>" in page
    table = page[page.index('id="left-from-draft"'):page.index("</table>", page.index('id="left-from-draft"'))]
    first = [line for line in table.splitlines() if line.strip().startswith("<tr")][1:4]
    # Left by two learners of three, the critical ones first: DURANT (ana, chloe), then the others.
    assert "<td>DURAND</td><td>DURANT</td>" in first[0] and "<td class=\"num\">2 / 3</td>" in first[0]
    assert all("2 / 3" in line for line in first)
    learner_page = (out / "chloe" / "mini.html").read_text(encoding="utf-8")
    assert "<h2>Correction du brouillon</h2>" in learner_page


def test_same_note_as_a_dictation_copy(tmp_path, mini_exercise):
    copies = class_of_three(tmp_path, mini_exercise)
    post, plain = tmp_path / "post", tmp_path / "plain"
    assert run("grade", copies, "-r", mini_exercise.parent, "-o", post, "--mode", "post-edition", "-j", "1").exit_code == 0
    assert run("grade", copies, "-r", mini_exercise.parent, "-o", plain, "-j", "1").exit_code == 0
    a, b = rows(post), rows(plain)
    assert {k: v["note"] for k, v in a.items()} == {k: v["note"] for k, v in b.items()}
    assert all(v["draft_errors"] == v["taux_correction"] == "" for v in b.values())
    assert "Correction des brouillons" not in (plain / "index.html").read_text(encoding="utf-8")


def test_missing_draft_and_manifest_column(tmp_path, mini_exercise):
    copies = class_of_three(tmp_path, mini_exercise)
    (mini_exercise.parent / "mini.brouillon.txt").unlink()
    out = tmp_path / "out"
    result = run("grade", copies, "-r", mini_exercise.parent, "-o", out, "--mode", "post-edition", "-j", "1")
    assert result.exit_code == 1
    assert rows(out)[("ana", "mini")]["message"] == (
        "ana/mini.txt : l'exercice « mini » n'a pas de brouillon fourni (mini.brouillon.txt).")
    # The manifest says which copies are corrected drafts, and of which draft.
    (copies / "brouillon-hopital.txt").write_text(DRAFT, encoding="utf-8")
    manifest = tmp_path / "manifeste.csv"
    manifest.write_text("apprenant;exercice;brouillon\nana;mini;brouillon-hopital.txt\nben;mini;absent.txt\n"
                        "chloe;mini;\n", encoding="utf-8")
    out = tmp_path / "out2"
    result = run("grade", copies, "-r", mini_exercise.parent, "-o", out, "-m", manifest, "-j", "1")
    assert result.exit_code == 1
    book = rows(out)
    assert book[("ana", "mini")]["corrigees"] == "0" and book[("ana", "mini")]["oubliees"] == "10"
    assert book[("ben", "mini")]["message"] == "ben/mini.txt : brouillon introuvable (absent.txt)."
    assert book[("chloe", "mini")]["statut"] == "ok" and book[("chloe", "mini")]["draft_errors"] == ""


def test_a_draft_is_never_graded_as_an_exercise(tmp_path, mini_exercise):
    (mini_exercise.parent / "mini.brouillon.txt").write_text(DRAFT, encoding="utf-8")
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    shutil.copy(mini_exercise, copies / "ana" / "mini.brouillon.txt")
    out = tmp_path / "out"
    result = run("grade", copies, "-r", mini_exercise.parent, "-o", out, "-j", "1")
    assert result.exit_code == 1
    assert "un identifiant d'exercice ne contient pas de point" in rows(out)[("ana", "mini.brouillon")]["message"]
