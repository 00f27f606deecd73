"""CTranslate2 → openai-whisper conversion: the checkpoint matches Whisper base and loads."""

import re

import numpy as np
import pytest

from transcribe.asr import convert
from transcribe.asr import model as asr_model

BASE_DIMS = {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 512, "n_audio_head": 8,
             "n_audio_layer": 6, "n_vocab": 51865, "n_text_ctx": 448, "n_text_state": 512,
             "n_text_head": 8, "n_text_layer": 6}


@pytest.fixture(scope="module")
def embedded():
    return asr_model.embedded_model_path()


@pytest.fixture(scope="module")
def ct2():
    with asr_model.embedded_ct2_folder() as folder:
        return convert.read_ct2_model(folder)


@pytest.mark.slow
def test_ct2_file_layout(ct2):
    assert (ct2.spec, ct2.revision) == ("WhisperSpec", 3)
    assert len(ct2.variables) == 212
    assert ct2.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    assert convert.count_layers(ct2.variables, "encoder") == 6
    assert convert.count_layers(ct2.variables, "decoder") == 6
    assert convert.whisper_dims(ct2) == BASE_DIMS


@pytest.mark.slow
def test_key_part_of_fused_biases_is_zero(ct2):
    for name, array in ct2.variables.items():
        if re.search(r"self_attention/linear_0/bias$", name):
            assert not np.any(array[512:1024]), name
        if re.search(r"decoder/layer_\d+/attention/linear_1/bias$", name):
            assert not np.any(array[:512]), name


@pytest.mark.slow
def test_state_dict_matches_whisper_base(ct2):
    whisper_model = pytest.importorskip("whisper.model")
    reference = whisper_model.Whisper(whisper_model.ModelDimensions(**BASE_DIMS)).state_dict()
    state = convert.whisper_state_dict(ct2)
    assert set(state) == set(reference)
    assert {k: tuple(v.shape) for k, v in state.items()} == {k: tuple(v.shape) for k, v in reference.items()}


@pytest.mark.slow
def test_checkpoint_loads_with_whisper_load_model(embedded, ct2):
    whisper = pytest.importorskip("whisper")
    path = convert.ensure_converted(embedded)
    assert path == asr_model.cache_dir() / "models" / convert.CHECKPOINT_NAME
    loaded = whisper.load_model(str(path), device="cpu")
    assert vars(loaded.dims) == BASE_DIMS
    ours = convert.load_whisper_checkpoint(path)
    heads = ours.alignment_heads.to_dense().nonzero().tolist()
    assert heads == convert.alignment_heads(embedded) == [[3, 1], [4, 2], [4, 3], [4, 7], [5, 1], [5, 2], [5, 4], [5, 6]]
    q = ours.state_dict()["decoder.blocks.2.cross_attn.query.weight"].numpy()
    np.testing.assert_array_equal(q, ct2.get("decoder/layer_2/attention/linear_0/weight").astype(np.float32))
