"""`transcribe grade`: gradebook rows, statuses, exit codes, bad files, resume, CSV formats."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe import batch
from transcribe.batch import BatchOptions, run_batch
from transcribe.classify import ERROR_TYPES
from transcribe.cli import main
from transcribe.grading import grade, load_bareme
from transcribe.scoring import score_files

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
EXAMPLES = ROOT / "examples" / "submissions"

SUFFIXES = (".txt", ".docx", ".odt")


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*") if p.suffix in SUFFIXES and not p.name.startswith("."))


def copy_examples(tmp_path: Path) -> Path:
    """The example class, copied (the tests never write near the real examples)."""
    assert example_files(), f"aucune copie d'exemple dans {EXAMPLES}"
    target = tmp_path / "copies"
    shutil.copytree(EXAMPLES, target)
    return target


def add_bad_files(copies: Path) -> None:
    """One of each failure a trainer meets: empty, PDF, unknown exercise, unsafe folder name."""
    zoe = copies / "zoe"
    zoe.mkdir()
    (zoe / "01-cardiologie-consultation.txt").write_bytes(b"")
    (zoe / "02-pneumologie-consultation.pdf").write_bytes(b"%PDF-1.4\n")
    (zoe / "99-exercice-inconnu.txt").write_text("Bonjour.", encoding="utf-8")
    (copies / ".brouillons").mkdir()
    (copies / ".brouillons" / "01-cardiologie-consultation.txt").write_text("x", encoding="utf-8")


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_gradebook(out: Path, delimiter: str = ",") -> list[dict]:
    data = (out / "gradebook.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "le CSV doit commencer par un BOM UTF-8"
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8")), delimiter=delimiter))


def rows_by_key(rows: list[dict]) -> dict[tuple[str, str, str], dict]:
    return {(r["apprenant"], r["exercice"], r["fichier"]): r for r in rows}


def test_grade_examples_end_to_end_with_bad_files(tmp_path):
    copies = copy_examples(tmp_path)
    add_bad_files(copies)
    before = tree_digest(copies)
    out = tmp_path / "resultats"
    result = CliRunner().invoke(main, ["grade", str(copies), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert tree_digest(copies) == before  # inputs never modified

    rows = read_gradebook(out)
    by_key = rows_by_key(rows)
    files = example_files()
    assert len(rows) == len(files) + 4
    for path in files:
        learner, exercise = path.parent.name, path.stem
        row = by_key[(learner, exercise, f"{learner}/{path.name}")]
        assert row["statut"] == "ok", row
        assert row["message"] == ""
        assert 0 <= float(row["note"]) <= 20
        assert row["acquis"] in ("oui", "non")
        assert row["rapport"] == f"{learner}/{exercise}.html"
        assert (out / learner / f"{exercise}.html").is_file()
        assert int(row["erreurs"]) == sum(int(row[f"n_{t}"]) for t in ERROR_TYPES)
        for code in ("FID", "TER", "ORT", "IDV", "MEF"):
            assert row[f"{code}_acquis"] in ("oui", "non", "")

    failed = {k: r for k, r in by_key.items() if r["statut"] == "erreur"}
    assert {(k[0], k[1]) for k in failed} == {
        ("zoe", "01-cardiologie-consultation"), ("zoe", "02-pneumologie-consultation"),
        ("zoe", "99-exercice-inconnu"), (".brouillons", "")}
    msg = {k[1] or k[0]: r["message"] for k, r in failed.items()}
    assert msg["01-cardiologie-consultation"] == ("zoe/01-cardiologie-consultation.txt : le fichier est vide "
                                                  "(aucun texte).")
    assert msg["02-pneumologie-consultation"] == ("zoe/02-pneumologie-consultation.pdf : format non pris en charge "
                                                  "« .pdf » : formats acceptés .txt, .docx, .odt.")
    assert msg["99-exercice-inconnu"].startswith("zoe/99-exercice-inconnu.txt : exercice « 99-exercice-inconnu » "
                                                 "inconnu : pas de référence 99-exercice-inconnu.txt")
    assert msg[".brouillons"] == ("dossier d'apprenant refusé « .brouillons » : il commence par un point "
                                  "(fichier caché).")
    for r in failed.values():
        assert r["note"] == r["acquis"] == r["rapport"] == ""
    assert not (out / "zoe").exists()

    book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    assert book["summary"] == {"copies": len(files) + 4, "ok": len(files), "erreur": 4,
                               "moyenne": pytest.approx(sum(float(r["note"]) for r in rows if r["note"]) / len(files))}
    bareme = load_bareme()
    for item in book["items"]:
        if item["status"] == "ok":  # the very object `transcribe score --json` gives for this file
            alone = grade(score_files(copies / item["file"], REFERENCES / f"{item['exercise']}.txt"), bareme)
            assert item["score"] == json.loads(json.dumps(alone.to_dict()))
            assert by_key[(item["learner"], item["exercise"], item["file"])]["note"] == f"{alone.note:g}"
        else:
            assert item["score"] is None and item["message"]

    index = (out / "index.html").read_text(encoding="utf-8")
    for path in files:
        assert f'href="{path.parent.name}/{path.stem}.html"' in index
    assert index.count("<svg") == 4
    assert "http://" not in index.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in index
    assert f"{len(files)} copie(s) corrigée(s), 4 en erreur, moyenne" in result.stderr


def small_class(tmp_path: Path, learners=("ana", "ben", "chloe"), exercises=3) -> Path:
    """A class typed from the bundled references with a few changes each."""
    copies = tmp_path / "copies"
    refs = sorted(p for p in REFERENCES.glob("*.txt") if "." not in p.stem)[:exercises]
    for k, learner in enumerate(learners):
        for ref in refs:
            text = ref.read_text(encoding="utf-8")
            text = text.replace("é", "e", k + 1).replace(" la ", " ", k)
            (copies / learner).mkdir(parents=True, exist_ok=True)
            (copies / learner / ref.name).write_text(text, encoding="utf-8")
    return copies


def options(copies: Path, out: Path, **kw) -> BatchOptions:
    return BatchOptions(submissions=copies, references=kw.pop("references", REFERENCES), out=out,
                        bareme=kw.pop("bareme", load_bareme()), jobs=kw.pop("jobs", 1), **kw)


@pytest.fixture
def counted(monkeypatch):
    """Count (and optionally sabotage) the scorer calls of an in-process batch."""
    calls: list[str] = []
    real = batch.score_documents
    sabotage: dict = {}

    def scorer(submission, reference, exercise=None):
        name = f"{submission.path.parent.name}/{submission.path.stem}"
        calls.append(name)
        if name in sabotage:
            raise sabotage[name]
        return real(submission, reference, exercise)

    monkeypatch.setattr(batch, "score_documents", scorer)
    return calls, sabotage


def test_resume_recomputes_only_what_is_missing_or_changed(tmp_path, counted):
    calls, sabotage = counted
    copies = small_class(tmp_path)
    out = tmp_path / "out"
    first = run_batch(options(copies, out))
    assert (first.graded, first.failed, first.computed, first.cached) == (9, 0, 9, 0)
    assert len(calls) == 9
    book = (out / "gradebook.csv").read_bytes()

    calls.clear()
    again = run_batch(options(copies, out))
    assert calls == [] and (again.computed, again.cached) == (0, 9)
    assert (out / "gradebook.csv").read_bytes() == book

    # A cache entry lost (the run was killed before it was written): only that item is redone.
    entries = sorted((out / ".cache").glob("*.json"))
    assert len(entries) == 9
    lost = json.loads(entries[4].read_text(encoding="utf-8"))["record"]
    entries[4].unlink()
    (out / lost["report"]).unlink()
    calls.clear()
    run_batch(options(copies, out))
    assert calls == [f"{lost['learner']}/{lost['exercise']}"]
    assert (out / lost["report"]).is_file()
    assert (out / "gradebook.csv").read_bytes() == book

    # A report deleted by hand is rewritten from the cache, without grading again.
    page = out / "ben" / "01-cardiologie-consultation.html"
    page.unlink()
    calls.clear()
    run_batch(options(copies, out))
    assert calls == [] and page.is_file()

    # A submission changed: only it is graded again.
    changed = copies / "chloe" / "02-pneumologie-consultation.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nAjout.", encoding="utf-8")
    calls.clear()
    run_batch(options(copies, out))
    assert calls == ["chloe/02-pneumologie-consultation"]

    # Another barème: everything is graded again.
    calls.clear()
    run_batch(options(copies, out, bareme=load_bareme("brevet")))
    assert len(calls) == 9


def test_item_that_crashes_is_reported_then_redone_alone(tmp_path, counted):
    calls, sabotage = counted
    copies = small_class(tmp_path)
    out = tmp_path / "out"
    sabotage["ben/02-pneumologie-consultation"] = RuntimeError("panne simulée")
    first = run_batch(options(copies, out))
    assert (first.graded, first.failed) == (8, 1)
    bad = [r for r in first.records if r["status"] == "erreur"]
    assert bad[0]["message"] == ("ben/02-pneumologie-consultation.txt : erreur inattendue pendant la correction "
                                 "(RuntimeError : panne simulée).")
    sabotage.clear()
    calls.clear()
    second = run_batch(options(copies, out))
    assert calls == ["ben/02-pneumologie-consultation"]
    assert (second.graded, second.failed, second.cached) == (9, 0, 8)


def test_interrupted_run_keeps_finished_items(tmp_path, counted):
    calls, sabotage = counted
    copies = small_class(tmp_path)
    out = tmp_path / "out"
    sabotage["ben/01-cardiologie-consultation"] = KeyboardInterrupt()  # Ctrl-C on the 4th item
    with pytest.raises(KeyboardInterrupt):
        run_batch(options(copies, out))
    assert len(list((out / ".cache").glob("*.json"))) == 3
    assert not (out / "gradebook.csv").exists()
    sabotage.clear()
    calls.clear()
    result = run_batch(options(copies, out))
    assert len(calls) == 6 and "ana/01-cardiologie-consultation" not in calls
    assert (result.graded, result.cached) == (9, 3)


def test_exit_code_zero_and_summary_when_all_ok(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=2)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(copies), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = read_gradebook(out)
    notes = [float(r["note"]) for r in rows]
    mean = f"{sum(notes) / 2:.1f}".replace(".", ",")
    assert f"2 copie(s) corrigée(s), 0 en erreur, moyenne {mean}/20" in result.stderr
    assert [r["statut"] for r in rows] == ["ok", "ok"]


def test_decimal_comma_csv(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(copies), "--out", str(out), "-j", "1", "--decimal-comma"])
    assert result.exit_code == 0, result.output
    text = (out / "gradebook.csv").read_bytes()[3:].decode("utf-8")
    assert text.splitlines()[0].startswith("apprenant;exercice;fichier;statut;message;note;acquis;FID;FID_acquis")
    [row] = read_gradebook(out, ";")
    assert "," in row["WER"] and "." not in row["WER"]
    assert float(row["note"].replace(",", ".")) == json.loads(
        (out / "gradebook.json").read_text(encoding="utf-8"))["items"][0]["score"]["note"]
    assert text.endswith("\r\n")


def test_manifest_gives_durations_and_french_headers(tmp_path, mini_exercise):
    references = mini_exercise.parent
    copies = tmp_path / "copies"
    for learner in ("ana", "ben", "chloe"):
        (copies / learner).mkdir(parents=True)
        (copies / learner / "mini.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    (copies / "ben" / "mini-v2.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    manifest = tmp_path / "manifeste.csv"
    manifest.write_text("Apprenant;Exercice;Fichier;Durée (minutes)\n"
                        "ana;mini;;8\n"
                        "ben;mini;ben/mini-v2.txt;12,5\n"
                        "chloe;mini;;douze\n"
                        "../evil;mini;;5\n", encoding="utf-8-sig")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(copies), "-r", str(references), "--manifest", str(manifest),
                                       "--out", str(out), "-j", "1"])
    assert result.exit_code == 1, result.output
    rows = rows_by_key(read_gradebook(out))
    assert rows[("ana", "mini", "ana/mini.txt")]["DEL_acquis"] == "oui"
    assert rows[("ana", "mini", "ana/mini.txt")]["duree_minutes"] == "8"
    assert rows[("ben", "mini", "ben/mini-v2.txt")]["DEL_acquis"] == "non"
    assert rows[("ben", "mini", "ben/mini-v2.txt")]["DEL"] == "1.25"
    # The manifest decides which of ben's files is his « mini »: ben/mini.txt is left out.
    assert ("ben", "mini", "ben/mini.txt") not in rows and len(rows) == 4
    assert rows[("chloe", "mini", "chloe/mini.txt")]["message"] == (
        "durée invalide « douze » (un nombre de minutes est attendu) (manifeste ligne 4).")
    evil = rows[("../evil", "mini", "")]
    assert evil["statut"] == "erreur"
    assert evil["message"] == ("nom d'apprenant refusé « ../evil » : il contient un séparateur de chemin "
                               "(manifeste ligne 5).")
    assert not (tmp_path / "evil").exists() and not (out.parent / "evil").exists()


def test_manifest_english_headers(tmp_path, mini_exercise):
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    (copies / "ana" / "mini.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("learner,exercise,elapsed_minutes\nana,mini,9.5\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_batch(options(copies, out, references=mini_exercise.parent, manifest=manifest))
    assert result.records[0]["elapsed_minutes"] == 9.5
    assert result.records[0]["score"]["criteria"]["DEL"]["acquis"] is True


def test_manifest_without_learner_column_is_a_usage_error(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    manifest = tmp_path / "m.csv"
    manifest.write_text("eleve_id,exercice\n1,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["grade", str(copies), "-m", str(manifest), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "colonne « apprenant »" in result.stderr


@pytest.mark.parametrize("where", ["same", "inside"])
def test_out_dir_never_in_the_submissions(tmp_path, where):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    out = copies if where == "same" else copies / "ana"
    before = tree_digest(copies)
    result = CliRunner().invoke(main, ["grade", str(copies), "--out", str(out), "-j", "1"])
    assert result.exit_code == 2
    assert "dossier des copies" in result.stderr
    assert tree_digest(copies) == before


def test_output_colliding_with_an_input_is_refused(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    out = tmp_path / "out"
    out.mkdir()
    manifest = out / "gradebook.csv"
    manifest.write_text("apprenant,exercice\nana,01-cardiologie-consultation\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["grade", str(copies), "-m", str(manifest), "--out", str(out)])
    assert result.exit_code == 2
    assert "écraserait un fichier d'entrée" in result.stderr
    assert manifest.read_text(encoding="utf-8").startswith("apprenant,exercice")


def test_unsafe_folder_names_and_office_leftovers(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    (copies / "bad\x01name").mkdir()
    (copies / "bad\x01name" / "01-cardiologie-consultation.txt").write_text("x", encoding="utf-8")
    (copies / "ana" / ".~lock.01-cardiologie-consultation.odt#").write_text("lock", encoding="utf-8")
    (copies / "ana" / "~$cardiologie.docx").write_bytes(b"owner")
    out = tmp_path / "out"
    result = run_batch(options(copies, out))
    assert [(r["learner"], r["status"]) for r in result.records] == [("ana", "ok"), ("bad\\x01name", "erreur")]
    assert result.records[1]["message"] == ("dossier d'apprenant refusé « bad\\x01name » : il contient un "
                                            "caractère de contrôle.")


def test_formula_like_text_is_defused_in_the_csv(tmp_path):
    copies = small_class(tmp_path, learners=("=cmd",), exercises=1)
    run_batch(options(copies, tmp_path / "out"))
    [row] = read_gradebook(tmp_path / "out")
    assert row["apprenant"] == "'=cmd"


def test_learner_page_escapes_the_submitted_text(tmp_path):
    copies = small_class(tmp_path, learners=("ana",), exercises=1)
    page = copies / "ana" / "01-cardiologie-consultation.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n<script>alert(1)</script> <b onmouseover=x>",
                    encoding="utf-8")
    run_batch(options(copies, tmp_path / "out"))
    html = (tmp_path / "out" / "ana" / "01-cardiologie-consultation.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b onmouseover" not in html
    assert html.count("<script") == 1  # the page's own error catcher only
    parser = CopyText()
    parser.feed(html)
    assert parser.text.endswith("\n<script>alert(1)</script> <b onmouseover=x>")
    assert "b" not in parser.tags_inside


class CopyText(HTMLParser):
    """The text of the element ``#copy`` (the learner's text, error numbers left out), its tags."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.in_number = False
        self.text = ""
        self.tags_inside: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
            self.tags_inside.append(tag)
            self.in_number = tag == "sup"
        elif ("id", "copy") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            self.in_number = False

    def handle_data(self, data):
        if self.depth and not self.in_number:
            self.text += data


def test_no_submission_found_is_a_usage_error(tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "01-cardiologie-consultation.txt").write_text("Texte.", encoding="utf-8")
    result = CliRunner().invoke(main, ["grade", str(copies), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert ("aucune copie trouvée : les copies doivent être rangées dans un dossier par apprenant "
            "(par exemple alice/01-cardiologie-consultation.txt).") in result.stderr
    assert not (tmp_path / "out").exists()


def test_corrupt_document_is_one_failed_row(tmp_path):
    copies = small_class(tmp_path, learners=("ana", "ben"), exercises=1)
    (copies / "ben" / "01-cardiologie-consultation.txt").unlink()
    (copies / "ben" / "01-cardiologie-consultation.docx").write_bytes(b"PK\x03\x04 pas un vrai docx")
    result = run_batch(options(copies, tmp_path / "out"))
    assert [(r["learner"], r["status"], r["message"]) for r in result.records] == [
        ("ana", "ok", ""),
        ("ben", "erreur", "ben/01-cardiologie-consultation.docx : document Word (.docx) illisible ou corrompu.")]


def test_bad_reference_metadata_names_the_toml(tmp_path, mini_exercise):
    references = mini_exercise.parent
    mini_exercise.with_suffix(".toml").write_text("title = \n", encoding="utf-8")
    copies = tmp_path / "copies"
    (copies / "ana").mkdir(parents=True)
    (copies / "ana" / "mini.txt").write_text(mini_exercise.read_text(encoding="utf-8"), encoding="utf-8")
    [record] = run_batch(options(copies, tmp_path / "out", references=references)).records
    assert record["status"] == "erreur"
    assert record["message"].startswith(f"ana/mini.txt : {references / 'mini.toml'} : métadonnées illisibles "
                                        "(TOML invalide)")


def test_damaged_cache_entry_is_recomputed(tmp_path, counted):
    calls, _ = counted
    copies = small_class(tmp_path, learners=("ana",), exercises=2)
    out = tmp_path / "out"
    run_batch(options(copies, out))
    entry = sorted((out / ".cache").glob("*.json"))[0]
    entry.write_text("{tronqué", encoding="utf-8")
    calls.clear()
    result = run_batch(options(copies, out))
    assert len(calls) == 1 and (result.graded, result.cached) == (2, 1)
    assert json.loads(entry.read_text(encoding="utf-8"))["record"]["status"] == "ok"
