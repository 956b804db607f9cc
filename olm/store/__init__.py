"""olm.store: runs, checkpoints and pretrained weights on disk, with one owner.

Below ``olm.train`` and ``olm.interop`` (which both use it and never each other) and above
``olm.graph`` and ``olm.data``:

- :mod:`olm.store.layout`: every file name of a checkpoint and a run folder;
- :mod:`olm.store.checkpoint`: write, verify and load checkpoint folders;
- :mod:`olm.store.run_lock`: one process per run folder;
- :mod:`olm.store.resume`: what a run folder says about resuming it, and which of its
  recorded paths may be obeyed;
- :mod:`olm.store.pretrained`: ``open_pretrained``, anything that carries weights.

Nothing is imported here, so ``olm.store.layout`` stays free of torch.
"""
