"""Hypothesis fuzzing of chat templates (issue 25, fuzzing): templates built from Jinja's
statements, operators, filters and methods, and plain random text, each rendered in a
forked child with a time and an address-space limit (:mod:`bounded`). Every one renders
or ends in an OLMError: never another exception, a hang or an unbounded allocation.
``OLM_FUZZ_SCALE=10`` searches ten times as long with fresh examples."""

from __future__ import annotations

import os
import types
from datetime import timedelta

import pytest
from bounded import is_bounded_answer, run_bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from olm.data.chat import render_chat

SCALE = max(1, int(os.environ.get("OLM_FUZZ_SCALE", "1")))
pytestmark = pytest.mark.timeout(600, method="thread")
MESSAGES = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"}]


def _fuzz(examples: int):
    return settings(max_examples=examples * SCALE, deadline=timedelta(seconds=60),
                    derandomize=SCALE == 1, database=None,
                    suppress_health_check=list(HealthCheck))


class _Files:
    def token(self, role: str) -> str | None:
        return {"bos_token": "<s>", "eos_token": "</s>"}.get(role)


def _render(template: str) -> None:
    render_chat(types.SimpleNamespace(chat_template=template, files=_Files()), MESSAGES)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Import Jinja once here, so each forked example starts warm."""
    _render("{% for m in messages %}{{ m['content'] | upper }}{% endfor %}")


ATOMS = st.sampled_from([
    "1", "0", "-1", "7", "100000", "99999999", "2", "64", "1.5", "'a'", "'ab'", "''", "bos_token",
    "eos_token", "messages", "messages[0]", "messages[0]['content']", "m", "loop.index",
    "range(100000)", "range(7)", "[1, 2]", "{'k': 'v'}", "none", "true", "ns.x", "x",
    "add_generation_prompt", "'%099999999d'", "'{:>99999999}'",
])
OPS = ["*", "+", "~", "**", "%", "-", "//", "/", "==", "and", "in"]
FILTERS = ["length", "list", "join", "join(',')", "upper", "trim", "center(99999999)",
           "center(7)", "indent(99999999)", "replace('a', 'aaaa')", "string", "first",
           "batch(3)", "map('upper')", "format(1)", "tojson", "reverse", "sum", "unique",
           "wordwrap(5)", "truncate(3)"]
METHODS = ["upper()", "center(99999999)", "ljust(99999999)", "zfill(99999999)", "join(messages)",
           "split()", "format(1)", "strip()", "items()", "replace('', 'xx')"]


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(OPS), inner),
            st.builds(lambda a, f: f"({a} | {f})", inner, st.sampled_from(FILTERS)),
            st.builds(lambda a, m: f"({a}).{m}", inner, st.sampled_from(METHODS)),
        ),
        max_leaves=6,
    )


def _templates() -> st.SearchStrategy[str]:
    expr = _expressions()
    return st.recursive(
        st.one_of(st.sampled_from(["x", "<|im_start|>", "\n", "{{ bos_token }}", ""]),
                  expr.map(lambda e: "{{ " + e + " }}")),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.builds(lambda e, b: f"{{% for m in {e} %}}{b}{{% endfor %}}", expr, inner),
            st.builds(lambda e, b: f"{{% for m in {e} recursive %}}{b}"
                                   "{% if loop.depth < 9 %}{{ loop(m) }}{% endif %}{% endfor %}",
                      expr, inner),
            st.builds(lambda e, b: f"{{% if {e} %}}{b}{{% else %}}y{{% endif %}}", expr, inner),
            st.builds(lambda e, b: f"{{% set ns = namespace(x={e}) %}}{b}"
                                   f"{{% for i in range(64) %}}{{% set ns.x = ns.x ~ ns.x %}}"
                                   "{% endfor %}", expr, inner),
            st.builds(lambda e, b: f"{{% set x = {e} %}}{b}", expr, inner),
            st.builds(lambda b: f"{{% macro f(n) %}}{b}{{{{ f(n) }}}}{{% endmacro %}}{{{{ f(1) }}}}",
                      inner),
            st.sampled_from(["{% include 'x' %}", "{% import 'x' as y %}", "{% extends 'x' %}",
                             "{% from 'x' import y %}", "{% raw %}{{{% endraw %}", "{% for %}",
                             "{{ raise_exception('no') }}", "{{ ''.__class__.__mro__ }}"]),
        ),
        max_leaves=5,
    )


@_fuzz(120)
@given(template=_templates())
def test_generated_templates_render_or_give_an_olm_error(template):
    outcome = run_bounded(_render, template)
    assert is_bounded_answer(outcome), (outcome, template)


@_fuzz(60)
@given(template=st.text(alphabet=st.sampled_from(list("{}%#-+*~()[]'\" xab0123456789|.")),
                        max_size=80))
def test_random_text_templates_render_or_give_an_olm_error(template):
    outcome = run_bounded(_render, template)
    assert is_bounded_answer(outcome), (outcome, template)
