"""The architecture diff says what differs between two runs' graphs, and nothing else."""

from olm.graph.document import Graph, Node, chain
from olm_studio.training.graph_diff import diff_graphs


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
