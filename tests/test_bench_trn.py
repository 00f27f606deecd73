"""sclite trn files: written then read back unchanged; bad lines named."""

import pytest

from transcribe.bench.trn import format_trn, parse_trn, read_trn, write_trn
from transcribe.errors import TranscribeError
from transcribe.views import lenient_text


def test_round_trip(tmp_path):
    utterances = {
        "01-cardiologie": "le patient présente une hypertension artérielle 5 mg",
        "02-x_y": "l' électrocardiogramme montre 120/80 mmhg à 38,5 °c",
        "03-vide": "",
    }
    path = write_trn(tmp_path / "sys.trn", utterances)
    assert read_trn(path) == utterances
    assert path.read_text(encoding="utf-8").splitlines()[0] == \
        "le patient présente une hypertension artérielle 5 mg (01-cardiologie)"
    assert list(read_trn(path)) == list(utterances)  # order kept


def test_lenient_view_round_trip(tmp_path):
    text = "Mme DUPONT, née le 14/09/1951 : amlodipine 5 mg (matin)."
    words = lenient_text(text)
    assert read_trn(write_trn(tmp_path / "r.trn", {"u1": words})) == {"u1": words}
    assert "(" not in words and "," not in words.replace("38,5", "")


def test_parentheses_in_words_are_dropped():
    assert format_trn({"u": "a (b) c"}) == "a b c (u)\n"


def test_comments_blank_lines_and_bom(tmp_path):
    assert parse_trn(";; commentaire\n\nbonjour  monsieur (u1)\n") == {"u1": "bonjour monsieur"}
    # A trn saved by a Windows editor starts with a BOM: it is not part of the first word.
    path = tmp_path / "ref.trn"
    path.write_bytes(b"\xef\xbb\xbfbonjour monsieur (u1)\r\nau revoir (u2)\r\n")
    assert read_trn(path) == {"u1": "bonjour monsieur", "u2": "au revoir"}
    path.write_bytes(b"\xef\xbb\xbf;; sclite\nbonjour (u1)\n")
    assert read_trn(path) == {"u1": "bonjour"}


def test_bad_line_is_named(tmp_path):
    bad = tmp_path / "bad.trn"
    bad.write_text("ok (u1)\nsans identifiant\n", encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        read_trn(bad)
    assert str(info.value) == f"{bad} : ligne 2 : format trn attendu « mots (identifiant) »."
    with pytest.raises(TranscribeError) as info:
        format_trn({"id avec espace": "x"})
    assert str(info.value) == "identifiant d'énoncé invalide pour un fichier trn : « id avec espace »."
    latin = tmp_path / "latin.trn"
    latin.write_bytes("fièvre (u1)\n".encode("cp1252"))
    with pytest.raises(TranscribeError) as info:
        read_trn(latin)
    assert str(info.value).startswith(f"{latin} : fichier trn illisible : ")


def test_indented_comment_and_empty_utterance():
    assert parse_trn("   ;; indenté\n(u1)\n") == {"u1": ""}
    assert format_trn({"u1": ""}) == "(u1)\n"


def test_trn_words_score_as_the_same_words():
    from pathlib import Path

    from transcribe.bench.trn import words_to_text

    root = Path(__file__).resolve().parent.parent
    for ref in sorted(p for p in (root / "references").glob("*.txt") if "." not in p.stem):  # no drafts
        words = lenient_text(ref.read_text(encoding="utf-8"))
        assert lenient_text(words_to_text(words)) == words, ref.name
