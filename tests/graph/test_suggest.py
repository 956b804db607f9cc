"""GQA head suggestions have one owner (olm.graph.suggest): the lesson and the Studio ask it."""

from olm.graph.lessons import LESSONS
from olm.graph.suggest import kv_heads_for


def test_kv_heads_is_the_largest_divisor_within_a_quarter():
    for heads in range(1, 65):
        kv = kv_heads_for(heads)
        assert heads % kv == 0 and 1 <= kv <= max(1, heads // 4)
        assert not any(heads % d == 0 for d in range(kv + 1, heads // 4 + 1))


def test_the_lessons_show_me_uses_the_same_suggestion(tiny):
    from olm.graph.commands import SetParam

    graph = tiny.graph("gpt2")
    step = next(s for lesson in LESSONS.values() for s in lesson.steps
                if s.key == "gqa")
    sets = [c for c in step.show(graph) if isinstance(c, SetParam) and c.name == "num_kv_heads"]
    assert sets
    heads = graph.variables["num_heads"]
    assert {c.value for c in sets} == {kv_heads_for(heads)}
