"""`Diagnostic`: one problem with the document, attached to the node it is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Diagnostic"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem a learner can act on.

    Args:
        node_id (str): the node the problem is about (the root for model-wide ones).
        severity (str): ``"error"`` (the model cannot be built) or ``"warning"``.
        message (str): one or two plain sentences saying what is wrong and why.
        code (str): a short stable key for tests and filtering, e.g. ``"width"``.
    """

    node_id: str
    severity: Literal["error", "warning"]
    message: str
    code: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form used by ``olm info --json``."""
        return {
            "node_id": self.node_id,
            "severity": self.severity,
            "message": self.message,
            "code": self.code,
        }
