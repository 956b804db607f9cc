"""The Hugging Face files that travel with a ``tokenizer.json``, kept exactly as loaded.

A pretrained chat model's tokenizer is more than ``tokenizer.json``: its
``tokenizer_config.json`` names the bos/eos/pad tokens and usually holds the chat
template, ``special_tokens_map.json`` repeats the special tokens, newer exports keep the
template in ``chat_template.jinja``, and ``generation_config.json`` says which ids end a
turn. olm keeps the text of each file verbatim (so an export writes back exactly what was
read) plus the model's own ``bos/eos/pad_token_id`` from ``config.json``; it reads them
only as JSON and as a template rendered in a sandbox (:mod:`olm.data.chat`), never as code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olm.core.errors import FileFormatError
from olm.core.limits import RANGES

__all__ = [
    "TOKENIZER_CONFIG",
    "SPECIAL_TOKENS_MAP",
    "GENERATION_CONFIG",
    "CHAT_TEMPLATE_FILE",
    "SIDE_FILES",
    "ID_KEYS",
    "TokenizerFiles",
]

TOKENIZER_CONFIG = "tokenizer_config.json"
SPECIAL_TOKENS_MAP = "special_tokens_map.json"
GENERATION_CONFIG = "generation_config.json"
CHAT_TEMPLATE_FILE = "chat_template.jinja"
SIDE_FILES = (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP, GENERATION_CONFIG, CHAT_TEMPLATE_FILE)
ID_KEYS = ("bos_token_id", "eos_token_id", "pad_token_id")
_MAX_BYTES = 32 * 1024 * 1024  # tokenizer_config.json of large vocabularies runs to a few MB


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > _MAX_BYTES:
        raise FileFormatError(f"{path}: {size:,} bytes is larger than the {_MAX_BYTES:,} allowed")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise FileFormatError(f"{path}: not UTF-8 text ({err})") from None


def _ids(value: Any, where: str) -> int | list[int] | None:
    def is_id(v: Any) -> bool:  # within the largest vocabulary olm builds (olm.core.limits)
        return type(v) is int and 0 <= v < RANGES["vocab_size"][1]

    ok = value is None or is_id(value) or (
        isinstance(value, list) and value and all(is_id(v) for v in value))
    if not ok:
        raise FileFormatError(f"{where} must be a token id (below {RANGES['vocab_size'][1]:,}), "
                              f"a list of ids or null, not {str(value)[:60]}")
    return value


@dataclass
class TokenizerFiles:
    """The side files of a tokenizer (name → verbatim text) and the model's special ids.

    Args:
        texts (dict[str, str]): file name (one of ``SIDE_FILES``) → its text as read.
        model_ids (dict): ``bos_token_id``/``eos_token_id``/``pad_token_id`` as the model's
            ``config.json`` gives them (absent keys: the folder did not say).
    """

    texts: dict[str, str] = field(default_factory=dict)
    model_ids: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: str | Path, model_config: dict | None = None) -> TokenizerFiles:
        """The side files found in ``folder``; ids from ``model_config`` (a config.json)."""
        d = Path(folder)
        texts = {name: _read_text(d / name) for name in SIDE_FILES if (d / name).is_file()}
        files = cls(texts)
        for name in (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP, GENERATION_CONFIG):
            files.json(name)  # refuse a damaged file now, naming it, not at export time
        for key in ID_KEYS:
            if model_config is not None and key in model_config:
                files.model_ids[key] = _ids(model_config[key], f"config.json {key}")
        return files

    def write(self, folder: str | Path) -> None:
        """Write every side file into ``folder`` exactly as it was read."""
        for name, text in self.texts.items():
            (Path(folder) / name).write_text(text, encoding="utf-8")

    def json(self, name: str) -> dict:
        """The parsed JSON object of side file ``name`` ({} when there is none)."""
        text = self.texts.get(name)
        if text is None:
            return {}
        try:
            data = json.loads(text)
        except ValueError as err:
            raise FileFormatError(f"{name}: not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise FileFormatError(f"{name}: expected a JSON object")
        return data

    def token(self, role: str) -> str | None:
        """The text of the ``role`` token ("bos_token", "eos_token", "pad_token"), if named."""
        for name in (TOKENIZER_CONFIG, SPECIAL_TOKENS_MAP):
            value = self.json(name).get(role)
            if isinstance(value, dict):  # a serialised AddedToken
                value = value.get("content")
            if isinstance(value, str):
                return value
        return None

    @property
    def chat_template(self) -> str | None:
        """The chat template (``chat_template.jinja``, else tokenizer_config's), if any."""
        if CHAT_TEMPLATE_FILE in self.texts:
            return self.texts[CHAT_TEMPLATE_FILE]
        value = self.json(TOKENIZER_CONFIG).get("chat_template")
        if isinstance(value, list):  # several named templates: the default one
            named = {t.get("name"): t.get("template") for t in value if isinstance(t, dict)}
            value = named.get("default")
        return value if isinstance(value, str) else None

    def generation_eos(self) -> list[int]:
        """The ids ``generation_config.json`` stops at (it may list several), else []."""
        value = _ids(self.json(GENERATION_CONFIG).get("eos_token_id"),
                     f"{GENERATION_CONFIG} eos_token_id")
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def is_empty(self) -> bool:
        """True when nothing beyond ``tokenizer.json`` was found."""
        return not self.texts and not self.model_ids
