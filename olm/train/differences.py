"""How two runs' settings differ, leaving out where each run's files are.

One list of the settings that name places rather than how a run trains (its source
file, output folder, event file, the checkpoint it resumed from): they differ between
any two runs and are never "a change". The resume report (``olm train --resume`` with
changed settings) and the Studio's run comparison both read it here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from olm.train.config import TrainConfig

__all__ = ["PLACES", "config_differences"]

PLACES = ("source", "out", "events", "resume")


def config_differences(a: TrainConfig, b: TrainConfig) -> list[tuple[str, object, object]]:
    """``(name, a's value, b's value)`` for every setting the two runs trained with differently."""
    mine, theirs = a.to_json(), b.to_json()
    return [(k, mine[k], theirs[k]) for k in mine if k not in PLACES and mine[k] != theirs[k]]
