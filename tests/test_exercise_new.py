"""`transcribe exercises new`: a recording becomes a complete exercise (issue 22, command line).

The Done-when lines run the real embedded Whisper on the 9 s clip (``slow``); the refusals
stop before any transcription and check that nothing was written.
"""

import json
import os
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from transcribe.authoring import new as authoring
from transcribe.authoring import recording
from transcribe.cli import main
from transcribe.drafts import make_draft, read_settings
from transcribe.errors import TranscribeError
from transcribe.exercise import find_exercise, load_exercise

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "audio_samples" / "00-court.flac"
SUFFIXES = (".txt", ".toml", ".brouillon.txt", ".brouillon.toml", ".modele.txt", ".flac", ".timings.json")
CUT = recording.CUT


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(folder: Path) -> dict:
    """Every entry of a folder (hidden ones too) with its bytes: what « nothing changed » compares."""
    if not folder.exists():
        return {}
    return {p.name: (p.read_bytes() if p.is_file() else "dossier", p.stat().st_mtime_ns) for p in folder.iterdir()}


def encode(path: Path, fmt: str, codec: str, samples: np.ndarray | None = None, rate: int = 16000) -> Path:
    """A file encoded with PyAV (the clip by default), as a browser or a phone would send it."""
    if samples is None:
        samples, rate = soundfile.read(str(SHORT), dtype="float32")
    out_rate = 48000 if codec == "libopus" else 44100 if codec in ("aac", "libmp3lame") else rate
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=out_rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=out_rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, dtype=np.float32)[None, :], format="flt",
                                           layout="mono")
        frame.sample_rate = rate
        for piece in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(piece):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def cut(path: Path, share: float = 0.6) -> Path:
    data = path.read_bytes()
    target = path.with_name("coupe-" + path.name)
    target.write_bytes(data[:int(len(data) * share)])
    return target


# --- The recording: every common format decodes, damaged ones are refused -----------------

@pytest.mark.parametrize("fmt,codec,name", [
    ("flac", "flac", "a.flac"), ("wav", "pcm_s16le", "a.wav"), ("mp3", "libmp3lame", "a.mp3"),
    ("ogg", "libopus", "a.ogg"), ("webm", "libopus", "a.webm"), ("ipod", "aac", "a.m4a")])
def test_every_common_format_decodes_to_16k_mono(tmp_path, fmt, codec, name):
    rec = recording.decode_recording(encode(tmp_path / name, fmt, codec))
    assert abs(rec.duration - 9.26) < 0.05  # 9.26 s: encoders' padding trimmed
    data, rate = soundfile.read(__import__("io").BytesIO(rec.flac_bytes()))
    assert rate == 16000 and data.ndim == 1 and len(data) == len(rec.samples)


@pytest.mark.parametrize("fmt,codec,name", [("webm", "libopus", "a.webm"), ("ogg", "libopus", "a.ogg"),
                                            ("mp3", "libmp3lame", "a.mp3"), ("wav", "pcm_s16le", "a.wav")])
def test_a_recording_cut_mid_stream_is_refused(tmp_path, fmt, codec, name):
    damaged = cut(encode(tmp_path / name, fmt, codec))
    with pytest.raises(TranscribeError) as caught:
        recording.decode_recording(damaged)
    assert caught.value.message == CUT and caught.value.path == damaged


def test_an_ogg_cut_at_a_page_boundary_is_refused(tmp_path):
    """Every page whole, but no end-of-stream page: the upload stopped between two pages."""
    whole = encode(tmp_path / "a.ogg", "ogg", "libopus")
    data = whole.read_bytes()
    last_page = data.rfind(b"OggS")
    damaged = tmp_path / "b.ogg"
    damaged.write_bytes(data[:last_page])
    assert recording.decode_recording(whole).duration > 9
    with pytest.raises(TranscribeError, match="enregistrement interrompu ou incomplet"):
        recording.decode_recording(damaged)


# --- Refusals through the command: a French message, exit 2, nothing written --------------

def refused(tmp_path, audio, *extra, exercise_id="essai", folder=None):
    folder = folder or tmp_path / "exos"
    before = snapshot(folder)
    result = run("exercises", "new", audio, "--id", exercise_id, "--references", folder, *extra)
    assert result.exit_code == 2, result.output
    assert snapshot(folder) == before  # no file, no temporary folder left
    assert "Traceback" not in result.output
    return "".join(line + "\n" for line in result.stderr.splitlines() if not line.startswith("["))  # no progress


def test_audio_that_does_not_decode(tmp_path):
    fake = tmp_path / "dictee.mp3"
    fake.write_text("ceci n'est pas un enregistrement", encoding="utf-8")
    assert refused(tmp_path, fake) == (f"Erreur : {fake} : fichier audio illisible : ce n'est pas un enregistrement "
                                       "dans un format reconnu (FLAC, WAV, MP3, Ogg/Opus, WebM, M4A…), ou il est "
                                       "incomplet.\n")


def test_empty_and_missing_audio(tmp_path):
    empty = tmp_path / "vide.webm"
    empty.write_bytes(b"")
    assert refused(tmp_path, empty) == f"Erreur : {empty} : fichier audio vide.\n"
    assert refused(tmp_path, tmp_path / "absent.flac") == f"Erreur : {tmp_path / 'absent.flac'} : fichier introuvable.\n"


def test_silence_and_noise_without_speech(tmp_path):
    silent = tmp_path / "silence.flac"
    soundfile.write(silent, np.zeros(16000 * 10, np.float32), 16000)
    assert refused(tmp_path, silent) == f"Erreur : {silent} : aucun son dans cet enregistrement (silence).\n"
    noise = tmp_path / "souffle.wav"
    soundfile.write(noise, (np.random.default_rng(0).standard_normal(16000 * 10) * 0.05).astype(np.float32), 16000)
    assert refused(tmp_path, noise) == (f"Erreur : {noise} : aucune parole détectée dans cet enregistrement "
                                        "(bruit ou silence seulement).\n")


def test_too_short_and_too_long(tmp_path, monkeypatch):
    samples, rate = soundfile.read(str(SHORT), dtype="float32")
    short = tmp_path / "court.flac"
    soundfile.write(short, samples[:4 * rate], rate)
    assert refused(tmp_path, short) == f"Erreur : {short} : enregistrement trop court (4,0 s ; 5 s au moins).\n"
    monkeypatch.setattr(recording, "MAX_SECONDS", 8.0)  # the 30 min limit, lowered for a 9 s clip
    assert refused(tmp_path, SHORT) == f"Erreur : {SHORT} : enregistrement trop long (9 s ; 8 s au plus).\n"


@pytest.mark.parametrize("fmt,name", [("webm", "envoi.webm"), ("ogg", "envoi.ogg")])
def test_an_interrupted_upload(tmp_path, fmt, name):
    damaged = cut(encode(tmp_path / name, fmt, "libopus"))
    assert refused(tmp_path, damaged) == f"Erreur : {damaged} : {CUT}\n"


@pytest.mark.parametrize("bad", ["Essai", "é-accent", "a", "../evasion", "deux.points", "-tiret"])
def test_an_invalid_id(tmp_path, bad):
    assert refused(tmp_path, SHORT, exercise_id=bad) == (
        f"Erreur : identifiant « {bad} » refusé : de 2 à 80 caractères, minuscules sans accent, chiffres, « - » ou "
        "« _ » (exemple : 16-cardiologie-holter).\n")


def test_an_id_already_taken_changes_nothing(tmp_path):
    folder = tmp_path / "exos"
    folder.mkdir()
    (folder / "essai.flac").write_bytes(b"l'enregistrement d'un autre exercice")
    assert refused(tmp_path, SHORT, folder=folder) == (
        f"Erreur : {folder} : l'identifiant « essai » est déjà pris dans ce dossier (essai.flac) : choisissez-en un "
        "autre ; rien n'a été modifié.\n")


def test_a_folder_that_is_not_writable(tmp_path, monkeypatch):
    folder = tmp_path / "exos"
    folder.mkdir()
    monkeypatch.setattr(authoring, "writable", lambda path: False)  # os.access: tests may run as root
    assert refused(tmp_path, SHORT, folder=folder) == (
        f"Erreur : {folder} : dossier de références non modifiable (droits insuffisants) : rien n'a été écrit.\n")


def test_a_folder_that_refuses_the_files(tmp_path, monkeypatch):
    """The folder looked writable but is not (a read-only mount): refused before any work."""
    folder = tmp_path / "exos"
    folder.mkdir()

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(authoring.tempfile, "mkdtemp", denied)
    assert refused(tmp_path, SHORT, folder=folder) == (
        f"Erreur : {folder} : dossier de références non modifiable (droits insuffisants) : rien n'a été écrit.\n")


def test_references_that_are_a_file(tmp_path):
    target = tmp_path / "exos"
    target.write_text("un fichier", encoding="utf-8")
    before = target.read_bytes()
    result = run("exercises", "new", SHORT, "--id", "essai", "--references", target)
    assert result.exit_code == 2 and result.stderr == f"Erreur : {target} : ce n'est pas un dossier de références.\n"
    assert target.read_bytes() == before


def test_the_moves_are_all_or_nothing(tmp_path):
    """A file that appears under one of the names meanwhile: the files already moved go away."""
    staging, folder = tmp_path / "tmp", tmp_path / "exos"
    staging.mkdir(), folder.mkdir()
    staged = authoring.exercise_files(staging, "essai")
    for path in staged.values():
        path.write_text(path.name, encoding="utf-8")
    (folder / "essai.toml").write_text("title = 'autre'", encoding="utf-8")
    with pytest.raises(TranscribeError, match="essai.toml est apparu pendant la création"):
        authoring._move_into_place(staged, authoring.exercise_files(folder, "essai"))
    assert sorted(p.name for p in folder.iterdir()) == ["essai.toml"]
    assert (folder / "essai.toml").read_text(encoding="utf-8") == "title = 'autre'"


# --- The Done-when lines, with the real embedded model --------------------------------------

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exercices")
    result = run("exercises", "new", SHORT, "--id", "essai-court", "--references", folder)
    return folder, result


@pytest.mark.slow
def test_the_clip_becomes_a_listed_exercise(made):
    folder, result = made
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"essai-court{s}" for s in SUFFIXES)
    listed = run("exercises", "--references", folder, "--json")
    assert listed.exit_code == 0 and [row["id"] for row in json.loads(listed.stdout)] == ["essai-court"]
    row = json.loads(listed.stdout)[0]
    assert row["audio"] == str(folder / "essai-court.flac") and row["time_limit_minutes"] == 5
    exercise = find_exercise("essai-court", folder)
    assert exercise.audio_path == folder / "essai-court.flac"
    info = soundfile.info(str(exercise.audio_path))
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")


@pytest.mark.slow
def test_the_report_says_what_to_check(made):
    _folder, result = made
    out = result.stdout
    assert "« amylodipine » → « amlodipine ? »" in out
    assert "0:03,2  « amylodipine » → « amlodipine ? »" in out  # where to hear it again
    assert "Mots dont Whisper est peu sûr (probabilité < 0,5) :" in out
    assert "Reconnaissance vocale" in result.stderr and "Reconnaissance vocale" not in out


@pytest.mark.slow
def test_the_reference_graded_against_itself_gets_20(made):
    folder, _ = made
    reference = folder / "essai-court.txt"
    result = run("score", reference, "--reference", reference, "--json")
    assert result.exit_code == 0, result.output
    score = json.loads(result.stdout)
    assert score["note"] == 20 and score["errors"] == []


@pytest.mark.slow
def test_metadata_draft_and_timings(made):
    folder, _ = made
    exercise = load_exercise(folder / "essai-court.txt")
    assert exercise.title == "Compte rendu" and exercise.specialty == "cardiologie"
    assert exercise.difficulty == "facile" and exercise.time_limit_minutes == 5
    assert exercise.terms == ["électrocardiogramme", "fibrillation"]
    # The given material, in the exercise format, read by its own loader.
    assert exercise.given.instructions == "Saisissez sous la dictée le compte rendu dans le modèle."
    assert exercise.given.template == "[texte dicté]\n" and exercise.given.sheet == ()
    # The draft is Whisper's own output, and its recorded settings make it again.
    draft = folder / "essai-court.brouillon.txt"
    assert draft.read_text(encoding="utf-8") == exercise.reference_text()
    settings = read_settings(draft)
    assert settings.exercise == "essai-court" and settings.audio == "essai-court.flac"
    assert settings.decoding["temperature"] == [0.0] and settings.decoding["cpu_threads"] == 2
    assert make_draft(exercise.audio_path, settings) == draft.read_text(encoding="utf-8")
    # The server finds the timings beside the audio, for this reference, without computing.
    from transcribe.web.timings import TimingsService

    def never(exercise):
        raise AssertionError("recomputed")

    timings = TimingsService(folder / "donnees", compute=never).get(exercise)
    assert timings is not None and timings.matched >= 12 and timings.time_at(0) == 0.0


@pytest.mark.slow
def test_a_second_run_with_the_same_id_changes_nothing(made):
    folder, _ = made
    before = snapshot(folder)
    result = run("exercises", "new", SHORT, "--id", "essai-court", "--references", folder)
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : {folder} : l'identifiant « essai-court » est déjà pris dans ce dossier "
                             "(essai-court.txt) : choisissez-en un autre ; rien n'a été modifié.\n")
    assert snapshot(folder) == before


@pytest.mark.slow
@pytest.mark.parametrize("fmt,name", [("webm", "navigateur.webm"), ("ogg", "navigateur.ogg")])
def test_the_same_from_a_browser_recording(tmp_path, fmt, name):
    audio = encode(tmp_path / name, fmt, "libopus")
    folder = tmp_path / "exos"
    result = run("exercises", "new", audio, "--id", "essai-court", "--references", folder, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["recording_format"].endswith("/opus")
    assert any(m["word"] == "amylodipine" and m["proposal"] == "amlodipine" for m in report["review"]["near_misses"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"essai-court{s}" for s in SUFFIXES)
    assert [row["id"] for row in json.loads(run("exercises", "--references", folder, "--json").stdout)] == \
        ["essai-court"]
    reference = folder / "essai-court.txt"
    assert json.loads(run("score", reference, "--reference", reference, "--json").stdout)["note"] == 20
    assert run("exercises", "new", audio, "--id", "essai-court", "--references", folder).exit_code == 2


@pytest.mark.slow
def test_an_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    import transcribe.asr.timings as timings

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(timings, "align_timings", interrupted)
    folder = tmp_path / "exos"
    folder.mkdir()
    with pytest.raises(KeyboardInterrupt):
        authoring.create_exercise(SHORT, "essai", folder)
    assert os.listdir(folder) == []


@pytest.mark.slow
def test_the_core_reports_progress_and_returns_data(tmp_path):
    steps = []
    made = authoring.create_exercise(SHORT, "essai", tmp_path / "exos", title="Essai", specialty="cardiologie",
                                     vocabulary=["amylodipine"],
                                     progress=lambda stage, message, fraction: steps.append((stage, fraction)))
    # The Whisper pass reports when it starts, then once per decoded segment (none when the
    # transcript comes from the cache, as it may after another test): stages in this order.
    stages = [stage for stage, _ in steps]
    assert [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]] == [
        "decodage", "transcription", "suggestions", "ecriture", "pret"]
    assert [f for _, f in steps] == sorted(f for _, f in steps) and steps[-1][1] == 1.0
    data = made.to_dict()
    assert data["suggestions"]["title"] == "Essai" and data["suggestions"]["specialty"] == "cardiologie"
    assert data["suggestions"]["sources"]["title"] == "donné par le formateur"
    # The specialty's word list and the trainer's list went to the decoder, in that order of priority.
    assert data["draft_settings"]["hotwords"].startswith("amylodipine, électrocardiogramme")
    # A word of the trainer's own list is never « corrected » towards the lexicon.
    assert all(m["word"] != "amylodipine" for m in data["review"]["near_misses"])


def test_a_real_browser_recording(tmp_path):
    """What Chromium's MediaRecorder wrote (audio/webm;codecs=opus, the 9 s clip played into a
    fake microphone): no duration in its header, clusters of unknown size. It decodes whole;
    cut at 70 %, it is refused."""
    fixture = ROOT / "tests" / "fixtures" / "mediarecorder-chromium.webm"
    rec = recording.decode_recording(fixture)
    assert rec.format == "matroska,webm/opus" and 9.3 < rec.duration < 9.6
    damaged = tmp_path / "coupe.webm"
    damaged.write_bytes(fixture.read_bytes()[:int(fixture.stat().st_size * 0.7)])
    with pytest.raises(TranscribeError, match="enregistrement interrompu ou incomplet"):
        recording.decode_recording(damaged)
