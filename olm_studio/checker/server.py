"""The child process that answers checks: one JSON request per line in, one answer out.

Run as ``python -m olm_studio.checker.server`` by :mod:`.client`; it ends when its stdin
closes (the Studio quit or died). It runs at a lower priority than the window and leaves
a core for it, so a check never competes with painting on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import sys

from olm_studio.checker.answers import answer


def _be_polite() -> None:
    if hasattr(os, "nice"):
        try:
            os.nice(5)
        except OSError:
            pass
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))


def _apply_context(request: dict) -> None:
    """The window's working folder and ``OLM_*`` settings at the time of the request."""
    cwd = request.get("cwd")
    if cwd and cwd != os.getcwd() and os.path.isdir(cwd):
        os.chdir(cwd)
    wanted = {name: value for name, value in (request.get("env") or {}).items()
              if name.startswith("OLM_") and isinstance(value, str)}
    for name in [n for n in os.environ if n.startswith("OLM_") and n not in wanted]:
        del os.environ[name]
    os.environ.update(wanted)


def main() -> int:
    """Serve until stdin closes."""
    replies = sys.stdout
    sys.stdout = sys.stderr  # a stray print from a library never corrupts a reply
    _be_polite()
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError as err:
            reply = {"error": f"not a JSON request: {err}"}
        else:
            _apply_context(request)
            reply = {"id": request.get("id"), **answer(request)}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
