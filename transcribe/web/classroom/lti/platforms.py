"""The platforms the administrator registered: Moodle's values, checked before they are kept.

A platform is its issuer (« ID de la plateforme ») and the client id Moodle gave the tool; a
Moodle site with two tool configurations is two platforms of one issuer. The URLs must be
HTTPS (plain HTTP only for this very machine, for a trial); the deployment ids are the ones
Moodle shows (« ID du déploiement »), one per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...server import is_loopback
from .models import Platform

MAX_URL = 1000
FIELDS = {  # form field → what Moodle calls it (« Détails de l'outil »)
    "nom": "Nom",
    "issuer": "ID de la plateforme",
    "client_id": "ID client",
    "deploiements": "ID du déploiement",
    "keyset_url": "URL publique du jeu de clés",
    "token_url": "URL d'obtention du jeton d'accès",
    "auth_url": "URL de requête d'authentification",
}


@dataclass
class PlatformForm:
    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    keyset_url: str
    token_url: str
    auth_url: str

    @classmethod
    def from_fields(cls, form: dict[str, str]) -> "PlatformForm":
        deployments = [d.strip() for d in form.get("deploiements", "").replace(",", "\n").splitlines() if d.strip()]
        return cls(" ".join(form.get("nom", "").split())[:200], form.get("issuer", "").strip(),
                   form.get("client_id", "").strip(), list(dict.fromkeys(deployments)),
                   form.get("keyset_url", "").strip(), form.get("token_url", "").strip(),
                   form.get("auth_url", "").strip())


def url_problem(value: str, label: str) -> str:
    parts = urlsplit(value)
    if not value or len(value) > MAX_URL or parts.scheme not in ("https", "http") or not parts.hostname:
        return f"« {label} » : une adresse complète est attendue (https://…)."
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return f"« {label} » : l'adresse doit commencer par https:// (HTTP n'est accepté que sur cette machine)."
    return ""


def problems(form: PlatformForm) -> list[str]:
    out = []
    if not form.name:
        out.append("« Nom » : donnez un nom à cette plateforme (par exemple « Moodle du centre »).")
    if not form.issuer or len(form.issuer) > 400:
        out.append("« ID de la plateforme » : recopiez la valeur donnée par Moodle (l'adresse du site Moodle).")
    if not form.client_id or len(form.client_id) > 400:
        out.append("« ID client » : recopiez la valeur donnée par Moodle.")
    if not form.deployment_ids or any(len(d) > 255 for d in form.deployment_ids):
        out.append("« ID du déploiement » : au moins un identifiant (un par ligne).")
    for value, key in ((form.keyset_url, "keyset_url"), (form.token_url, "token_url"), (form.auth_url, "auth_url")):
        problem = url_problem(value, FIELDS[key])
        if problem:
            out.append(problem)
    return out


def all_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.name, Platform.id)))


def find(session: Session, issuer: str, client_id: str | None) -> Platform | None:
    """The platform of this issuer and client id; without a client id, the issuer's only one."""
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        return session.scalar(query.where(Platform.client_id == client_id))
    found = list(session.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def save(session: Session, form: PlatformForm, platform_id: int | None = None) -> Platform:
    """Create or update (``platform_id``); ValueError when another platform has this issuer and client."""
    other = session.scalar(select(Platform).where(Platform.issuer == form.issuer, Platform.client_id == form.client_id))
    if other is not None and other.id != platform_id:
        raise ValueError(f"une plateforme « {other.name} » a déjà cet ID de plateforme et cet ID client.")
    platform = session.get(Platform, platform_id) if platform_id else None
    if platform is None:
        platform = Platform()
        session.add(platform)
    platform.name, platform.issuer, platform.client_id = form.name, form.issuer, form.client_id
    platform.deployment_ids = form.deployment_ids
    platform.keyset_url, platform.token_url, platform.auth_url = form.keyset_url, form.token_url, form.auth_url
    session.flush()
    return platform
