"""A recording becomes a complete exercise in a references folder: one Whisper pass, every file.

``create_exercise`` is what ``transcribe exercises new`` and the classroom's authoring page
call. It checks everything it can before writing (the identifier, that no file of that
exercise exists, the folder, the recording: `recording.decode_recording`), then runs the
embedded Whisper **once** on the normalised recording — deterministic draft settings
(`drafts.default_settings`: temperature 0, pinned threads, VAD decided from the length),
the vocabulary of ``--specialite`` and the trainer's ``--vocabulaire`` list — and from that
one transcript writes, in the bundled layout of a references folder:

==========================  ==============================================================
``<id>.txt``                the reference: Whisper's text, dictated commands turned into
                            punctuation and layout, to be reviewed by the trainer
``<id>.toml``               the metadata, every value a suggestion (`suggestions`)
``<id>.brouillon.txt``      the post-editing draft: Whisper's own output for this audio
``<id>.brouillon.toml``     the settings that made it (``tools/make_drafts.py`` remakes it)
``<id>.modele.txt``         the template the learner starts from; with the ``consigne`` and
                            the ``[fiche]`` of the metadata, the given material (`given`)
``<id>.flac``               the recording, 16 kHz mono FLAC
``<id>.timings.json``       the reference words' times, for ▶ replay (`asr.timings`), keyed
                            to the reference's SHA-256: ``transcribe serve --references DIR``
                            reads them as it reads the bundled ones, without recomputing
==========================  ==============================================================

The files are written atomically into a hidden folder inside the references folder, then
moved into place one by one without ever replacing a file (a hard link, which fails if
the name is taken, then the temporary name removed), the reference ``.txt`` last: an
exercise is listed only once it is whole, and an interrupted run leaves nothing behind.

No printing here: the progress goes to the ``progress`` callback (during the Whisper pass,
from 0.1 to 0.9 as faster-whisper's segments come: ``asr.engines.PROGRESS``), the result is a
`NewExercise` (``to_dict`` for JSON) that the command line or a web page presents.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..asr.transcript import Transcript
from ..errors import TranscribeError, os_reason
from ..files import write_atomic
from .given import GivenMaterial, suggest_given
from .recording import Recording, decode_recording
from .review import Review, review
from .suggestions import Suggestions, suggest

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")
ID_RULE = ("de 2 à 80 caractères, minuscules sans accent, chiffres, « - » ou « _ » "
           "(exemple : 16-cardiologie-holter)")
# The files of an exercise, in the order they are moved into place (the reference last).
ROLES = (("audio", ".flac"), ("timings", ".timings.json"), ("draft_settings", ".brouillon.toml"),
         ("draft", ".brouillon.txt"), ("template", ".modele.txt"), ("metadata", ".toml"), ("reference", ".txt"))
METADATA_HEADER = (
    "# Métadonnées de l'exercice {id}, proposées par « transcribe exercises new » à partir de\n"
    "# l'enregistrement : titre, spécialité, temps imparti, patient, valeurs critiques, termes,\n"
    "# rubriques, consigne et fiche sont des suggestions à vérifier (voir docs/creation.md).\n"
)
Progress = Callable[[str, str, float], None]  # (stage, French message, fraction done 0..1)


@dataclass
class NewExercise:
    """What ``create_exercise`` made: the files, and what the trainer must now check."""

    id: str
    folder: Path
    files: dict[str, Path]  # role (ROLES) → path
    duration: float  # seconds of recording
    recording_format: str
    transcript: Transcript
    suggestions: Suggestions
    review: Review
    given: GivenMaterial
    elapsed: float  # seconds, decoding to the last file
    from_cache: bool = False  # the transcript came from the transcript cache
    draft_settings: dict = field(default_factory=dict)

    @property
    def reference_path(self) -> Path:
        return self.files["reference"]

    def to_dict(self) -> dict:
        return {"id": self.id, "folder": str(self.folder), "files": {k: str(v) for k, v in self.files.items()},
                "duration_s": round(self.duration, 2), "recording_format": self.recording_format,
                "elapsed_s": round(self.elapsed, 2), "from_cache": self.from_cache,
                "reference": self.transcript.text.strip(), "suggestions": self.suggestions.to_dict(),
                "review": self.review.to_dict(), "given": self.given.to_dict(),
                "draft_settings": self.draft_settings}


def check_id(exercise_id: str) -> None:
    if not ID_RE.match(exercise_id or ""):
        raise TranscribeError(f"identifiant « {exercise_id} » refusé : {ID_RULE}.")


def exercise_files(folder: Path, exercise_id: str) -> dict[str, Path]:
    return {role: folder / f"{exercise_id}{suffix}" for role, suffix in ROLES}


def check_available(folder: str | Path, exercise_id: str) -> None:
    """The identifier is valid and no file of that exercise (``<id>.*``) is in the folder."""
    check_id(exercise_id)
    folder = Path(folder)
    taken = sorted(folder.glob(f"{exercise_id}.*")) if folder.is_dir() else []
    if taken:
        shown = next((p for p in taken if p.name == f"{exercise_id}.txt"), taken[0])
        raise TranscribeError(f"l'identifiant « {exercise_id} » est déjà pris dans ce dossier ({shown.name}) : "
                              "choisissez-en un autre ; rien n'a été modifié.", folder)


def check_folder(folder: str | Path) -> None:
    """A folder the exercise can be written into (or created in: its parent exists)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise TranscribeError("ce n'est pas un dossier de références.", folder)
    target = folder if folder.exists() else folder.parent
    if not target.is_dir():
        raise TranscribeError("dossier de références introuvable (ni lui ni son dossier parent n'existent).",
                              folder)
    if not writable(target):
        raise TranscribeError("dossier de références non modifiable (droits insuffisants) : rien n'a été écrit.",
                              target)


def writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _staging(folder: Path, exercise_id: str) -> Path:
    try:
        folder.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{exercise_id}.nouveau-", dir=folder))
    except OSError as exc:
        raise TranscribeError(f"dossier de références non modifiable ({os_reason(exc)}) : rien n'a été écrit.",
                              folder) from exc


def _metadata_toml(exercise_id: str, audio_name: str, s: Suggestions, given: GivenMaterial) -> str:
    import tomli_w

    data = {"title": s.title}
    if s.specialty:
        data["specialty"] = s.specialty
    data.update(audio=audio_name, time_limit_minutes=s.time_limit_minutes, difficulty=s.difficulty)
    for key in ("sections", "terms", "critical_values"):
        if getattr(s, key):
            data[key] = list(getattr(s, key))
    data["consigne"] = given.consigne
    if s.patient:
        data["patient"] = dict(s.patient)
    if given.fiche:
        data["fiche"] = dict(given.fiche)
    return METADATA_HEADER.format(id=exercise_id) + "\n" + tomli_w.dumps(data)


def _move_into_place(staged: dict[str, Path], targets: dict[str, Path]) -> None:
    """Each staged file to its name, never over an existing one; all or none."""
    moved: list[Path] = []
    try:
        for role, _suffix in ROLES:
            if role not in staged:
                continue
            try:
                os.link(staged[role], targets[role])
            except FileExistsError as exc:
                raise TranscribeError(f"{targets[role].name} est apparu pendant la création : rien n'a été "
                                      "modifié ; choisissez un autre identifiant.", targets[role].parent) from exc
            except OSError:  # no hard links on this file system: rename, after checking again
                if targets[role].exists():
                    raise TranscribeError(f"{targets[role].name} est apparu pendant la création : rien n'a été "
                                          "modifié.", targets[role].parent) from None
                os.replace(staged[role], targets[role])
            moved.append(targets[role])
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


def create_exercise(audio: str | Path, exercise_id: str, references_dir: str | Path, *, title: str | None = None,
                    specialty: str | None = None, vocabulary: list[str] | None = None,
                    engine: str = "faster-whisper", model: str | Path | None = None,
                    progress: Progress | None = None, use_cache: bool = True) -> NewExercise:
    """Make the exercise ``exercise_id`` in ``references_dir`` from the recording ``audio``.

    ``title`` and ``specialty`` override the suggestions (the specialty's word list biases
    Whisper); ``vocabulary`` is the trainer's own list of terms (biasing, and counted as
    lexicon for the near-misses). Raises `TranscribeError` (nothing written) on bad input."""
    from ..asr.cache import transcribe_cached
    from ..asr.engines import PROGRESS
    from ..asr.timings import align_timings
    from ..asr.vocabulary import vocabulary_for
    from ..drafts import default_settings, write_draft
    from ..exercise import load_exercise
    from ..reading import document_from_text

    started = time.perf_counter()
    report = progress or (lambda stage, message, fraction: None)
    folder = Path(references_dir)
    check_id(exercise_id)
    check_folder(folder)
    check_available(folder, exercise_id)
    report("decodage", "Lecture de l'enregistrement…", 0.02)
    recording: Recording = decode_recording(audio)
    words = vocabulary_for("specialite", None, specialty, vocabulary)
    existed = folder.is_dir()
    staging = _staging(folder, exercise_id)
    try:
        staged = exercise_files(staging, exercise_id)
        write_atomic(staged["audio"], recording.flac_bytes())
        settings = default_settings(staged["audio"], engine=engine, model=model, vocabulary=words,
                                    exercise=exercise_id)
        message = f"Reconnaissance vocale ({recording.duration:.0f} s d'enregistrement)…"
        report("transcription", message, 0.1)
        hook = PROGRESS.set(lambda done: report("transcription", message, 0.1 + 0.8 * done))
        try:
            transcript, cached = transcribe_cached(staged["audio"], engine=settings.engine, model=model,
                                                   use_cache=use_cache, **settings.transcription_kwargs())
        finally:
            PROGRESS.reset(hook)
        text = transcript.text.strip()
        if not text:
            raise TranscribeError("Whisper n'a reconnu aucun mot dans cet enregistrement : rien n'a été écrit.",
                                  audio)
        report("suggestions", "Suggestions et points à vérifier…", 0.9)
        checks = review(transcript, vocabulary)
        suggestions = suggest(text, recording.duration, title=title, specialty=specialty,
                              proposals=[m.proposal for m in checks.near_misses])
        write_draft(staged["draft"], text + "\n", settings)
        timings = align_timings(document_from_text(text + "\n").text, transcript)
        write_atomic(staged["timings"], json.dumps(timings.to_dict(), ensure_ascii=False))
        given = suggest_given(text, suggestions)
        write_atomic(staged["template"], given.template)
        write_atomic(staged["metadata"], _metadata_toml(exercise_id, staged["audio"].name, suggestions, given))
        write_atomic(staged["reference"], text + "\n")
        load_exercise(staged["reference"])  # the toolkit's own loader accepts what was written, given material too
        report("ecriture", "Écriture de l'exercice…", 0.97)
        targets = exercise_files(folder, exercise_id)
        _move_into_place(staged, targets)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not existed:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    shutil.rmtree(staging, ignore_errors=True)
    report("pret", "Exercice prêt.", 1.0)
    return NewExercise(id=exercise_id, folder=folder, files=targets, duration=recording.duration,
                       recording_format=recording.format, transcript=transcript, suggestions=suggestions,
                       review=checks, given=given, elapsed=time.perf_counter() - started, from_cache=cached,
                       draft_settings={"engine": settings.engine, "model": settings.model,
                                       **{k: v for k, v in settings.decoding.items()}})
