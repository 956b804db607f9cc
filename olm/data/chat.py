"""Chat prompts: a tokenizer's chat template applied to a list of messages.

A chat template is Jinja text shipped with a pretrained tokenizer. It is data from a file,
so it is rendered the way `transformers` renders it, in Jinja's *immutable sandbox*: no
attribute access to Python internals, no imports, no writes; a template that tries is an
error, never code that runs. Unlike `transformers`, the sandbox also has a budget
(:mod:`olm.data.template_sandbox`): a template that loops for ever, builds gigabytes of
text or loads another template is refused with one line naming the limit. The special tokens the template writes (``bos_token``,
headers, end of turn) are already text in the result, so the ids are taken without the
tokenizer adding any of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import torch

from olm.core.errors import OLMError

__all__ = ["render_chat", "chat_ids"]


def _environment():
    from olm.data.template_sandbox import BoundedSandbox

    env = BoundedSandbox(trim_blocks=True, lstrip_blocks=True,
                         extensions=["jinja2.ext.loopcontrols"])

    def raise_exception(message: str) -> None:
        raise OLMError(f"the chat template refused the messages: {message}")

    env.globals.update(raise_exception=raise_exception,
                       strftime_now=lambda fmt: datetime.now().strftime(fmt))
    return env


def render_chat(tokenizer: Any, messages: list[dict[str, str]],
                add_generation_prompt: bool = True) -> str:
    """The text of ``messages`` laid out by ``tokenizer``'s chat template.

    Args:
        tokenizer: an olm tokenizer with a ``chat_template`` (an imported `HFTokenizer`).
        messages: ``[{"role": "user", "content": "..."}, ...]``.
        add_generation_prompt: end with the header that opens the assistant's turn.

    Raises:
        OLMError: the tokenizer has no chat template, or the template fails on them.
    """
    template = getattr(tokenizer, "chat_template", None)
    if not template:
        raise OLMError("this tokenizer has no chat template; sample without chat")
    files = tokenizer.files
    names = {role: files.token(role) or "" for role in
             ("bos_token", "eos_token", "pad_token", "unk_token")}
    from olm.data.template_sandbox import render_bounded

    try:
        return render_bounded(_environment(), template, messages=messages,
                              add_generation_prompt=add_generation_prompt, **names)
    except OLMError:
        raise
    except RecursionError:
        raise OLMError("the chat template cannot be rendered: it recurses too deeply") from None
    except Exception as err:  # noqa: BLE001 - a template's own fault (1 / 0, 'a' + 1, ...)
        raise OLMError(f"the chat template cannot be rendered: {type(err).__name__}: "
                       f"{err}") from None


def chat_ids(tokenizer: Any, messages: list[dict[str, str]]) -> torch.Tensor:
    """The ids of the rendered chat prompt (1-D long), special tokens as written."""
    text = render_chat(tokenizer, messages)
    ids = tokenizer.tokenizer.encode(text, add_special_tokens=False).ids
    return torch.tensor(ids, dtype=torch.long)
