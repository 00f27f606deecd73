"""The suggested metadata of a new exercise and the near-misses the trainer is shown.

The rules are checked against the bundled exercises, whose metadata a person wrote: what
the rules find again there is what docs/creation.md says.
"""

from pathlib import Path

import pytest
import soundfile

from transcribe.asr.transcript import Segment, Transcript, Word
from transcribe.authoring import review, suggestions
from transcribe.exercise import list_exercises

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundled():
    return [(ex, ex.reference_text(), soundfile.info(str(ex.audio_path)).duration) for ex in list_exercises()]


def test_patient_identity_found_in_every_bundled_reference(bundled):
    for exercise, text, _ in bundled:
        assert suggestions.suggest_patient(text) == exercise.patient, exercise.id


def test_patient_identity_as_whisper_writes_it():
    text = "Patient : madame Fatima Bancet, née le 16 juillet 1977\nIPP : 20 48 17 36\n"
    assert suggestions.suggest_patient(text) == {"prenom": "Fatima", "nom": "Bancet",
                                                 "date_naissance": "16 juillet 1977", "ipp": "20 48 17 36"}
    assert suggestions.suggest_patient("Mme Odile FABRE, née le 22/01/1963") == {
        "nom": "FABRE", "prenom": "Odile", "date_naissance": "22/01/1963"}
    assert suggestions.suggest_patient("Le patient présente une hypertension.") == {}


def test_difficulty_and_time_limit_rules_against_the_bundled_exercises(bundled):
    difficulties = [suggestions.suggest_difficulty(text) == ex.difficulty for ex, text, _ in bundled]
    limits = [suggestions.suggest_time_limit(duration, ex.difficulty) == ex.time_limit_minutes
              for ex, _, duration in bundled]
    assert sum(difficulties) == 12 and sum(limits) == 14  # of 15 (docs/creation.md)
    assert suggestions.suggest_time_limit(9.3, "facile") == 5  # never under 5 minutes
    assert suggestions.suggest_time_limit(120, "moyen") == 25  # 2 min × 13 = 26 → 25


def test_titles_and_specialties(bundled):
    found = {ex.id: suggestions.suggest(text, duration) for ex, text, duration in bundled}
    assert sum(found[ex.id].title == ex.title for ex, _, _ in bundled) == 9
    assert sum(ex.title.startswith(found[ex.id].title) for ex, _, _ in bundled) == 14
    assert found["03-neurologie-consultation"].title == "Consultation de neurologie"  # not its « IRM »
    assert found["11-ophtalmologie-consultation"].title == "Consultation d'ophtalmologie"
    assert found["08-compte-rendu-operatoire"].title == "Compte rendu opératoire"
    assert found["14-ordonnance"].title == "Ordonnance"
    assert sum(found[ex.id].specialty == ex.specialty for ex, _, _ in bundled) == 9
    assert suggestions.suggest_title("Rien de reconnaissable.", "") == (
        "Compte rendu", "aucun type de document reconnu dans le texte")
    # No specialty named: the word list that shares the most terms with the text.
    assert suggestions.suggest_specialty("Fibrillation atriale sous apixaban, électrocardiogramme normal.") == (
        "cardiologie", "3 terme(s) de sa liste dans le texte")


def test_critical_values_terms_and_sections():
    text = ("Motif de consultation :\nDouleur thoracique gauche.\nAntécédents :\nHypertension artérielle traitée "
            "par amlodipine 5 mg, PA 145/90 mmHg, FEVG à 55 %.\nService de cardiologie.\nIPP : 123456\n")
    s = suggestions.suggest(text, 60)
    assert s.critical_values == ["gauche", "5 mg", "145/90 mmHg", "55 %", "123456"]
    assert s.sections == ["Motif de consultation", "Antécédents"]  # « IPP : » is not a heading
    assert "amlodipine" in s.terms and "Hypertension artérielle" in s.terms and "cardiologie" not in s.terms
    assert s.specialty == "cardiologie" and s.sources["specialty"] == "spécialité nommée dans le texte"


def transcript_of(text: str) -> Transcript:
    words = [Word(float(n), float(n) + 0.5, " " + w, 0.9) for n, w in enumerate(text.split())]
    return Transcript(text, [Segment(0, 0.0, float(len(words)), text, words)], "faster-whisper", "test")


def test_near_misses_of_lexicon_terms():
    assert review.propose("amylodipine") == ("amlodipine", 95.2)
    assert review.propose("hipertension") == ("hypertension", 91.7)
    for correct in ("amlodipine", "hypertension", "foin", "patient", "traité"):
        assert review.propose(correct) is None, correct  # French or lexicon words: no proposal
    assert review.propose("amylodipine", ("amylodipine",)) is None  # the trainer's own word
    found = review.near_misses(transcript_of("Traité par amylodipine. Amylodipine arrêtée chez Mme DURANT Amlodipyne"))
    # Names are left alone: in capitals, or capitalised inside a sentence.
    assert [(m.word, m.proposal, m.start, m.count) for m in found] == [("amylodipine", "amlodipine", 2.0, 2)]
    assert review.propose("Amylodipine") == ("Amlodipine", 95.2)


def test_unsure_words():
    t = transcript_of("Le patient foin.")
    t.segments[0].words[2].probability = 0.39
    assert [(w.word, w.start, w.probability) for w in review.unsure_words(t)] == [("foin", 2.0, 0.39)]


def test_given_material_loads_with_the_toolkit_loader(bundled, tmp_path):
    """Consigne, sheet and template suggested for every bundled reference and Whisper draft:
    the exercise format's own loader (sheet against [patient], template against the
    reference) accepts them."""
    from transcribe.authoring.given import suggest_given
    from transcribe.authoring.new import _metadata_toml
    from transcribe.exercise import load_exercise

    for exercise, text, duration in bundled:
        draft = exercise.reference_path.with_name(exercise.id + ".brouillon.txt").read_text(encoding="utf-8")
        for name, body in (("reference", text), ("brouillon", draft)):
            s = suggestions.suggest(body, duration)
            given = suggest_given(body, s)
            folder = tmp_path / f"{exercise.id}-{name}"
            folder.mkdir()
            (folder / "x.txt").write_text(body, encoding="utf-8")
            (folder / "x.toml").write_text(_metadata_toml("x", "x.flac", s, given), encoding="utf-8")
            (folder / "x.modele.txt").write_text(given.template, encoding="utf-8")
            loaded = load_exercise(folder / "x.txt")
            assert loaded.given.instructions == given.consigne and dict(loaded.given.sheet) == given.fiche
            assert loaded.patient == s.patient and loaded.given.start_text().strip() == ""


def test_given_material_of_a_consultation():
    from transcribe.authoring.given import suggest_given

    text = ("Compte rendu de consultation du 12/03/2026\nPatient : M. Marcel DURAND, né le 14/09/1951\n"
            "IPP : 20481736\nAmlodipine 5 mg.\n")
    given = suggest_given(text, suggestions.suggest(text, 60))
    assert given.consigne == ("Saisissez sous la dictée le compte rendu de consultation dans le modèle, en "
                              "vérifiant l'identité du patient sur la fiche. Écrivez les dates en chiffres "
                              "(JJ/MM/AAAA) et les unités en symboles (mg, mmHg, %…).")
    assert given.fiche == {"Nom": "DURAND", "Prénom": "Marcel", "Date de naissance": "14/09/1951",
                           "IPP": "20481736", "Date du document": "12/03/2026"}
    assert given.template == "[texte dicté]\n"
    plain = "Le patient va bien, cinq milligrammes le matin.\n"
    assert suggest_given(plain, suggestions.suggest(plain, 30)).consigne == (
        "Saisissez sous la dictée le compte rendu dans le modèle.")
