"""A trainer's new exercise, uploaded from the browser: checked whole, then added to the server.

The three files (reference ``.txt``, metadata ``.toml``, dictation audio) are checked before
anything is written: the identifier, the text's encoding, the TOML (read by the toolkit's
own ``load_exercise``, confined: its ``audio`` key cannot name another file), the audio
(decoded by soundfile from the first frame to the last). Each problem is a French message
naming the file. Accepted files go to ``<data>/exercices/references/<id>.txt|.toml`` and
``<data>/exercices/audio_samples/<id>.<ext>`` (the layout of a references folder), written
atomically, the ``.txt`` last: the catalogue lists the exercise once it is complete.

The files come as the form parser left them (spooled to a temporary file past 1 MB): the
audio is read in blocks and copied, never held in memory whole.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ...errors import TranscribeError
from ...exercise import AUDIO_SUFFIXES, load_exercise, parse_metadata
from ...files import write_atomic

UPLOAD_PATH = "/formateur/exercices"
MAX_UPLOAD_BYTES = 60_000_000  # a 20-minute FLAC dictation is ~25 MB
MAX_TEXT_BYTES = 500_000
MAX_AUDIO_MINUTES = 60
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")


def uploads_dir(settings) -> Path:
    return settings.work_dir / "exercices" / "references"


@dataclass
class Upload:
    name: str  # the file's name as sent by the browser
    file: BinaryIO  # its content, from the start
    size: int

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> "Upload":
        return cls(name, io.BytesIO(data), len(data))

    def read(self, limit: int) -> bytes:
        """The content (``limit`` bytes at most)."""
        self.file.seek(0)
        return self.file.read(limit)


def _text(upload: Upload, what: str) -> str:
    if not upload.size:
        raise TranscribeError(f"{what} vide ou absent.", upload.name or what)
    if upload.size > MAX_TEXT_BYTES:
        raise TranscribeError(f"{what} trop volumineux ({upload.size // 1000} ko ; "
                              f"{MAX_TEXT_BYTES // 1000} ko au plus).", upload.name)
    try:
        return upload.read(MAX_TEXT_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TranscribeError(f"{what} illisible : il doit être encodé en UTF-8.", upload.name) from None


def check(exercise_id: str, reference: Upload, metadata: Upload, audio: Upload, known: set[str]) -> list[str]:
    """Every problem of the upload, in French (empty: it can be added)."""
    problems = []
    if not ID_RE.match(exercise_id):
        problems.append(f"identifiant « {exercise_id} » refusé : de 2 à 80 caractères, minuscules sans accent, "
                        "chiffres, « - » ou « _ » (exemple : 16-cardiologie-holter).")
    elif exercise_id in known:
        problems.append(f"un exercice « {exercise_id} » existe déjà : choisissez un autre identifiant.")
    for upload, what, check_one in ((reference, "texte de référence", _check_reference),
                                    (metadata, "fichier de métadonnées", _check_metadata),
                                    (audio, "fichier audio", _check_audio)):
        try:
            check_one(upload, what)
        except TranscribeError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            with tempfile.TemporaryDirectory() as folder:
                _write(Path(folder), exercise_id, reference, metadata, audio)
                load_exercise(Path(folder) / "references" / f"{exercise_id}.txt", confined=True).reference_text()
        except TranscribeError as exc:  # named after the file the trainer sent
            sent = {".toml": metadata.name, ".txt": reference.name}.get(exc.path.suffix if exc.path else "")
            problems.append(f"{sent} : {exc.message}" if sent else exc.message)
    return problems


def _check_reference(upload: Upload, what: str) -> None:
    if upload.name and not upload.name.lower().endswith(".txt"):
        raise TranscribeError(f"{what} : un fichier .txt est attendu.", upload.name)
    if not _text(upload, what).strip():
        raise TranscribeError(f"{what} vide.", upload.name)


def _check_metadata(upload: Upload, what: str) -> None:
    if upload.name and not upload.name.lower().endswith(".toml"):
        raise TranscribeError(f"{what} : un fichier .toml est attendu.", upload.name)
    data = parse_metadata(_text(upload, what), upload.name)
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise TranscribeError(f"{what} : la clé « title » (titre de l'exercice) est obligatoire.", upload.name)
    limit = data.get("time_limit_minutes")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 < limit <= 600):
        raise TranscribeError(f"{what} : « time_limit_minutes » doit être un nombre de minutes entre 1 et 600.",
                              upload.name)


def _check_audio(upload: Upload, what: str) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in AUDIO_SUFFIXES:
        raise TranscribeError(f"{what} : format non pris en charge (attendu : {', '.join(AUDIO_SUFFIXES)}).",
                              upload.name or what)
    if not upload.size:
        raise TranscribeError(f"{what} vide.", upload.name)
    import soundfile

    upload.file.seek(0)
    try:
        sound = soundfile.SoundFile(upload.file)
    except Exception:
        raise TranscribeError(f"{what} illisible : ce n'est pas un enregistrement {suffix} valide.",
                              upload.name) from None
    with sound:
        declared, rate = sound.frames, sound.samplerate
        if not 0 < declared / rate <= MAX_AUDIO_MINUTES * 60:
            raise TranscribeError(f"{what} : durée invalide ({declared / rate:.0f} s ; {MAX_AUDIO_MINUTES} min au "
                                  "plus).", upload.name)
        decoded = 0
        try:  # every frame, in blocks: only a header (or half a file) is not a dictation
            for block in sound.blocks(blocksize=1 << 16, dtype="float32"):
                decoded += len(block)
        except Exception:
            decoded = -1
    if decoded != declared:
        raise TranscribeError(f"{what} illisible : l'enregistrement est tronqué ou abîmé (il ne se décode pas "
                              "jusqu'au bout).", upload.name)


def _write(root: Path, exercise_id: str, reference: Upload, metadata: Upload, audio: Upload) -> None:
    suffix = Path(audio.name).suffix.lower()
    for other in AUDIO_SUFFIXES:  # one audio file per exercise: the one written now
        if other != suffix:
            (root / "audio_samples" / f"{exercise_id}{other}").unlink(missing_ok=True)
    audio.file.seek(0)
    write_atomic(root / "audio_samples" / f"{exercise_id}{suffix}", audio.file)
    write_atomic(root / "references" / f"{exercise_id}.toml", metadata.read(MAX_TEXT_BYTES))
    write_atomic(root / "references" / f"{exercise_id}.txt", reference.read(MAX_TEXT_BYTES))


def add(settings, exercise_id: str, reference: Upload, metadata: Upload, audio: Upload) -> Path:
    """Write a checked exercise into the server's folder; its reference's path."""
    root = uploads_dir(settings).parent
    _write(root, exercise_id, reference, metadata, audio)
    return root / "references" / f"{exercise_id}.txt"
