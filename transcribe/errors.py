"""The one exception users see: a French message that names the file and the problem."""

from __future__ import annotations

import errno
from pathlib import Path

_REASONS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "droits insuffisants",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.ELOOP: "trop de liens symboliques",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EIO: "erreur d'entrée-sortie",
    errno.EEXIST: "le fichier existe déjà",
    errno.EBUSY: "ressource occupée",
    errno.ETXTBSY: "fichier occupé",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EFBIG: "fichier trop gros pour le système de fichiers",
    errno.ENXIO: "aucun programme ne lit ce tube nommé",
}


class TranscribeError(Exception):
    """An error on user input, with a French message fit to print as is."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path} : {message}" if self.path is not None else message)


def os_reason(exc: BaseException) -> str:
    """A system error's cause in French (« disque plein », « droits insuffisants »…)."""
    if isinstance(exc, OSError) and exc.errno in _REASONS:
        return _REASONS[exc.errno]
    if isinstance(exc, ValueError):  # a NUL byte in a path
        return "nom de fichier invalide"
    code = getattr(exc, "errno", None)
    return f"erreur système {errno.errorcode.get(code, code)}" if code else f"erreur système ({type(exc).__name__})"
