"""The audit log as a trainer reads it: each action in French, each detail named and shown in French.

An entry's ``detail`` holds plain values (ids, ISO dates, lists, ``None``): the journal page
never shows one as Python writes it. A class or an account is shown by its name (the ids are
looked up), a date in the one French format of the pages (``pages.date_fr``), a mode by its
label, a list joined, a boolean as « oui »/« non »; a missing opening or closing date of an
assignment says what it means (« dès maintenant », « jamais »), any other empty value is left
out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..pages import date_fr
from .classes import MODE_LABELS
from .models import AuditEntry, SchoolClass, User

ACTIONS = {
    "classe_creee": "Classe créée",
    "classe_creee_moodle": "Classe créée depuis Moodle",
    "code_renouvele": "Code d'inscription changé",
    "devoir_donne": "Devoir donné",
    "devoir_retire": "Devoir retiré",
    "import_apprenants": "Apprenants importés",
    "export": "Export",
    "export_donnees_apprenant": "Données d'un apprenant exportées",
    "suppression_apprenant": "Apprenant supprimé",
    "mot_de_passe_reinitialise": "Mot de passe réinitialisé",
    "exercice_ajoute": "Exercice ajouté (fichiers)",
    "enregistrement_envoye": "Enregistrement envoyé",
    "transcription_terminee": "Transcription terminée",
    "transcription_echouee": "Transcription impossible",
    "brouillon_enregistre": "Brouillon d'exercice enregistré",
    "exercice_publie": "Exercice publié",
    "nouvelle_version": "Nouvelle version publiée",
    "exercice_republie": "Exercice de nouveau proposé",
    "exercice_retire": "Exercice retiré",
    "creation_supprimee": "Création supprimée",
    "commentaire": "Commentaire sur une tentative",
    "commentaire_supprime": "Commentaire retiré",
    "activite_moodle": "Activité Moodle ajoutée",
    "plateforme_lti": "Plateforme Moodle enregistrée",
    "plateforme_lti_supprimee": "Plateforme Moodle supprimée",
    "cle_lti_renouvelee": "Clé de l'outil Moodle renouvelée",
    "tentative_retenue": "Tentative retenue pour Moodle",
    "note_renvoyee": "Note renvoyée à Moodle",
}
DETAILS = {
    "classe": "classe", "mode": "mode", "ouverture": "ouverture", "fermeture": "fermeture", "fichier": "fichier",
    "copies": "copies", "apprenant": "apprenant", "tentatives": "tentatives", "crees": "comptes créés",
    "refuses": "refusés", "plateforme": "plateforme", "issuer": "émetteur", "client_id": "identifiant client",
    "choix": "tentative retenue", "cours": "cours Moodle", "duree": "durée (s)", "format": "format",
    "raison": "raison", "version": "version", "tentative": "tentative n°",
}
WHEN_EMPTY = {"ouverture": "dès maintenant", "fermeture": "jamais"}
POLICIES = {"meilleure": "la meilleure", "derniere": "la dernière", "premiere": "la première"}


@dataclass
class Line:
    at: datetime
    action: str
    target: str
    details: list[tuple[str, str]]


def _moment(value: str) -> str | None:
    try:
        return date_fr(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


def shown(key: str, value, classes: dict[int, str], users: dict[int, str]) -> str | None:
    """A detail's value in French, or None to leave it out."""
    if value is None or value == "" or value == []:
        return WHEN_EMPTY.get(key)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key == "classe" and isinstance(value, int):
        return classes.get(value, f"n° {value}")
    if key == "apprenant" and isinstance(value, int):
        return users.get(value, f"n° {value}")
    if key == "mode":
        return MODE_LABELS.get(value, str(value))
    if key == "choix":
        return POLICIES.get(value, str(value))
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, str) and key in ("ouverture", "fermeture"):
        return _moment(value) or value
    return str(value)


def lines(session: Session, entries: list[AuditEntry]) -> list[Line]:
    class_ids = {e.detail.get("classe") for e in entries if isinstance((e.detail or {}).get("classe"), int)}
    user_ids = {e.detail.get("apprenant") for e in entries if isinstance((e.detail or {}).get("apprenant"), int)}
    classes = dict(session.execute(select(SchoolClass.id, SchoolClass.name).where(SchoolClass.id.in_(class_ids))).all())
    users = dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
    out = []
    for e in entries:
        details = []
        for key, value in (e.detail or {}).items():
            text = shown(key, value, classes, users)
            if text is not None:
                details.append((DETAILS.get(key, key.replace("_", " ")), text))
        out.append(Line(e.at, ACTIONS.get(e.action, e.action.replace("_", " ")), e.target, details))
    return out
