"""The given material of a new exercise, as far as the recording tells it (format: `exercise`).

What the learner receives with the recording (``exercise.Given``), guessed from the
reference Whisper drafted and its suggested metadata, for the trainer to complete:

- **consigne**: one sentence by document type (« Saisissez sous la dictée le compte rendu
  de consultation dans le modèle… »), « en vérifiant l'identité du patient sur la fiche »
  when an identity was found, and the writing conventions the text calls for (dates in
  digits, units as symbols) when it holds dates or measurements;
- **[fiche]**: the patient identity found (« Nom », « Prénom », « Date de naissance »,
  « IPP », the values exactly those of ``[patient]``, as the loader requires) and the
  document's date when its first lines state one (« … du 12/03/2026 »);
- **template** (``<id>.modele.txt``): the marker line ``[texte dicté]`` alone. A template's
  other lines must be lines of the reference that the dictation never says (letterhead,
  signature block); a reference drafted from the recording holds only what was dictated,
  so there is none yet: the trainer adds the letterhead above the marker and the signature
  below it once they are in the reference.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..exercise import BODY_MARKER
from ..views import UNIT_SYMBOLS
from .suggestions import HEAD_LINES, Suggestions, document_type

# Document type (suggestions.DOCUMENT_TYPES' titles) → what the learner types, in the consigne.
DOCUMENTS = {
    "Compte rendu opératoire": "le compte rendu opératoire",
    "Lettre de liaison à la sortie": "la lettre de liaison",
    "Lettre de sortie": "la lettre de sortie",
    "Certificat médical": "le certificat médical",
    "Ordonnance": "l'ordonnance",
    "Rapport de situation sociale": "le rapport de situation sociale",
    "Angioscanner": "le compte rendu d'angioscanner",
    "Échographie": "le compte rendu d'échographie",
    "IRM": "le compte rendu d'IRM",
    "Scanner": "le compte rendu de scanner",
    "Radiographie": "le compte rendu de radiographie",
    "Consultation": "le compte rendu de consultation",
}
DEFAULT_DOCUMENT = "le compte rendu"
SHEET_LABELS = (("nom", "Nom"), ("prenom", "Prénom"), ("date_naissance", "Date de naissance"), ("ipp", "IPP"))
_DOCUMENT_DATE = re.compile(r"\bdu\s+(\d{1,2}/\d{1,2}/\d{4}|\d{1,2}(?:er)?\s+[a-zéû]+\s+\d{4})")


@dataclass
class GivenMaterial:
    consigne: str
    fiche: dict[str, str] = field(default_factory=dict)  # label → value, in order
    template: str = BODY_MARKER + "\n"

    def to_dict(self) -> dict:
        return asdict(self)


def suggest_given(text: str, suggestions: Suggestions) -> GivenMaterial:
    """The consigne, sheet and template of a new exercise (see the module's docstring)."""
    document = DOCUMENTS.get(document_type(text) or "", DEFAULT_DOCUMENT)
    consigne = f"Saisissez sous la dictée {document} dans le modèle"
    if suggestions.patient:
        consigne += ", en vérifiant l'identité du patient sur la fiche"
    conventions = []
    values = suggestions.critical_values
    if any("/" in v and v.count("/") == 2 for v in values):
        conventions.append("les dates en chiffres (JJ/MM/AAAA)")
    if any(" " in v and v[:1].isdigit() and v.rsplit(" ", 1)[1].lower() in UNIT_SYMBOLS for v in values):
        conventions.append("les unités en symboles (mg, mmHg, %…)")
    consigne += "." + (f" Écrivez {' et '.join(conventions)}." if conventions else "")
    fiche = {label: suggestions.patient[key] for key, label in SHEET_LABELS if key in suggestions.patient}
    head = "\n".join(line for line in text.splitlines() if line.strip())
    head = "\n".join(head.splitlines()[:HEAD_LINES])
    if date := _DOCUMENT_DATE.search(head):
        fiche["Date du document"] = " ".join(date[1].split())
    return GivenMaterial(consigne, fiche)
