"""What distinguishes a node, and what differs between variants, without Qt."""

from olm.graph import from_source
from olm.graph.node_text import node_features, repeat_variants_text, variant_labels
from olm.graph.repeat import layer_variants


def _first(graph, type_key):
    return next(i for i in graph.walk() if graph.nodes[i].type == type_key)


def test_features_of_plain_and_distinctive_nodes():
    gpt2 = from_source("GPT2")
    env = gpt2.variable_values()[0]
    assert node_features(gpt2, _first(gpt2, "FlashAttention"), env) == []
    oss = from_source("GPTOSS_20B")
    env = oss.variable_values()[0]
    local = node_features(oss, _first(oss, "GroupedQueryAttention"), env)
    assert local[0] == "window 128" and "sinks" in local
    gemma2 = from_source("Gemma2_2B")
    head = node_features(gemma2, _first(gemma2, "OutputHead"), gemma2.variable_values()[0])
    assert head == ["softcap 30"]


def test_variants_are_named_by_what_differs():
    graph = from_source("Gemma2_2B")
    env = graph.variable_values()[0]
    repeat = _first(graph, "Repeat")
    # soft-capping is shared by both variants, so it names neither
    assert variant_labels(graph, repeat, env) == ["local 4096", "global"]
    layers = layer_variants(graph.nodes[repeat], env)
    half = len(layers) // 2
    assert repeat_variants_text(graph, repeat, layers, env) == f"local 4096 ×{half} · global ×{half}"


def test_a_uniform_repeat_has_no_variant_text():
    graph = from_source("Qwen3_0_6B")
    env = graph.variable_values()[0]
    repeat = _first(graph, "Repeat")
    assert repeat_variants_text(graph, repeat, layer_variants(graph.nodes[repeat], env), env) == ""
