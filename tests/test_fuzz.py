"""Fuzzing: random texts and numbers (hypothesis), and a corpus of hostile files run through
every verb (tests/hostile.py). Wanted: no traceback, no hang, no input changed."""

import csv
import hashlib
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from transcribe.commands.params import FiniteFloat
from transcribe.errors import TranscribeError
from transcribe.grading import grade, load_bareme
from transcribe.normalize import normalize_text
from transcribe.reading import read_document
from transcribe.scoring import score_texts
from transcribe.submissions import parse_minutes

FEW = settings(max_examples=40, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
# Letters, French accents, digits, units, punctuation, spaces of every kind, controls, bidi.
ALPHABET = st.sampled_from(list("aeiouyAEbcdlmnprstéèêàçœÉÈ0123456789,.;:!?'’«»()-/%°\n \t\u00a0\u202f")
                           + ["mg", "mmHg", " le ", " la ", "\u202e", "\u2066", "\u200b", "\x00", "\x1b", "\r\n"])
TEXTS = st.lists(ALPHABET, max_size=120).map("".join)
BIDI_AND_ZERO_WIDTH = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u200c\u200d")


@FEW
@given(copy=TEXTS, reference=TEXTS)
def test_any_text_pair_scores_to_strict_json(copy, reference):
    if not reference.strip():
        reference = "Compte rendu."
    result = grade(score_texts(copy, reference), load_bareme(), elapsed_minutes=5.0)
    data = result.to_dict()
    json.dumps(data, allow_nan=False)  # never NaN nor Infinity
    assert 0 <= data["note"] <= 20
    assert all(e["type"] for e in data["errors"])


@FEW
@given(text=TEXTS)
def test_normalised_text_holds_no_invisible_control(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert not BIDI_AND_ZERO_WIDTH & set(once)


@FEW
@given(value=st.one_of(st.floats(), st.text(max_size=12), st.sampled_from(["1e400", "-1e400", "nan", "inf",
                                                                            "12,5", " 3 ", "1_000"])))
def test_numbers_are_finite_or_refused(value):
    text = value if isinstance(value, str) else repr(value)
    try:
        minutes = parse_minutes(text)
    except ValueError:
        pass
    else:
        assert math.isfinite(minutes) and minutes >= 0
    try:
        number = FiniteFloat(min=0).convert(text, None, None)
    except click.BadParameter:
        pass
    else:
        assert math.isfinite(number) and number >= 0


@FEW
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".docx", ".odt"]))
def test_any_bytes_read_as_a_document_or_a_french_error(tmp_path, data, suffix):
    path = tmp_path / f"copie{suffix}"
    path.write_bytes(data)
    try:
        document = read_document(path)
    except TranscribeError as exc:
        assert exc.path == path and exc.message
    else:
        assert document.text.strip()


def digests(root: Path) -> dict[str, str]:
    """SHA-256 of every regular file under root (links and pipes not followed)."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.slow
def test_hostile_corpus_no_traceback_no_hang_inputs_unchanged(tmp_path):
    root, out = tmp_path / "corpus", tmp_path / "sorties"
    root.mkdir()
    hostile.build(root)
    before = digests(root)
    env = {**os.environ, "TRANSCRIBE_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        run = subprocess.run([sys.executable, str(Path(hostile.__file__)), str(root), str(out)], env=env,
                             capture_output=True, text=True, timeout=240, cwd=tmp_path)
    except subprocess.TimeoutExpired as exc:
        done = (exc.stdout or b"").decode(errors="replace").strip().splitlines()
        pytest.fail(f"hang after {len(done)} cases; last finished: {done[-1] if done else 'none'}")
    assert run.returncode == 0, run.stderr[-3000:]
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == len(hostile.cases(root, out))
    escaped = [(r["case"], r["exception"], r["detail"]) for r in results if r["exception"]]
    assert escaped == []
    assert [r["case"] for r in results if "Traceback" in r["stderr"] or r["exit_code"] not in (0, 1, 2)] == []
    by_case = {r["case"]: r for r in results}
    # A few that must fail, each with its own message.
    assert by_case["score tube.txt"]["exit_code"] == 2
    assert "ce n'est pas un fichier ordinaire" in by_case["score tube.txt"]["stderr"]
    assert "déclare une DTD ou des entités XML" in by_case["score entites.docx"]["stderr"]
    assert "se décompresse plus de 100 fois" in by_case["score bombe.odt"]["stderr"]
    assert "fichier d'entrée de la commande" in by_case["score -o copie"]["stderr"]
    assert "fichier d'entrée de la commande" in by_case["asr -o audio"]["stderr"]
    assert "aucun programme ne lit ce tube nommé" in by_case["score -o tube"]["stderr"]
    assert by_case["exercises"]["exit_code"] == 1
    for name in ("audio-base", "audio-absolu"):
        assert "clé « audio » : un fichier audio (.flac, .wav, .mp3, .ogg) est attendu" in \
            by_case[f"score référence {name}"]["stderr"]
    assert by_case["draft tube.wav"]["exit_code"] == 2
    assert by_case["bench inconnus.trn"]["exit_code"] == 2
    assert by_case["grade classe"]["exit_code"] == 1
    assert "n'est pas un nombre fini" in by_case["score --elapsed '1e400'"]["stderr"]
    assert digests(root) == before
    for path in out.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda name: pytest.fail(f"{name} in {path}"))
    book = (out / "classe" / "gradebook.csv").read_text(encoding="utf-8-sig")
    assert "root:x:0:0" not in book
    cells = [cell for row in list(csv.reader(io.StringIO(book)))[1:] for cell in row]
    assert [cell for cell in cells if cell and cell[0] in "=+@\t\r" or cell.startswith("-") and not
            cell[1:2].isdigit()] == []
    assert not any("root:x:0:0" in p.read_text(encoding="utf-8") for p in (out / "classe").rglob("*.html"))
