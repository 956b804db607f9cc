"""Print the key of a bundle build: a hash of everything that goes into dist/olm-studio/.

The sources (olm/, olm_studio/, packaging/, resources/, docs/guide.md and its images,
pyproject.toml) and the versions of Python, torch, PySide6 and PyInstaller. build.sh
stores it in dist/olm-studio/BUILD-KEY; the slow bundle test rebuilds only when it changed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("olm", "olm_studio", "packaging", "resources", "docs/guide.md", "docs/images",
          "pyproject.toml")


def source_key(root: Path = ROOT) -> str:
    """The hex digest of the bundle's inputs under ``root``."""
    digest = hashlib.sha256()
    for name in INPUTS:
        base = root / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc" or (
                    path.suffix == ".md" and path.parent.name == "packaging"):
                continue  # bytecode caches and the packaging notes do not go in the bundle
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for dist in ("torch", "PySide6-Essentials", "pyinstaller"):
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{dist}={version}\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:32]


if __name__ == "__main__":
    print(source_key())
