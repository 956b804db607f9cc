"""Expressions over variables are evaluated without eval, and hostile ones are refused."""

from __future__ import annotations

import pytest

from olm.graph.values import ExprError, evaluate, expr_names, normalize_expr, resolve


def test_arithmetic_over_variables():
    env = {"embed_dim": 64, "num_heads": 4}
    assert evaluate("embed_dim // num_heads", env) == 16
    assert evaluate("int(2.5 * embed_dim)", env) == 160
    assert evaluate("-embed_dim + 2 ** 3", env) == -56
    assert normalize_expr("embed_dim*4") == "embed_dim * 4"
    assert expr_names("max(embed_dim, 4) * num_heads") == {"embed_dim", "num_heads"}
    assert resolve({"var": "num_heads"}, env) == 4
    assert resolve({"literal": {"var": 1}}, env) == {"var": 1}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os')", "may only use"),
        ("embed_dim.bit_length()", "may only use"),
        ("[1, 2]", "may only use"),
        ("2 ** 10 ** 10", "too large"),
        ("10 ** 20", "far too large"),
        ("1 / 0", "divides by zero"),
        ("width * 2", "not a model variable"),
        ("embed_dim +", "not valid"),
        ("'a' * 3", "may only use"),
    ],
)
def test_refused_expressions(text, reason):
    with pytest.raises(ExprError, match=reason):
        evaluate(text, {"embed_dim": 64})
