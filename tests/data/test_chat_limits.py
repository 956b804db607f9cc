"""Chat templates are data from a file (issue 25.4): rendering is bounded in steps, time and
size, loader statements are refused by name, and real templates render exactly as Jinja's
plain immutable sandbox (what `transformers` uses) renders them."""

from __future__ import annotations

import types

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from olm.core.errors import OLMError
from olm.data.chat import render_chat
from olm.data.template_sandbox import TemplateLimitError

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi!"}, {"role": "user", "content": "2 + 2?"}]
TOKENS = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}

# Chat templates as the published tokenizers ship them (shortened where they only differ in
# tool-calling branches these messages never reach).
REAL = {
    "llama3": (
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
        " + message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
        "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
        "{% endif %}"),
    "qwen_chatml": (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "smollm": (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM<|im_end|>\n' }}"
        "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
        "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
        "{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "gemma": (
        "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
        "{% set first_user_prefix = messages[0]['content'] ~ '\n\n' %}"
        "{% set loop_messages = messages[1:] %}{% else %}{% set first_user_prefix = '' %}"
        "{% set loop_messages = messages %}{% endif %}{% for message in loop_messages %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
        "{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}"
        "{% else %}{% set role = message['role'] %}{% endif %}"
        "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}"
        "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"),
}


class _Files:
    def token(self, role: str) -> str | None:
        return TOKENS.get(role)


def _tok(template: str):
    return types.SimpleNamespace(chat_template=template, files=_Files())


def _plain(template: str) -> str:
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = lambda m: (_ for _ in ()).throw(ValueError(m))
    return env.from_string(template).render(messages=MESSAGES, add_generation_prompt=True,
                                            bos_token=TOKENS["bos_token"],
                                            eos_token=TOKENS["eos_token"], pad_token="",
                                            unk_token="")


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_templates_render_as_the_plain_sandbox_does(name):
    got = render_chat(_tok(REAL[name]), MESSAGES)
    assert got == _plain(REAL[name])
    assert "hello" in got


HOSTILE = {
    "nested_loops": ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}"
                     "{% endfor %}", "steps"),
    "silent_loops": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                     "{% endfor %}", "steps"),
    "repeat_product": ("{{ 'a' * 100000000 * 100 }}", "100,000,000"),
    "doubling_concat": ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
                        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}", "joined with ~"),
    "doubling_list": ("{% set ns = namespace(s=[1]) %}{% for i in range(60) %}"
                      "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}", "a text or list"),
    "center_method": ("{{ 'x'.center(1000000000) }}", "1,000,000,000"),
    "center_filter": ("{{ 'x'|center(1000000000) }}", "1,000,000,000"),
    "format_width": ("{{ '%0999999999d' % 1 }}", "width"),
    "power": ("{{ 2 ** 100000000 }}", "too large"),
    "squaring": ("{% set ns = namespace(x=3) %}{% for i in range(40) %}"
                 "{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}", "too large"),
    "many_big_values": ("{% set ns = namespace(a=[]) %}{% for i in range(100) %}"
                        "{% set ns.a = ns.a + ['x' * 7000000] %}{% endfor %}", "in all"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_templates_are_refused_naming_the_limit(name):
    template, words = HOSTILE[name]
    with pytest.raises(TemplateLimitError, match=words) as err:
        render_chat(_tok(template), MESSAGES)
    assert "\n" not in str(err.value)


def test_the_time_budget_stops_a_recursive_loop(monkeypatch):
    import olm.core.limits as limits

    monkeypatch.setattr(limits, "MAX_CHAT_SECONDS", 0.2)
    template = ("{% for x in range(100) recursive %}{% if loop.depth < 6 %}"
                "{{ loop(range(100)) }}{% endif %}{% endfor %}")
    with pytest.raises(TemplateLimitError, match="longer than 0.2 s"):
        render_chat(_tok(template), MESSAGES)


@pytest.mark.parametrize("statement", ["{% include 'x.j2' %}", "{% import 'x.j2' as x %}",
                                       "{% from 'x.j2' import y %}", "{% extends 'x.j2' %}"])
def test_loader_statements_are_refused_by_name(statement):
    word = statement.split()[1]
    with pytest.raises(TemplateLimitError, match=f"uses {{% {word} %}}"):
        render_chat(_tok("hi " + statement), MESSAGES)


@pytest.mark.parametrize("template", ["{{ 1 / 0 }}", "{{ 'a' + 1 }}",
                                      "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
                                      "{{ range(10**9) }}", "{% for %}"])
def test_template_faults_are_one_line_olm_errors(template):
    with pytest.raises(OLMError) as err:
        render_chat(_tok(template), MESSAGES)
    assert "\n" not in str(err.value)


# -- tokenizer files from others (issue 25.2, 25.3) --------------------------------------
def test_token_ids_beyond_any_vocabulary_are_refused(tmp_path):
    from olm.core.errors import FileFormatError
    from olm.data.tokenizer_files import GENERATION_CONFIG, TokenizerFiles

    files = TokenizerFiles({GENERATION_CONFIG: '{"eos_token_id": [2, 9223372036854775808]}'})
    with pytest.raises(FileFormatError, match="eos_token_id must be a token id"):
        files.generation_eos()


def test_a_tokenizer_json_that_panics_the_rust_side_is_one_line(tmp_path, monkeypatch):
    import tokenizers

    from olm.core.errors import FileFormatError
    from olm.data.tokenizers import HFTokenizer

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    def panic(text):
        raise PanicException("called `Option::unwrap()` on a `None` value\nbacktrace")

    monkeypatch.setattr(tokenizers.Tokenizer, "from_str", staticmethod(panic))
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(FileFormatError, match=r"cannot read tokenizer .*PanicException") as err:
        HFTokenizer.from_file(tmp_path / "tokenizer.json")
    assert "\n" not in str(err.value)
