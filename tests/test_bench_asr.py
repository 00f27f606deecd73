"""`transcribe bench` with the real model: both engines on the short bundled clip, through the cache."""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.asr import model as asr_model
from transcribe.asr.commands import apply_commands
from transcribe.cli import main

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "audio_samples"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh transcript cache; openai-whisper's converted checkpoint shared with the session's cache."""
    models = asr_model.cache_dir() / "models"
    models.mkdir(parents=True, exist_ok=True)
    folder = tmp_path_factory.mktemp("cache")
    (folder / "models").symlink_to(models, target_is_directory=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRANSCRIBE_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture
def short_corpus(tmp_path):
    """The short clip's first sentence (5.4 s) as a one-dictation corpus, with its written reference."""
    import soundfile

    refs, audio = tmp_path / "refs", tmp_path / "audio"
    refs.mkdir()
    audio.mkdir()
    spoken = (AUDIO / "00-court.dictee.txt").read_text(encoding="utf-8").splitlines()[0]
    (refs / "court.txt").write_text(apply_commands(spoken), encoding="utf-8")
    (audio / "court.dictee.txt").write_text(spoken, encoding="utf-8")
    (refs / "court.toml").write_text('title = "Court"\nspecialty = "cardiologie"\n'
                                     'terms = ["amlodipine", "hypertension artérielle"]\n', encoding="utf-8")
    samples, rate = soundfile.read(str(AUDIO / "00-court.flac"))
    soundfile.write(str(audio / "court.flac"), samples[: int(5.4 * rate)], rate)
    return refs, audio


def test_both_engines_on_the_short_clip(cache, short_corpus, tmp_path):
    pytest.importorskip("whisper")
    refs, audio = short_corpus
    out = tmp_path / "out"
    args = ["bench", str(audio), "--references", str(refs), "--engine", "faster-whisper",
            "--engine", "openai-whisper", "--beam", "1", "--biais", "exercice", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with open(out / "bench.csv", encoding="utf-8") as handle:
        rows = {(r["systeme"], r["exercice"]): r for r in csv.DictReader(handle)}
    names = ["faster-whisper_base_b1_exercice", "openai-whisper_base_b1_exercice"]
    for name in names:
        item, corpus = rows[(name, "court")], rows[(name, "CORPUS")]
        assert float(item["wer"]) < 0.6 and int(item["mots_ref"]) == 9
        assert float(item["wer_dictee"]) < 0.6  # raw text against the 10 dictated words (« point » included)
        assert float(item["rtf"]) > 0 and 5 < float(item["duree_audio_s"]) <= 5.5
        assert float(corpus["memoire_pic_mo"]) > 100  # the child that loaded the model
        assert item["depuis_cache"] == "non" and item["erreur"] == ""
        assert "amlodipine" in (out / f"{name}.trn").read_text(encoding="utf-8")
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert [c["a"] for c in data["comparisons"]] == [names[0]]
    assert data["config"]["audio_changed"] == []
    run = json.loads((out / "runs" / f"{names[0]}.json").read_text(encoding="utf-8"))
    assert run["items"][0]["audio_sha256"] == data["config"]["audio"][0]["sha256"]
    assert (out / "ref.trn").read_text(encoding="utf-8").endswith("(court)\n")

    # a second run comes from the cache, keeps the measured memory, and gives the same numbers
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    with open(out / "bench.csv", encoding="utf-8") as handle:
        rows2 = {(r["systeme"], r["exercice"]): r for r in csv.DictReader(handle)}
    for name in names:
        assert rows2[(name, "court")]["depuis_cache"] == "oui"
        assert rows2[(name, "court")]["wer"] == rows[(name, "court")]["wer"]
        assert rows2[(name, "CORPUS")]["memoire_pic_mo"] == rows[(name, "CORPUS")]["memoire_pic_mo"]
