"""Shared fixtures: the bundled corpus folders and a small exercise written on the fly."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
AUDIO = ROOT / "audio_samples"
EXAMPLES = ROOT / "examples" / "submissions"

MINI_REFERENCE = """CENTRE HOSPITALIER DE TEST - Service de cardiologie
Patient : M. Marcel DURAND, né le 14/09/1951
Motif de consultation :
Douleur thoracique depuis trois jours.
Antécédents :
Hypertension artérielle traitée par amlodipine 5 mg. Fibrillation atriale.
Conclusion :
Échographie cardiaque normale, FEVG à 60 %. Contrôle dans 2,5 mois au cœur de l'hiver.
Dr Claire MARTIN
"""

MINI_TOML = """title = "Mini consultation"
specialty = "cardiologie"
time_limit_minutes = 10
sections = ["Motif de consultation", "Antécédents", "Conclusion"]
terms = ["fibrillation atriale", "amlodipine"]
critical_values = ["5 mg"]
[patient]
nom = "DURAND"
prenom = "Marcel"
date_naissance = "14/09/1951"
"""


@pytest.fixture
def mini_exercise(tmp_path):
    ref = tmp_path / "mini.txt"
    ref.write_text(MINI_REFERENCE, encoding="utf-8")
    (tmp_path / "mini.toml").write_text(MINI_TOML, encoding="utf-8")
    return ref
