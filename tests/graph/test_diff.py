"""The structural diff says what differs between two documents, and nothing else."""

from olm.graph.diff import diff_graphs
from olm.graph.document import Graph, Node, chain


def _doc(norm: str, ffn: str, kv, extra_dropout: bool = False, variables=None) -> Graph:
    """Embedding, Repeat(Block[Residual(norm, attn), Residual(norm, ffn)]), head."""
    nodes = {}

    def add(node: Node) -> str:
        nodes[node.id] = node
        return node.id

    attn_params = {"embed_dim": {"var": "embed_dim"}, "num_heads": 4, "num_kv_heads": kv}
    res1 = add(Node("Residual", children=[add(Node("Block", children=[
        add(Node(norm, {"dim": {"var": "embed_dim"}})),
        add(Node("GroupedQueryAttention", attn_params))]))]))
    ffn_children = [add(Node(norm, {"dim": {"var": "embed_dim"}})),
                    add(Node(ffn, {"embed_dim": {"var": "embed_dim"}}))]
    if extra_dropout:
        ffn_children.append(add(Node("Dropout", {"p": 0.1})))
    res2 = add(Node("Residual", children=[add(Node("Block", children=ffn_children))]))
    body = add(Node("Block", children=[res1, res2]))
    repeat = add(Node("Repeat", {"num_layers": 2}, children=[body]))
    emb = add(Node("Embedding", {"vocab_size": 256, "embedding_dim": {"var": "embed_dim"}}))
    head = add(Node("OutputHead", {"tied_embedding": {"ref": emb}}))
    root = add(Node("Block", children=[emb, repeat, head]))
    return Graph(nodes, root, variables or {"embed_dim": 32}, "m")


def test_identical_documents_have_no_changes():
    assert diff_graphs(_doc("LayerNorm", "ClassicFFN", 4), _doc("LayerNorm", "ClassicFFN", 4)) == []


def test_swapped_types_and_params_are_reported_once_each():
    a = _doc("LayerNorm", "ClassicFFN", 4, variables={"embed_dim": 32})
    b = _doc("RMSNorm", "SwiGLU", {"var": "kv"}, variables={"embed_dim": 32, "kv": 2})
    # Places skip plain Block wrappers and number same-type siblings.
    assert [str(c) for c in diff_graphs(a, b)] == [
        "variable kv: (none) → 2",
        "Repeat › Residual #1: LayerNorm → RMSNorm",
        "Repeat › Residual #1 › GroupedQueryAttention num_kv_heads: 4 → kv",
        "Repeat › Residual #2: LayerNorm → RMSNorm",
        "Repeat › Residual #2: ClassicFFN → SwiGLU",
    ]


def test_a_wrapper_against_a_single_part_is_removed_and_added():
    a, b = _doc("RMSNorm", "SwiGLU", 4), _doc("RMSNorm", "SwiGLU", 4)
    nodes = b.nodes
    emb_id = nodes[b.root].children[0]
    wrapper = Node("Block", children=[emb_id])
    nodes[wrapper.id] = wrapper
    nodes[b.root].children[0] = wrapper.id
    nodes[b.root].wires = chain(nodes[b.root].children)
    assert [str(c) for c in diff_graphs(a, b)] == [
        "model: removed Embedding", "model: added Block(Embedding)"]


def test_inserted_node_is_one_addition_not_a_cascade():
    a = _doc("RMSNorm", "SwiGLU", 4)
    b = _doc("RMSNorm", "SwiGLU", 4, extra_dropout=True)
    changes = diff_graphs(a, b)
    assert [(c.kind, c.after) for c in changes] == [("added", "Dropout")]
    assert [c.kind for c in diff_graphs(b, a)] == ["removed"]


def test_variable_value_change_is_reported():
    a = _doc("RMSNorm", "SwiGLU", 4, variables={"embed_dim": 32})
    b = _doc("RMSNorm", "SwiGLU", 4, variables={"embed_dim": 64})
    assert [str(c) for c in diff_graphs(a, b)] == ["variable embed_dim: 32 → 64"]


def _find(graph: Graph, type_key: str) -> list[str]:
    return [i for i in graph.walk() if graph.nodes[i].type == type_key]


def test_recipe_and_size_are_told_apart():
    from olm.graph.diff import compare

    a = _doc("RMSNorm", "SwiGLU", 4, variables={"embed_dim": 32})
    bigger = _doc("RMSNorm", "SwiGLU", 4, variables={"embed_dim": 64})
    result = compare(a, bigger)
    assert result.same_recipe and not result.same_size
    assert result.verdict() == "same recipe, different size"
    # Every node reading embed_dim is touched on the size side, none on the recipe side.
    recipe_a, recipe_b = result.highlighted("recipe")
    size_a, _ = result.highlighted("size")
    assert recipe_a == recipe_b == set()
    assert set(_find(a, "RMSNorm")) | set(_find(a, "GroupedQueryAttention")) <= size_a
    assert not set(_find(a, "OutputHead")) & size_a

    other = _doc("LayerNorm", "SwiGLU", 4, variables={"embed_dim": 32})
    swapped = compare(a, other)
    assert swapped.verdict() == "different recipe, same size"
    assert swapped.highlighted("recipe")[0] == set(_find(a, "RMSNorm"))
    assert swapped.highlighted("size") == (set(), set())
    assert compare(a, a.copy()).verdict() == "identical"


def test_options_are_recipe_and_counts_are_size():
    from olm.graph.diff import compare

    a = _doc("RMSNorm", "SwiGLU", 4)
    b = _doc("RMSNorm", "SwiGLU", 2, extra_dropout=False)
    result = compare(a, b)
    assert [c.aspect for c in result.changes] == ["size"]
    for node_id in _find(b, "RMSNorm"):
        b.nodes[node_id].params["eps"] = 1e-6
    result = compare(a, b)
    assert sorted({c.aspect for c in result.changes}) == ["recipe", "size"]
    assert result.verdict() == "different recipe and different size"


def test_change_labels_name_gpt2_turned_llama_style():
    from olm.graph.commands import RemoveNode, ReplaceNode
    from olm.graph.diff import change_labels
    from olm.graph.source import from_source

    base = from_source("GPT2")
    edited = base.copy()
    for old, new in (("LayerNorm", "RMSNorm"), ("FlashAttention", "GroupedQueryAttention"),
                     ("ClassicFFN", "SwiGLUFFN")):
        for node_id in _find(edited, old):
            ReplaceNode(node_id, new).do(edited)
    RemoveNode(_find(edited, "AbsolutePositionalEmbedding")[0]).do(edited)
    assert change_labels(base, edited) == ["+RMSNorm", "+GQA", "+SwiGLU", "−pos"]
    assert change_labels(base, base.copy()) == []
    # Sizes do not name a run: a wider GPT-2 is still plain GPT-2.
    wider = base.copy()
    wider.variables["embed_dim"] = 1024
    assert change_labels(base, wider) == []


def test_preset_label_names_a_graph_by_its_preset_and_changes():
    from olm.graph.commands import ReplaceNode
    from olm.graph.diff import preset_label
    from olm.graph.source import from_source

    graph = from_source("GPT2")
    assert preset_label(graph) == "GPT2"
    for node_id in _find(graph, "LayerNorm"):
        ReplaceNode(node_id, "RMSNorm").do(graph)
    assert preset_label(graph) == "GPT2 +RMSNorm"
    graph.name = "my own"
    assert preset_label(graph) == "my own"
