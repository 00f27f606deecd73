"""The metadata a new exercise starts with, suggested from its reference text and recording.

Every value is a suggestion for the trainer to review (``docs/creation.md`` shows them):

- **title**: the trainer's, else the document type the text names (its first three lines
  first, then the whole text: « compte rendu opératoire », « lettre de liaison », « certificat »,
  « ordonnance », « échographie », « IRM », « scanner », « consultation »…), a
  consultation named after its specialty (« Consultation de cardiologie »); « Compte rendu »
  when nothing is found.
- **specialty**: the trainer's, else a specialty the text names (« service de
  pneumologie »), else the specialty word list (``data/vocabulaire_specialites.tsv``) that
  shares the most terms with the text and the near-miss proposals, else none.
- **difficulty**: from the number of long words (``LONG_WORD_LETTERS`` letters or more, the
  technical vocabulary a learner must spell): up to 18 « facile », up to 29 « moyen », more
  « difficile » (the bundled exercises' own difficulties: 12 of 15 found again from their
  references, 11 of 15 from their Whisper drafts).
- **time_limit_minutes**: the recording's duration times ``TIME_FACTORS[difficulty]`` (11,
  13, 15: the mean ratio of time allowed to duration of the bundled exercises of each
  difficulty), rounded to the nearest 5 minutes, at least 5.
- **patient**: the identity fields the text states: « Patient(e) : » or a civility (M.,
  Mme, Madame, Monsieur…) followed by the name (a word in capitals is the surname, else
  first name then surname), « né(e) le DATE » (date of birth), « IPP : N ».
- **critical_values**: what grading calls critical (`classify`): numbers written in digits
  with their unit (« 5 mg », « 145/90 mmHg », « 55 % »), dates, laterality words (« gauche »).
- **terms**: the medical lexicon's terms found in the text (specialty names left out).
- **sections**: the headings `layout.detect_sections` finds (« Conclusion : »), identity
  labels (« IPP : ») left out.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..normalize import loose_key

LONG_WORD_LETTERS = 9
DIFFICULTY_LONG_WORDS = ((18, "facile"), (29, "moyen"))  # at most this many long words → difficulty
TIME_FACTORS = {"facile": 11, "moyen": 13, "difficile": 15}
TIME_STEP_MINUTES = 5
# (folded words the text says, title): the first that the first line, then the text, contains.
DOCUMENT_TYPES = (
    ("compte rendu operatoire", "Compte rendu opératoire"),
    ("lettre de liaison", "Lettre de liaison à la sortie"),
    ("lettre de sortie", "Lettre de sortie"),
    ("certificat", "Certificat médical"),
    ("ordonnance", "Ordonnance"),
    ("situation sociale", "Rapport de situation sociale"),
    ("angioscanner", "Angioscanner"),
    ("echographie", "Échographie"),
    ("irm", "IRM"),
    ("scanner", "Scanner"),
    ("radiographie", "Radiographie"),
    ("consultation", "Consultation"),
)
DEFAULT_TITLE = "Compte rendu"
HEAD_LINES = 3  # the letterhead, the document's own title, the patient: where a type is named
IDENTITY_LABELS = {"ipp", "nom", "prenom", "date de naissance", "nir", "numero de securite sociale"}
CIVILITY = r"(?:M\.|Mr|Mme|Mlle|(?i:madame|monsieur|mademoiselle))"
_DATE = (r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}(?:er)?\s+(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|"
         r"août|aout|septembre|octobre|novembre|décembre|decembre)\s+\d{4}")
_NAME_WORD = r"[A-ZÀ-Ý][\wÀ-ÿ'’-]*"
_PATIENT = re.compile(rf"(?:\bPatient(?:e)?\s*:\s*(?:{CIVILITY}\s+)?|\b{CIVILITY}\s+)"
                      rf"(?P<name>{_NAME_WORD}(?:\s+(?:de\s+|d'|du\s+|le\s+|la\s+)?{_NAME_WORD}){{0,3}})")
_BIRTH = re.compile(rf"\bné(?:e)?\s+le\s+(?P<date>{_DATE})", re.IGNORECASE)
_IPP = re.compile(r"\bIPP\s*:?\s*(?P<ipp>\d[\d ]{2,}\d)")


@dataclass
class Suggestions:
    title: str
    specialty: str
    difficulty: str
    time_limit_minutes: float
    patient: dict[str, str] = field(default_factory=dict)
    critical_values: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # key → how it was found, in French

    def to_dict(self) -> dict:
        return asdict(self)


def _folded(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", loose_key(text)))


def _contains(folded_text: str, folded_words: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(folded_words)}(?![a-z0-9])", folded_text) is not None


def document_type(text: str) -> str | None:
    """The document type's title the first lines name, else the text (see DOCUMENT_TYPES)."""
    lines = [line for line in text.splitlines() if line.strip()]
    for part in (lines[:HEAD_LINES], lines):
        folded = _folded(" ".join(part))
        for words, title in DOCUMENT_TYPES:
            if _contains(folded, words):
                return title
    return None


def _of(specialty: str) -> str:
    """« de cardiologie », « d'ophtalmologie »."""
    return ("d'" if loose_key(specialty)[:1] in "aeiouyh" else "de ") + specialty


def suggest_title(text: str, specialty: str) -> tuple[str, str]:
    kind = document_type(text)
    if kind is None:
        return DEFAULT_TITLE, "aucun type de document reconnu dans le texte"
    if kind == "Consultation" and specialty:
        return f"Consultation {_of(specialty)}", "type de document et spécialité"
    return kind, "type de document nommé dans le texte"


def suggest_specialty(text: str, extra_words: list[str] = ()) -> tuple[str, str]:
    """(specialty, how it was found): named in the text, else the word list sharing most terms."""
    from ..asr.vocabulary import specialty_lists

    folded = _folded(text)
    named = [(folded.find(_folded(name)), name) for name in specialty_lists() if _contains(folded, _folded(name))]
    if named:
        return min(named)[1], "spécialité nommée dans le texte"
    folded_all = _folded(" ".join([text, *extra_words]))
    counts = {name: sum(_contains(folded_all, _folded(term)) for term in terms)
              for name, terms in specialty_lists().items()}
    best = max(counts, key=lambda name: counts[name], default=None)
    if best is None or counts[best] == 0:
        return "", "aucune spécialité reconnue"
    return best, f"{counts[best]} terme(s) de sa liste dans le texte"


def suggest_difficulty(text: str) -> str:
    from ..tokenize import tokenize

    long_words = sum(1 for t in tokenize(text)
                     if t.kind == "word" and sum(c.isalpha() for c in t.text) >= LONG_WORD_LETTERS)
    for most, difficulty in DIFFICULTY_LONG_WORDS:
        if long_words <= most:
            return difficulty
    return "difficile"


def suggest_time_limit(duration_seconds: float, difficulty: str) -> float:
    minutes = duration_seconds / 60 * TIME_FACTORS.get(difficulty, TIME_FACTORS["moyen"])
    return float(max(TIME_STEP_MINUTES, round(minutes / TIME_STEP_MINUTES) * TIME_STEP_MINUTES))


def suggest_patient(text: str) -> dict[str, str]:
    """Identity fields the text states (see the module's docstring), as written there."""
    patient: dict[str, str] = {}
    match = _PATIENT.search(text)
    if match:
        words = match["name"].split()
        surname = [w for w in words if len(w) > 1 and w.replace("-", "").replace("'", "").isupper()]
        if surname:
            patient["nom"] = " ".join(surname)
            first = [w for w in words if w not in surname]
            if first:
                patient["prenom"] = " ".join(first)
        elif len(words) >= 2:
            patient["prenom"], patient["nom"] = words[0], " ".join(words[1:])
        else:
            patient["nom"] = words[0]
    if birth := _BIRTH.search(text):
        patient["date_naissance"] = " ".join(birth["date"].split())
    if ipp := _IPP.search(text):
        patient["ipp"] = ipp["ipp"].strip()
    return patient


def suggest_critical_values(text: str) -> list[str]:
    """Numbers in digits with their unit, dates, laterality words: in order, once each."""
    from ..classify import LATERALITY
    from ..views import text_items

    items = text_items(text)
    values: list[str] = []
    for i, item in enumerate(items):
        value = None
        if item.kind == "number" and any(c.isdigit() for c in item.surface):
            value = item.surface
            if i + 1 < len(items) and items[i + 1].kind == "unit":
                value += " " + items[i + 1].surface
        elif item.kind == "word" and item.surface.lower() in LATERALITY:
            value = item.surface.lower()
        if value and value not in values:
            values.append(value)
    return values


def suggest_terms(text: str) -> list[str]:
    from ..asr.vocabulary import terms_in_text

    return terms_in_text(text, exclude_categories=("specialite",))


def suggest(text: str, duration_seconds: float, *, title: str | None = None, specialty: str | None = None,
            proposals: list[str] = ()) -> Suggestions:
    """Every suggestion for a reference ``text`` dictated in ``duration_seconds``; ``title``
    and ``specialty`` given by the trainer win; ``proposals`` (near-miss spellings) help to
    recognise the specialty."""
    from ..layout import detect_sections

    sources = {}
    if specialty is None:
        specialty, sources["specialty"] = suggest_specialty(text, list(proposals))
    else:
        sources["specialty"] = "donnée par le formateur"
    if title is None:
        title, sources["title"] = suggest_title(text, specialty)
    else:
        sources["title"] = "donné par le formateur"
    difficulty = suggest_difficulty(text)
    sources["difficulty"] = f"mots de {LONG_WORD_LETTERS} lettres ou plus"
    limit = suggest_time_limit(duration_seconds, difficulty)
    sources["time_limit_minutes"] = (f"durée de l'enregistrement × {TIME_FACTORS[difficulty]} (difficulté "
                                     f"{difficulty}), arrondie à {TIME_STEP_MINUTES} min")
    return Suggestions(title=title, specialty=specialty, difficulty=difficulty, time_limit_minutes=limit,
                       patient=suggest_patient(text), critical_values=suggest_critical_values(text),
                       terms=suggest_terms(text), sources=sources,
                       sections=[s for s in detect_sections(text.split("\n")) if _folded(s) not in IDENTITY_LABELS])
