"""Creations in the database and their files: upload, transcription's result, draft, versions.

Files of the creation ``ID``, in ``<data>/exercices/creations/ID/`` (the server's data folder,
private to its owner):

=================================  ==========================================================
``enregistrement.<ext>``           the recording as uploaded (checked before it is kept)
``whisper/``                       what ``create_exercise`` made of it (a references folder:
                                   Whisper's reference, draft and settings, the 16 kHz FLAC,
                                   ``transcript.json`` with every word's time)
``v1/``, ``v2/``…                  each published version, never changed afterwards: a
                                   references folder ``references/ID.txt|.toml|.modele.txt|
                                   .brouillon.txt|.brouillon.toml`` and ``audio_samples/ID.flac``
                                   (a hard link to Whisper's FLAC) with ``ID.timings.json``
``apercu/``                        the form as it stands, for the previews of the two modes
=================================  ==========================================================

A version's exercise is loaded *confined* (``exercise.load_exercise``): its audio is only its
own ``audio_samples/ID.flac``, its metadata cannot name any other file. Publishing writes the
version into a hidden folder and renames it into place (``v<N>`` appears whole or not at
all), then records it; the replay timings of the trainer's reference come from aligning it
with Whisper's words again (``asr.timings.align_timings``), without a second transcription.
The learners' catalogue lists the published creations at their current version
(``catalogue``); a withdrawn one is listed no more, its versions and attempts stay.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ....authoring.new import check_id
from ....errors import TranscribeError
from ...db import utcnow
from .. import classes
from ..models import DRAFT, PUBLISHED, RUNNING, WITHDRAWN, Creation, CreationVersion, User
from . import form, queue

RECORDING = "enregistrement"
WHISPER = "whisper"
PREVIEW = "apercu"
TRANSCRIPT = "transcript.json"
RECORDING_SUFFIXES = (".webm", ".ogg", ".opus", ".flac", ".wav", ".mp3", ".m4a", ".aac", ".mp4", ".weba", ".oga")
VERSION_SUFFIX = re.compile(r"-v\d+$")  # the exports name a version « ID-vN »
MAX_VOCABULARY = 500


def root(settings) -> Path:
    return settings.work_dir / "exercices" / "creations"


def folder(settings, exercise_id: str) -> Path:
    return root(settings) / exercise_id


def version_folder(settings, exercise_id: str, version: int) -> Path:
    return folder(settings, exercise_id) / f"v{version}"


def version_reference(settings, exercise_id: str, version: int) -> Path:
    return version_folder(settings, exercise_id, version) / "references" / f"{exercise_id}.txt"


def recording_path(settings, exercise_id: str) -> Path | None:
    """The recording as uploaded; else the normalised FLAC (the upload is removed once transcribed)."""
    base = folder(settings, exercise_id)
    for path in sorted(base.glob(RECORDING + ".*")):
        return path
    flac = base / WHISPER / f"{exercise_id}.flac"
    return flac if flac.is_file() else None


def audio_path(settings, exercise_id: str) -> Path | None:
    """What the trainer hears while editing: Whisper's FLAC once made, else the upload."""
    flac = folder(settings, exercise_id) / WHISPER / f"{exercise_id}.flac"
    return flac if flac.is_file() else recording_path(settings, exercise_id)


# --- who owns what ---------------------------------------------------------------------------

def trainer_creation(session: Session, trainer_id: int, exercise_id: str) -> Creation | None:
    """A creation of this trainer (another trainer's is not found: the view answers 404)."""
    return session.scalar(select(Creation).where(Creation.exercise_id == exercise_id,
                                                 Creation.trainer_id == trainer_id))


def trainer_creations(session: Session, trainer_id: int) -> list[Creation]:
    return list(session.scalars(select(Creation).where(Creation.trainer_id == trainer_id)
                                .order_by(Creation.created_at.desc(), Creation.id.desc())))


def state_label(session: Session, creation: Creation) -> str:
    """The creation's state in French, for the list of creations."""
    if creation.state == PUBLISHED:
        return f"publié (version {creation.version})"
    if creation.state == WITHDRAWN:
        return "retiré"
    job = queue.latest(session, creation.id)
    if job is None or job.state == "terminee":
        return "à relire et publier"
    if job.state == "echec":
        return "transcription impossible"
    if job.state == RUNNING:
        return f"transcription en cours ({round((job.fraction or 0) * 100)} %)"
    return "transcription en attente"


def creation_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Creation.exercise_id)))


def versions(session: Session, creation: Creation) -> list[CreationVersion]:
    return list(session.scalars(select(CreationVersion).where(CreationVersion.creation_id == creation.id)
                                .order_by(CreationVersion.version)))


# --- a new recording -------------------------------------------------------------------------

def check_new_id(exercise_id: str, taken: set[str]) -> None:
    """The identifier's rules (``authoring.new``), the versions' suffix kept for the exports, free."""
    check_id(exercise_id)
    if VERSION_SUFFIX.search(exercise_id):
        raise TranscribeError(f"identifiant « {exercise_id} » refusé : il ne doit pas finir par « -v » suivi "
                              "d'un numéro (les exports nomment ainsi les versions d'un exercice).")
    if exercise_id in taken:
        raise TranscribeError(f"l'identifiant « {exercise_id} » est déjà pris par un autre exercice du serveur : "
                              "choisissez-en un autre ; rien n'a été enregistré.")


def recording_suffix(name: str) -> str:
    suffix = Path(name or "").suffix.lower()
    return suffix if suffix in RECORDING_SUFFIXES else ".audio"


def vocabulary_list(text: str) -> list[str]:
    """The trainer's terms: one a line (or separated by « ; »), at most ``MAX_VOCABULARY``."""
    terms = [t.strip() for line in text.replace("\r\n", "\n").split("\n") for t in line.split(";")]
    return [t for t in terms if t][:MAX_VOCABULARY]


@dataclass
class Accepted:
    exercise_id: str
    duration: float
    format: str


def accept(settings, sessions: sessionmaker[Session], trainer: User, exercise_id: str, name: str, upload,
           options: dict, taken: set[str]) -> Accepted:
    """Keep a checked recording and queue its transcription; a refused one leaves nothing.

    ``upload``: the file as the form parser spooled it (read in blocks, never whole).
    Raises `TranscribeError` (French, naming the file the trainer sent) when refused."""
    from ....authoring.recording import decode_recording
    from ....files import write_atomic

    check_new_id(exercise_id, taken)
    base = root(settings)
    base.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkstemp(prefix=".envoi-", suffix=recording_suffix(name), dir=base)[1])
    try:
        upload.seek(0)
        write_atomic(staged, upload)
        if staged.stat().st_size == 0:
            raise TranscribeError("aucun enregistrement reçu (fichier vide) : enregistrez ou choisissez un fichier.")
        try:
            recording = decode_recording(staged)
        except TranscribeError as exc:
            raise TranscribeError(f"« {name or 'enregistrement'} » : {exc.message}") from None
        target = folder(settings, exercise_id)
        try:
            target.mkdir()
        except FileExistsError:
            raise TranscribeError(f"l'identifiant « {exercise_id} » est déjà pris : choisissez-en un autre ; rien "
                                  "n'a été enregistré.") from None
        try:
            os.replace(staged, target / (RECORDING + recording_suffix(name)))
            with sessions.begin() as session:
                creation = Creation(exercise_id=exercise_id, trainer_id=trainer.id, state=DRAFT, draft={},
                                    review={}, duration=round(recording.duration, 2),
                                    recording_format=recording.format[:100], created_at=utcnow())
                session.add(creation)
                session.flush()
                queue.enqueue(session, creation.id, options)
                classes.audit(session, trainer, "enregistrement_envoye", exercise_id,
                              duree=round(recording.duration, 1), format=recording.format)
        except IntegrityError:
            shutil.rmtree(target, ignore_errors=True)
            raise TranscribeError(f"l'identifiant « {exercise_id} » est déjà pris : choisissez-en un autre ; rien "
                                  "n'a été enregistré.") from None
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        return Accepted(exercise_id, recording.duration, recording.format)
    finally:
        staged.unlink(missing_ok=True)


def job_spec(settings, session: Session, claimed: queue.Claimed) -> dict | None:
    """What the child process gets for a job: the recording, where to write; its old output removed."""
    creation = session.get(Creation, claimed.creation_id)
    if creation is None:
        return None
    output = folder(settings, creation.exercise_id) / WHISPER
    shutil.rmtree(output, ignore_errors=True)  # a job started again starts afresh (the cache keeps Whisper's work)
    audio = recording_path(settings, creation.exercise_id)
    return {"audio": str(audio) if audio else "", "id": creation.exercise_id, "folder": str(output),
            "title": claimed.options.get("title") or None, "specialty": claimed.options.get("specialty") or None,
            "vocabulary": claimed.options.get("vocabulary") or None}


def transcribed(settings, session: Session, creation_id: int, result: dict) -> None:
    """Whisper's work in the creation: the form filled with it (unless the trainer typed
    already), what to check kept; the uploaded file removed (the FLAC remains)."""
    creation = session.get(Creation, creation_id)
    if creation is None:
        return
    if creation.revision == 0:
        creation.draft = form.initial_draft(result)
    creation.review = result.get("review") or {}
    if result.get("duration_s"):
        creation.duration = result["duration_s"]
    for path in folder(settings, creation.exercise_id).glob(RECORDING + ".*"):
        path.unlink(missing_ok=True)
    _audit_for(session, creation, "transcription_terminee", duree=round(result.get("elapsed_s") or 0, 1))


def _audit_for(session: Session, creation: Creation, action: str, **detail) -> None:
    owner = session.get(User, creation.trainer_id) if creation.trainer_id else None
    if owner is not None:
        classes.audit(session, owner, action, creation.exercise_id, **detail)


def failed(session: Session, creation_id: int, message: str) -> None:
    creation = session.get(Creation, creation_id)
    if creation is not None:
        _audit_for(session, creation, "transcription_echouee", raison=message)


# --- the form ------------------------------------------------------------------------------------

def clean_fields(fields: dict) -> dict[str, str]:
    """The form's known fields, as texts (unknown ones dropped); a field too long is refused."""
    out = {}
    for name in form.FIELDS:
        value = fields.get(name, "")
        if not isinstance(value, str):
            raise TranscribeError(f"champ « {name} » : un texte est attendu.")
        if len(value) > form.MAX_FIELD_CHARS:
            raise TranscribeError(f"champ « {name} » trop long ({len(value)} caractères ; "
                                  f"{form.MAX_FIELD_CHARS} au plus).")
        out[name] = value.replace("\r\n", "\n")
    return out


def save_draft(sessions: sessionmaker[Session], trainer: User, exercise_id: str, fields: dict[str, str],
               revision: int | None) -> tuple[int, object] | None:
    """Autosave: (new revision, moment) or None when the draft changed since ``revision`` (another tab)."""
    with sessions.begin() as session:
        creation = trainer_creation(session, trainer.id, exercise_id)
        if creation is None:
            raise LookupError(exercise_id)
        if revision is not None and revision != creation.revision:
            return None
        first = creation.revision == 0 or not creation.saved_at
        creation.draft, creation.revision, creation.saved_at = fields, creation.revision + 1, utcnow()
        if first:
            classes.audit(session, trainer, "brouillon_enregistre", exercise_id)
        return creation.revision, creation.saved_at


def ready(session: Session, creation: Creation) -> bool:
    """Transcribed: the form can be edited."""
    job = queue.latest(session, creation.id)
    return job is not None and job.state == "terminee"


# --- previews, versions --------------------------------------------------------------------------

def _link_audio(settings, exercise_id: str, references: Path) -> Path:
    """``audio_samples/ID.flac`` beside ``references``: a hard link to Whisper's FLAC (a copy
    where links are impossible)."""
    source = folder(settings, exercise_id) / WHISPER / f"{exercise_id}.flac"
    samples = references.parent / "audio_samples"
    samples.mkdir(parents=True, exist_ok=True)
    target = samples / f"{exercise_id}.flac"
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target


def _draft_files(settings, exercise_id: str, references: Path) -> None:
    for suffix in (".brouillon.txt", ".brouillon.toml"):
        source = folder(settings, exercise_id) / WHISPER / f"{exercise_id}{suffix}"
        if source.is_file():
            shutil.copyfile(source, references / source.name)


def _timings(settings, exercise_id: str, reference: Path) -> None:
    """The replay timings of this reference, from Whisper's words (no new transcription)."""
    from ....asr.timings import align_timings, reference_text
    from ....asr.transcript import Transcript
    from ....exercise import load_exercise
    from ....files import write_atomic

    transcript_file = folder(settings, exercise_id) / WHISPER / TRANSCRIPT
    if not transcript_file.is_file():
        return
    transcript = Transcript.from_dict(json.loads(transcript_file.read_text(encoding="utf-8")))
    exercise = load_exercise(reference, confined=True)
    timings = align_timings(reference_text(exercise), transcript)
    write_atomic(reference.parent.parent / "audio_samples" / f"{exercise_id}.timings.json",
                 json.dumps(timings.to_dict(), ensure_ascii=False))


def write_exercise(settings, exercise_id: str, composed: form.Composed, into: Path) -> Path:
    """A whole references layout in ``into`` (reference, metadata, template, draft, audio, timings)."""
    references = into / "references"
    references.mkdir(parents=True, exist_ok=True)
    _draft_files(settings, exercise_id, references)
    _link_audio(settings, exercise_id, references)
    reference = form.write(composed, references, exercise_id)
    _timings(settings, exercise_id, reference)
    return reference


def preview(settings, creation: Creation):
    """The form as the learner would get it now, as a catalogue entry (or the problems)."""
    from ....exercise import load_exercise
    from ...catalogue import Entry

    composed, problems = form.compose(creation.draft or {}, creation.exercise_id)
    if composed is None or problems:
        return None, problems
    into = folder(settings, creation.exercise_id) / PREVIEW
    shutil.rmtree(into, ignore_errors=True)
    reference = write_exercise(settings, creation.exercise_id, composed, into)
    exercise = load_exercise(reference, confined=True)
    return Entry(exercise, creation.duration, version=None), []


def _same_as(settings, creation: Creation, composed: form.Composed) -> bool:
    """Whether the form is the version offered (nothing to publish)."""
    if not creation.version:
        return False
    reference = version_reference(settings, creation.exercise_id, creation.version)
    try:
        from ....exercise import template_path

        return (reference.read_text(encoding="utf-8") == composed.reference
                and reference.with_suffix(".toml").read_text(encoding="utf-8") == composed.metadata
                and template_path(reference).read_text(encoding="utf-8") == composed.template)
    except OSError:
        return False


def unpublished_changes(settings, creation: Creation) -> bool:
    composed, problems = form.compose(creation.draft or {}, creation.exercise_id)
    return composed is None or bool(problems) or not _same_as(settings, creation, composed)


@dataclass
class Published:
    version: int
    new: bool  # a new version (else: the one offered, published again)


class PublishRefused(TranscribeError):
    def __init__(self, problems: list[str]):
        super().__init__("l'exercice ne peut pas être publié : " + " ".join(problems))
        self.problems = problems


def publish(settings, sessions: sessionmaker[Session], trainer: User, exercise_id: str) -> Published:
    """The form as a new version offered to learners (or the version offered again, if the
    form has not changed since); `PublishRefused` with the problems otherwise."""
    from ....asr.timings import text_sha256
    from ....reading import document_from_text

    with sessions.begin() as session:
        creation = trainer_creation(session, trainer.id, exercise_id)
        if creation is None:
            raise LookupError(exercise_id)
        if not ready(session, creation):
            raise PublishRefused(["la transcription n'est pas terminée."])
        composed, problems = form.compose(creation.draft or {}, exercise_id)
        if problems:
            raise PublishRefused(problems)
        if _same_as(settings, creation, composed):
            again = creation.state == WITHDRAWN
            creation.state = PUBLISHED
            if again:
                classes.audit(session, trainer, "exercice_republie", exercise_id, version=creation.version)
            return Published(creation.version, False)
        number = max([v.version for v in versions(session, creation)], default=0) + 1
        base = folder(settings, exercise_id)
        staging = Path(tempfile.mkdtemp(prefix=f".v{number}-", dir=base))
        try:
            reference = write_exercise(settings, exercise_id, composed, staging)
            reference_sha = text_sha256(document_from_text(reference.read_text(encoding="utf-8")).text)
            os.rename(staging, version_folder(settings, exercise_id, number))
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise TranscribeError("publication impossible : une autre publication de cet exercice est en cours ; "
                                  "rechargez la page.") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        session.add(CreationVersion(creation_id=creation.id, version=number, title=" ".join(
            (creation.draft.get("titre") or "").split())[:400], reference_sha256=reference_sha,
            published_by=trainer.id, published_at=utcnow()))
        creation.version, creation.state = number, PUBLISHED
        classes.audit(session, trainer, "exercice_publie" if number == 1 else "nouvelle_version", exercise_id,
                      version=number)
        return Published(number, True)


def withdraw(sessions: sessionmaker[Session], trainer: User, exercise_id: str) -> bool:
    """No longer offered to learners (assignments stop listing it); versions and attempts stay."""
    with sessions.begin() as session:
        creation = trainer_creation(session, trainer.id, exercise_id)
        if creation is None:
            raise LookupError(exercise_id)
        if creation.state != PUBLISHED:
            return False
        creation.state = WITHDRAWN
        classes.audit(session, trainer, "exercice_retire", exercise_id, version=creation.version)
        return True


def delete(settings, sessions: sessionmaker[Session], trainer: User, exercise_id: str) -> None:
    """A creation never published, removed with its files (its identifier becomes free)."""
    with sessions.begin() as session:
        creation = trainer_creation(session, trainer.id, exercise_id)
        if creation is None:
            raise LookupError(exercise_id)
        if creation.version:
            raise TranscribeError("un exercice publié ne se supprime pas (des apprenants l'ont peut-être fait) : "
                                  "retirez-le plutôt.")
        job = queue.latest(session, creation.id)
        if job is not None and job.state == RUNNING and queue.alive(job):
            raise TranscribeError("la transcription de cet enregistrement est en cours : attendez sa fin pour le "
                                  "supprimer.")
        session.delete(creation)
        classes.audit(session, trainer, "creation_supprimee", exercise_id)
    shutil.rmtree(folder(settings, exercise_id), ignore_errors=True)
