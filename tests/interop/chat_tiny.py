"""A tiny pretrained *chat* model built locally, shaped like a real Llama 3 instruct export.

``tokenizer.json`` has added special tokens (begin-of-text, end-of-turn, header marks, a
pad token) and an ordinary added token; ``tokenizer_config.json`` carries a chat template;
``generation_config.json`` stops at two ids (end of text and end of turn), and the end of
turn differs from BOS. The model's end-of-turn logit is boosted so greedy generation of a
chat prompt stops after a few tokens, which makes "stops where the original does" testable.
Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import torch
import transformers as T
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>", "<|pad|>"]
TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
    "<|end_header_id|>\n\n{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
TEXT = ["hello there, how are you today?", "def add(a, b): return a + b",
        "the quick brown fox jumps over the lazy dog"] * 4
MESSAGES = [{"role": "user", "content": "hello there"}]


def make_tokenizer() -> T.PreTrainedTokenizerFast:
    """A byte-level BPE with added special tokens and a chat template."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TEXT, trainer=trainer)
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens(["<tool>"])
    return T.PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|end_of_text|>",
        pad_token="<|pad|>", chat_template=TEMPLATE, model_max_length=64)


def make_chat_folder(folder: Path, seed: int = 0) -> tuple[T.PreTrainedModel, T.PreTrainedTokenizerFast]:
    """Write the tiny chat model (weights, tokenizer files, generation config) to ``folder``."""
    tok = make_tokenizer()
    ids = {k: tok.convert_tokens_to_ids(v) for k, v in (
        ("bos_token_id", "<|begin_of_text|>"), ("eos_token_id", "<|end_of_text|>"),
        ("pad_token_id", "<|pad|>"))}
    eot = tok.convert_tokens_to_ids("<|eot_id|>")
    config = T.LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=48,
                           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                           max_position_embeddings=64, tie_word_embeddings=False, **ids)
    torch.manual_seed(seed)
    model = T.LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.2) if p.dim() > 1 else p.uniform_(0.5, 1.5)
    prompt = tok.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt")
    prompt = prompt["input_ids"] if not isinstance(prompt, torch.Tensor) else prompt
    with torch.no_grad():  # make end-of-turn the greedy choice a few tokens in
        out = model.generate(prompt, max_new_tokens=4, do_sample=False, eos_token_id=None,
                             pad_token_id=ids["pad_token_id"])
        third = int(out[0, prompt.size(1) + 2])
        model.lm_head.weight[eot] = model.lm_head.weight[third] * 1.3
    model.generation_config = T.GenerationConfig(
        bos_token_id=ids["bos_token_id"], eos_token_id=[ids["eos_token_id"], eot],
        pad_token_id=ids["pad_token_id"], do_sample=False)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model, tok


def chat_prompt(tok: T.PreTrainedTokenizerFast) -> torch.Tensor:
    """The ids of :data:`MESSAGES` with the generation prompt, ``[1, N]``."""
    ids = tok.apply_chat_template(MESSAGES, add_generation_prompt=True, return_tensors="pt")
    return ids["input_ids"] if not isinstance(ids, torch.Tensor) else ids
