"""Install and help text say what works (issue 24 item 9): the distribution is
``olm-studio`` (``olm`` on the package index is another project), the guide installs the
way the README does, and the README says how to get PyTorch's CPU build."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
CPU_INDEX = "pip install torch --index-url https://download.pytorch.org/whl/cpu"


def _texts():
    for folder in ("olm", "olm_studio", "docs", "packaging"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".md", ".txt") and path.is_file():
                yield path, path.read_text(encoding="utf-8", errors="replace")
    yield ROOT / "README.md", README


def test_no_hint_installs_the_wrong_package():
    wrong = [str(p.relative_to(ROOT)) for p, text in _texts()
             if re.search(r"pip install ['\"]?olm\[", text)]
    assert wrong == []


def test_the_guide_installs_like_the_readme():
    line = re.search(r'python -m pip install -e "\.\[studio\]" && olm-studio', README)
    assert line and line.group(0) in GUIDE


def test_the_cpu_build_of_pytorch_is_explained():
    assert CPU_INDEX in README and CPU_INDEX in GUIDE


def test_the_gguf_error_names_the_right_package(monkeypatch, tmp_path):
    from olm.core.errors import OLMError
    from olm.interop.gguf import read_gguf

    monkeypatch.setitem(sys.modules, "gguf", None)  # as if not installed
    with pytest.raises(OLMError, match=re.escape("pip install 'olm-studio[gguf]'")):
        read_gguf(tmp_path / "model.gguf")
