"""French medical dictation toolkit: transcribe dictations with Whisper, grade transcriptions.

The package reads like its data flow:

- ``reading`` / ``normalize`` / ``tokenize``: submission files to clean French tokens;
- ``alignment``: jiwer alignment of submission against reference, lenient and strict views;
- ``classify``: one error type per aligned difference, plus flags;
- ``metrics``: WER, CER, term accuracy;
- ``scoring``: the score object of the contract;
- ``grading``: the six criteria, the barème, the note;
- ``drafts`` / ``postedit``: speech-recognition drafts and the grading of a corrected draft;
- ``report``: terminal and HTML reports;
- ``asr``: speech recognition (audio, embedded model, engines, dictated commands).
"""

__version__ = "0.1.0"
