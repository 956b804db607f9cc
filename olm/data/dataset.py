"""Random training windows drawn from a token array, reproducibly.

Which windows a batch holds depends only on ``(seed, step, micro-step, rank)``, never on
what came before; so a resumed run draws exactly the batches the uninterrupted run would
have drawn, with no loader state to save.
"""

from __future__ import annotations

import numpy as np
import torch

from olm.core.errors import ConfigError

__all__ = ["TokenSplit"]

_EVAL_RANK = 1 << 20  # a stream no training rank uses


class TokenSplit:
    """A 1-D array of token ids (often memory-mapped) that serves ``(inputs, labels)``.

    Args:
        tokens (np.ndarray): the ids.
    """

    def __init__(self, tokens: np.ndarray) -> None:
        self.tokens = tokens

    def __len__(self) -> int:
        return int(self.tokens.shape[0])

    def check_fits(self, seq_len: int, what: str) -> None:
        if len(self) < seq_len + 2:
            raise ConfigError(
                f"the {what} split has {len(self)} tokens, too few for seq_len {seq_len}: "
                "use more data or a shorter --seq-len"
            )

    def windows(self, starts: np.ndarray, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs ``[B, T]`` and next-token labels ``[B, T]`` for windows at ``starts``."""
        idx = starts[:, None] + np.arange(seq_len + 1)[None, :]
        block = torch.from_numpy(np.asarray(self.tokens[idx], dtype=np.int64))
        return block[:, :-1], block[:, 1:]

    def batch(
        self, batch_size: int, seq_len: int, *, seed: int, step: int, micro: int = 0, rank: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch for one (step, micro-step, rank): uniform random windows."""
        rng = np.random.default_rng([seed, step, micro, rank])
        starts = rng.integers(0, len(self) - seq_len - 1, size=batch_size)
        return self.windows(starts, seq_len)

    def eval_batches(
        self, num_batches: int, batch_size: int, seq_len: int, seed: int = 1234
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """A fixed set of validation batches (same every evaluation, so losses compare)."""
        return [
            self.batch(batch_size, seq_len, seed=seed, step=i, micro=0, rank=_EVAL_RANK)
            for i in range(num_batches)
        ]
