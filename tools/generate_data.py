"""Regenerate the data shipped so that presets open without torch.

Writes ``olm/models/documents/*.olm.json`` (each preset's architecture document),
``olm/graph/data/catalog.json`` and ``olm/graph/data/leaf_facts.json`` from the library
(see :mod:`olm.graph.shipped`). Run it after changing a component, a family class or a
preset row; ``tests/graph/test_shipped_data.py`` fails until you do.

    python tools/generate_data.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from olm.graph.shipped import write_files  # noqa: E402


def main() -> int:
    """Write the files that changed and list them."""
    written = write_files()
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("shipped data is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
