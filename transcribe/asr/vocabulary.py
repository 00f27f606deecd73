"""The vocabulary that biases Whisper for one dictation, chosen by a biasing mode.

Modes (``--biais``), from no information to the reference's own information:

- ``aucun``: no vocabulary.
- ``specialite``: the user's own list (``--vocabulaire``, like a dictation software's user
  dictionary), then the word list of the dictation's specialty
  (``data/vocabulaire_specialites.tsv``, a tagged subset of the medical lexicon). This is
  what a hospital deploys: nothing comes from the reference.
- ``exercice``: the exercise's own terms first (its ``.toml`` ``terms``, or, when it lists
  none, the medical terms the lexicon finds in its reference), then the user's list and the
  specialty list's first ``SPECIALTY_AFTER_EXERCISE`` words. It
  uses the reference: right for producing a draft, but *oracle* information when comparing
  engines, and labelled so in every bench output.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import TranscribeError

MODES = ("aucun", "specialite", "exercice")
# In the exercice mode, the specialty only completes the exercise's terms with its first words:
# on the bundled corpus, the whole list after the exercise's terms made some dictations derail.
SPECIALTY_AFTER_EXERCISE = 9
REFERENCE_MODES = ("exercice",)  # modes that use information from the reference
MODE_ALIASES = {"non": "aucun", "sans": "aucun", "oui": "exercice", "spécialité": "specialite"}
_DATA = resources.files("transcribe") / "data" / "vocabulaire_specialites.tsv"
# Other names of a specialty (folded words) → the list's name.
SPECIALTY_ALIASES = {
    "imagerie": "radiologie", "echographie": "radiologie", "gynecologie": "gynécologie-obstétrique",
    "obstetrique": "gynécologie-obstétrique", "orthopedique": "rhumatologie", "orthopedie": "rhumatologie",
    "traumatologie": "rhumatologie", "nephrologie": "urologie", "hepatologie": "gastro-entérologie",
    "generaliste": "médecine générale",
}


def canonical_mode(mode: str | bool | None) -> str:
    """``aucun``, ``specialite`` or ``exercice`` from a mode or one of its aliases (True = exercice)."""
    if mode is True or mode is None:
        return "exercice"
    if mode is False:
        return "aucun"
    name = MODE_ALIASES.get(str(mode).strip().lower(), str(mode).strip().lower())
    if name not in MODES:
        raise TranscribeError(f"mode d'orientation inconnu : {mode} (choix : {', '.join(MODES)}).")
    return name


def uses_reference(mode: str) -> bool:
    return canonical_mode(mode) in REFERENCE_MODES


def _folded_words(text: str) -> list[str]:
    """Lower-case words without accents: « Gynécologie-obstétrique » → [gynecologie, obstetrique]."""
    text = unicodedata.normalize("NFKD", text.lower())
    return re.findall(r"[a-z0-9]+", "".join(c for c in text if not unicodedata.combining(c)))


@lru_cache(maxsize=1)
def specialty_lists() -> dict[str, list[str]]:
    """{specialty: terms in order} from the bundled data file."""
    lists: dict[str, list[str]] = {}
    if _DATA.is_file():
        with _DATA.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                lists.setdefault(row["specialty"], []).append(row["term"])
    return lists


def specialty_matches(specialty: str | None) -> list[str]:
    """The lists that an exercise's ``specialty`` names: all of a list's name words are in it,
    or an alias is (« chirurgie orthopédique » → chirurgie and rhumatologie; « imagerie » → radiologie)."""
    words = set(_folded_words(specialty or ""))
    if not words:
        return []
    names = [name for name in specialty_lists() if set(_folded_words(name)) <= words]
    names += [name for alias, name in SPECIALTY_ALIASES.items() if alias in words and name in specialty_lists()]
    return list(dict.fromkeys(names))


def specialty_words(specialty: str | None) -> list[str]:
    """The word lists of a specialty, concatenated (empty for an unknown specialty)."""
    return [term for name in specialty_matches(specialty) for term in specialty_lists()[name]]


def reference_terms(exercise) -> list[str]:
    """The medical terms the lexicon finds in the exercise's reference, in order of first occurrence."""
    try:
        return terms_in_text(exercise.reference_text())
    except (OSError, TranscribeError):
        return []


def terms_in_text(text: str, exclude_categories: tuple[str, ...] = ()) -> list[str]:
    """The medical terms the lexicon finds in a text, as written there, in order of first
    occurrence (those of ``exclude_categories`` left out)."""
    from ..lexicon import load_lexicon
    from ..tokenize import tokenize

    tokens = [t for t in tokenize(text) if not t.is_punct]
    words = [t.text for t in tokens]
    seen, out = set(), []
    for match in load_lexicon().match(words):
        term = " ".join(text[tokens[match.start].start:tokens[match.end - 1].end].split())
        if term.lower() not in seen and match.term.category not in exclude_categories:
            seen.add(term.lower())
            out.append(term)
    return out


def exercise_terms(exercise) -> list[str]:
    """The exercise's ``terms``, or the lexicon's terms found in its reference when it lists none."""
    terms = list(getattr(exercise, "terms", None) or [])
    return terms or reference_terms(exercise)


def read_vocabulary_file(path: str | Path) -> list[str]:
    """One term per line (blank lines and ``#`` comments ignored), in a text encoding we detect."""
    from ..reading import read_text_file

    path = Path(path)
    if not path.is_file():
        raise TranscribeError("fichier de vocabulaire introuvable.", path)
    try:
        text = read_text_file(path)
    except TranscribeError:
        raise
    except (OSError, ValueError) as exc:
        raise TranscribeError(f"fichier de vocabulaire illisible ({exc}).", path) from exc
    terms = [" ".join(line.split()) for line in text.splitlines()]
    terms = [t for t in terms if t and not t.startswith("#")]
    if not terms:
        raise TranscribeError("fichier de vocabulaire vide (attendu : un terme par ligne).", path)
    return terms


def vocabulary_for(mode: str | bool | None, exercise=None, specialty: str | None = None,
                   extra: list[str] | None = None) -> list[str] | None:
    """The decoder's vocabulary for one dictation under a mode (None: no biasing).

    ``specialty`` overrides the exercise's; ``extra`` is the user's own list."""
    mode = canonical_mode(mode)
    if mode == "aucun":
        return None
    specialty = specialty if specialty is not None else getattr(exercise, "specialty", None)
    words = specialty_words(specialty)
    if mode == "exercice" and exercise is not None:
        return exercise_terms(exercise) + list(extra or []) + words[:SPECIALTY_AFTER_EXERCISE] or None
    return list(extra or []) + words or None
