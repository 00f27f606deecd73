"""CTranslate2 Whisper model → openai-whisper checkpoint (``{"dims", "model_state_dict"}``).

CTranslate2 ``model.bin`` layout (binary version ≥ 4, little-endian)::

    uint32 version | str spec_name | uint32 spec_revision | uint32 n_variables
    n × (str name | uint8 rank | uint32 dims[rank] | uint8 dtype | uint32 nbytes | bytes)
    uint32 n_aliases | n × (str alias | str target)          # version ≥ 3
    str = uint16 length (NUL included) + bytes

Whisper's WhisperSpec (revision 3) fuses the attention projections: self-attention
``linear_0`` is [q; k; v], cross-attention ``linear_1`` is [k; v]; the key part of each fused
bias is zero because Whisper's key projection has no bias. Layer norms are ``gamma``/``beta``.
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import TranscribeError
from .extras import require_openai_whisper
from .model import CHECKPOINT_NAME, converted_checkpoint_path, ct2_folder, embedded_checkpoint_path  # noqa: F401

DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bfloat16"}
LAYER_RE = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


@dataclass
class Ct2Model:
    spec: str
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray:
        return self.variables[self.aliases.get(name, name)]


def read_ct2_model(path: str | os.PathLike) -> Ct2Model:
    """Parse a CTranslate2 ``model.bin`` (file or folder) into numpy arrays."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.bin"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscribeError("modèle CTranslate2 illisible.", path) from exc
    pos = 0

    def take(fmt: str):
        nonlocal pos
        size = struct.calcsize("<" + fmt)
        if pos + size > len(data):
            raise TranscribeError("modèle CTranslate2 tronqué ou corrompu.", path)
        value = struct.unpack_from("<" + fmt, data, pos)
        pos += size
        return value[0] if len(value) == 1 else value

    def string() -> str:
        nonlocal pos
        length = take("H")
        raw = data[pos:pos + length]
        pos += length
        return raw.rstrip(b"\0").decode("utf-8")

    version = take("I")
    if version < 4 or version > 6:
        raise TranscribeError(f"format CTranslate2 non pris en charge (version binaire {version}).", path)
    spec, revision = string(), take("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = string()
        rank = take("B")
        shape = tuple(take("I") for _ in range(rank))
        dtype_id, nbytes = take("B"), take("I")
        raw = data[pos:pos + nbytes]
        pos += nbytes
        dtype = DTYPES.get(dtype_id)
        if dtype is None:
            raise TranscribeError(f"type de données CTranslate2 inconnu ({dtype_id}) pour {name}.", path)
        if dtype == "bfloat16":
            array = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            array = np.frombuffer(raw, dtype)
        variables[name] = array.reshape(shape)
    aliases = {}
    if pos < len(data):
        for _ in range(take("I")):
            alias = string()
            aliases[alias] = string()
    return Ct2Model(spec, revision, variables, aliases)


def _float(model: Ct2Model, name: str) -> np.ndarray:
    """A weight as float (dequantising int8 CTranslate2 weights with their row scales)."""
    array = model.get(name)
    if array.dtype == np.int8:
        scale = model.get(name + "_scale").astype(np.float32)
        array = array.astype(np.float32) / scale.reshape(-1, *([1] * (array.ndim - 1)))
    return array


def count_layers(names, side: str) -> int:
    return len({int(m.group(2)) for n in names if (m := LAYER_RE.match(n)) and m.group(1) == side})


def whisper_dims(model: Ct2Model) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the CTranslate2 variables."""
    conv1 = model.get("encoder/conv1/weight")
    embeddings = model.get("decoder/embeddings/weight")
    return {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(model.get("encoder/position_encodings/encodings").shape[0]),
        "n_audio_state": int(conv1.shape[0]),
        "n_audio_head": int(model.get("encoder/num_heads")),
        "n_audio_layer": count_layers(model.variables, "encoder"),
        "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(model.get("decoder/position_encodings/encodings").shape[0]),
        "n_text_state": int(embeddings.shape[1]),
        "n_text_head": int(model.get("decoder/num_heads")),
        "n_text_layer": count_layers(model.variables, "decoder"),
    }


def _attention(model: Ct2Model, src: str, dst: str, out: dict, *, fused: str, qkv: bool, out_linear: str) -> None:
    """Split a fused CTranslate2 projection into query/key/value (key has no bias)."""
    weight, bias = _float(model, f"{src}/{fused}/weight"), model.get(f"{src}/{fused}/bias")
    parts = ("query", "key", "value") if qkv else ("key", "value")
    n = weight.shape[0] // len(parts)
    for i, part in enumerate(parts):
        out[f"{dst}.{part}.weight"] = weight[i * n:(i + 1) * n]
        if part != "key":
            out[f"{dst}.{part}.bias"] = bias[i * n:(i + 1) * n]
        elif np.any(bias[i * n:(i + 1) * n]):
            raise TranscribeError(f"conversion impossible : biais de clé non nul dans {src}.")
    if not qkv:  # cross-attention: query is its own linear_0
        out[f"{dst}.query.weight"] = _float(model, f"{src}/linear_0/weight")
        out[f"{dst}.query.bias"] = model.get(f"{src}/linear_0/bias")
    out[f"{dst}.out.weight"] = _float(model, f"{src}/{out_linear}/weight")
    out[f"{dst}.out.bias"] = model.get(f"{src}/{out_linear}/bias")


def _norm(model: Ct2Model, src: str, dst: str, out: dict) -> None:
    out[f"{dst}.weight"] = model.get(f"{src}/gamma")
    out[f"{dst}.bias"] = model.get(f"{src}/beta")


def _mlp(model: Ct2Model, src: str, dst: str, out: dict) -> None:
    for ct2, torch_index in (("linear_0", 0), ("linear_1", 2)):
        out[f"{dst}.mlp.{torch_index}.weight"] = _float(model, f"{src}/ffn/{ct2}/weight")
        out[f"{dst}.mlp.{torch_index}.bias"] = model.get(f"{src}/ffn/{ct2}/bias")
    _norm(model, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln", out)


def whisper_state_dict(model: Ct2Model) -> dict[str, np.ndarray]:
    """The openai-whisper state dict (numpy arrays) of a CTranslate2 WhisperSpec model."""
    if model.spec != "WhisperSpec":
        raise TranscribeError(f"modèle CTranslate2 « {model.spec} » : seul WhisperSpec est convertible.")
    dims = whisper_dims(model)
    out: dict[str, np.ndarray] = {}
    for conv in ("conv1", "conv2"):
        out[f"encoder.{conv}.weight"] = _float(model, f"encoder/{conv}/weight")
        out[f"encoder.{conv}.bias"] = model.get(f"encoder/{conv}/bias")
    out["encoder.positional_embedding"] = model.get("encoder/position_encodings/encodings")
    for i in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        _attention(model, f"{src}/self_attention", f"{dst}.attn", out, fused="linear_0", qkv=True, out_linear="linear_1")
        _norm(model, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln", out)
        _mlp(model, src, dst, out)
    _norm(model, "encoder/layer_norm", "encoder.ln_post", out)
    out["decoder.token_embedding.weight"] = _float(model, "decoder/embeddings/weight")
    out["decoder.positional_embedding"] = model.get("decoder/position_encodings/encodings")
    for i in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        _attention(model, f"{src}/self_attention", f"{dst}.attn", out, fused="linear_0", qkv=True, out_linear="linear_1")
        _norm(model, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln", out)
        _attention(model, f"{src}/attention", f"{dst}.cross_attn", out, fused="linear_1", qkv=False, out_linear="linear_2")
        _norm(model, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln", out)
        _mlp(model, src, dst, out)
    _norm(model, "decoder/layer_norm", "decoder.ln", out)
    return out


def alignment_heads(ct2_dir: Path) -> list[list[int]]:
    """The (layer, head) pairs used for word timestamps, from the model's config.json."""
    config = Path(ct2_dir) / "config.json"
    if not config.is_file():
        return []
    return [[int(layer), int(head)] for layer, head in json.loads(config.read_text()).get("alignment_heads", [])]


def convert_ct2_to_whisper(ct2_dir: str | os.PathLike, output: str | os.PathLike) -> Path:
    """Write an openai-whisper checkpoint (torch.save, atomically) loadable by whisper.load_model."""
    require_openai_whisper()
    import torch

    output = Path(output)
    with ct2_folder(ct2_dir) as folder:
        model = read_ct2_model(folder)
        heads = alignment_heads(folder)
    state = {name: torch.from_numpy(np.array(array, copy=True)) for name, array in whisper_state_dict(model).items()}
    checkpoint = {"dims": whisper_dims(model), "model_state_dict": state, "alignment_heads": heads}
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}-", dir=output.parent)
    os.close(fd)
    try:
        torch.save(checkpoint, tmp)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return output


def ensure_converted(ct2_dir: str | os.PathLike, force: bool = False) -> Path:
    """The cached openai-whisper checkpoint of a CTranslate2 folder, converting it the first time."""
    target = converted_checkpoint_path(ct2_dir)
    if force or not target.is_file():
        convert_ct2_to_whisper(ct2_dir, target)
    return target


def load_whisper_checkpoint(path: str | os.PathLike, device: str = "cpu"):
    """Load an openai-whisper checkpoint as whisper.load_model does, then apply stored alignment heads."""
    import base64
    import gzip

    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    with open(path, "rb") as handle:
        checkpoint = torch.load(handle, map_location=device, weights_only=True)
    dims = ModelDimensions(**checkpoint["dims"])
    model = Whisper(dims)
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads")
    if heads:
        mask = np.zeros((dims.n_text_layer, dims.n_text_head), dtype=bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.set_alignment_heads(base64.b85encode(gzip.compress(mask.tobytes())))
    del whisper
    return model.to(device)
