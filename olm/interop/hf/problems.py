"""Whether a document has a Hugging Face form, asked before any weights exist.

The Studio offers the Hugging Face export only where it will work and shows the reason
elsewhere; it asks this module instead of repeating the export's checks.
"""

from __future__ import annotations

from typing import Any

from olm.core.errors import OLMError

__all__ = ["export_problem"]


def export_problem(graph: Any) -> str | None:
    """Why ``graph`` has no Hugging Face form, or ``None`` when it maps to one.

    Built on the ``meta`` device (no weights), then read the way :func:`save_hf` reads a
    model and matched against the architectures it writes, so the answer is the export's.
    """
    import torch

    import olm.graph
    from olm.interop.hf.reader import read_model
    from olm.interop.hf.save import choose_architecture

    try:
        with torch.device("meta"):
            module = olm.graph.build(graph, device="meta")
        choose_architecture(read_model(module).spec)
    except (OLMError, ValueError, TypeError) as err:
        return str(err)
    return None
