"""Dictated commands → written text: exact strings for every command and ambiguity rule."""

import pytest

from transcribe.asr.commands import apply_commands


@pytest.mark.parametrize("spoken, written", [
    # each command
    ("il va bien virgule merci", "Il va bien, merci"),
    ("il va bien point", "Il va bien."),
    ("il va bien point final", "Il va bien."),
    ("il va bien point à la ligne suite", "Il va bien.\nSuite"),
    ("il va bien à la ligne suite", "Il va bien\nSuite"),
    ("il va bien retour à la ligne suite", "Il va bien\nSuite"),
    ("il va bien nouvelle ligne suite", "Il va bien\nSuite"),
    ("conclusion point nouveau paragraphe suite", "Conclusion.\n\nSuite"),
    ("traitement deux points aspirine", "Traitement : aspirine"),
    ("traitement 2 points aspirine", "Traitement : aspirine"),
    ("traitement deux-points aspirine", "Traitement : aspirine"),
    ("il tousse point-virgule pas de fièvre", "Il tousse ; pas de fièvre"),
    ("il tousse point virgule pas de fièvre", "Il tousse ; pas de fièvre"),
    ("est-ce grave point d'interrogation", "Est-ce grave ?"),
    ("est-ce grave point d’interrogation", "Est-ce grave ?"),
    ("quelle chance point d'exclamation", "Quelle chance !"),
    ("et ainsi de suite points de suspension", "Et ainsi de suite…"),
    ("ouvrez la parenthèse contrôlée fermez la parenthèse", "(Contrôlée)"),
    ("fièvre ouvrir la parenthèse 39 degrés fermer la parenthèse point", "Fièvre (39 degrés)."),
    ("il dit ouvrez les guillemets j'ai mal fermez les guillemets point", "Il dit « j'ai mal »."),
    ("traitement deux points à la ligne tiret amlodipine à la ligne tiret metformine point",
     "Traitement :\n- Amlodipine\n- Metformine."),
    ("tension 12 tiret 8", "Tension 12 - 8"),
    # capitals after a full stop and a line break
    ("il mange point il dort point fin", "Il mange. Il dort. Fin"),
    ("titre à la ligne texte", "Titre\nTexte"),
    # decimal comma
    ("température 38 virgule 5 degrés", "Température 38,5 degrés"),
    # Whisper's mishearing of « point »
    ("traitée par amlodipine, poing.", "Traitée par amlodipine."),
    ("examen clinique, deux poignes, à la ligne, tympan normal, poignes,", "Examen clinique :\nTympan normal."),
    ("fièvre virgules toux", "Fièvre, toux"),
    ("2016, nouveau paragrave, patient, 2 points. Monsieur Foucher", "2016\n\nPatient : monsieur Foucher"),
    ("Poids, 2 poing, 58 kg, Nouveau Paragraph, Traitement, Poin", "Poids : 58 kg\n\nTraitement."),
])
def test_commands(spoken, written):
    assert apply_commands(spoken) == written


@pytest.mark.parametrize("spoken, written", [
    ("mise en place d'un point de suture", "Mise en place d'un point de suture"),
    ("on pose deux points de suture", "On pose deux points de suture"),
    ("le point est fait", "Le point est fait"),
    ("sur ce point nous verrons", "Sur ce point nous verrons"),
    ("un point est à revoir", "Un point est à revoir"),
    ("après la mise au point thérapeutique", "Après la mise au point thérapeutique"),
    ("la virgule est mal placée", "La virgule est mal placée"),
    ("les deux points sont notés", "Les deux points sont notés"),
    ("trois points sont notés", "Trois points sont notés"),
    ("le point fort du dossier", "Le point fort du dossier"),
    ("incision à la ligne médiane", "Incision à la ligne médiane"),
    ("un point d'interrogation demeure", "Un point d'interrogation demeure"),
    ("il serre le poing", "Il serre le poing"),
    ("il a de la poigne", "Il a de la poigne"),
    ("un tiret manque", "Un tiret manque"),
    ("le premier point est réglé", "Le premier point est réglé"),
    ("point de côté gauche", "Point de côté gauche"),
])
def test_ambiguous_words_stay_text(spoken, written):
    assert apply_commands(spoken) == written


@pytest.mark.parametrize("whisper, written", [
    # Whisper's own punctuation next to a command: never doubled
    ("Patient hypertendu, virgule, traité.", "Patient hypertendu, traité."),
    ("Patient hypertendu. Virgule. Traité par amlodipine.", "Patient hypertendu, traité par amlodipine."),
    ("Il va bien. Point.", "Il va bien."),
    ("Il va bien. Point à la ligne. Suite.", "Il va bien.\nSuite."),
    ("Il va bien point. À la ligne, suite.", "Il va bien.\nSuite."),
    ("Conclusion, deux points, à la ligne, tiret, amlodipine. À la ligne. Tiret metformine.",
     "Conclusion :\n- Amlodipine\n- Metformine."),
    ("Nouveau paragraphe. Examen clinique.", "Examen clinique."),
    ("VIRGULE et POINT", "Et."),
    # French spacing of Whisper's own punctuation
    ("Vraiment? Oui! Bien:", "Vraiment ? Oui ! Bien :"),
    ("Il a dit , bonjour .", "Il a dit, bonjour."),
])
def test_whisper_punctuation_tolerated(whisper, written):
    assert apply_commands(whisper) == written


def test_dictation_of_the_short_sample():
    spoken = ("Le patient présente une hypertension artérielle traitée par amlodipine point\n"
              "L'électrocardiogramme montre une fibrillation atriale point")
    assert apply_commands(spoken) == ("Le patient présente une hypertension artérielle traitée par "
                                      "amlodipine. L'électrocardiogramme montre une fibrillation atriale.")


def test_header_block():
    spoken = ("Patient deux points monsieur Marcel Durand virgule né le 14 septembre 1951 à la ligne "
              "IPP deux points 20481736 nouveau paragraphe Motif de consultation deux points")
    assert apply_commands(spoken) == ("Patient : monsieur Marcel Durand, né le 14 septembre 1951\n"
                                      "IPP : 20481736\n\nMotif de consultation :")


def test_input_line_breaks_are_spaces():
    assert apply_commands("né en 1951 à la ligne\nIPP deux points 123\n\nfin point") == (
        "Né en 1951\nIPP : 123 fin.")


def test_empty_and_plain_text():
    assert apply_commands("") == ""
    assert apply_commands("bonjour") == "Bonjour"
