"""olm: interchangeable language-model parts in plain PyTorch.

`olm` never imports Qt; the desktop app `olm_studio` sits on top of it.
"""

__version__ = "0.1.0"
