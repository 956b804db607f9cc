"""The README stays true: its Python runs, and every `olm` command it shows exists."""

import pathlib
import re

import pytest
import torch
from waiting import CHILD_S

from olm.cli.main import build_parser

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
    modern = namespace["modern"]
    assert modern(torch.randint(0, 256, (1, 8))).shape == (1, 8, 256)
    assert "Repeat(lambda: Block([" in capsys.readouterr().out


def test_cli_examples_name_real_commands_and_options():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    lines = [line.split("#")[0].split() for line in README.splitlines()
             if line.startswith(("olm ", "torchrun "))]
    assert lines
    for words in lines:
        if words[0] == "torchrun":
            words = words[words.index("olm"):]
        name, rest = words[1], words[2:]
        assert name in commands, name
        known = {opt for action in commands[name]._actions for opt in action.option_strings}
        for word in rest:
            if word.startswith("--"):
                assert word in known, f"olm {name} has no option {word}"


@pytest.mark.slow
def test_cli_examples_run_as_written(tmp_path):
    """Every line of the command-line block runs, in order, in an empty folder (as from a
    fresh clone). The torchrun line starts two processes; DDP is tested in
    tests/train/test_ddp.py, so here it only has to name real options (above)."""
    import os
    import shlex
    import subprocess
    import sys

    block = re.search(r"## The `olm` command line\n\n```bash\n(.*?)```", README, re.S).group(1)
    lines = [line.strip() for line in block.splitlines()
             if line.startswith("olm ")]
    assert any("--set" in line for line in lines) and any("my_model.py" in line for line in lines)
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(__file__).resolve().parents[1]),
           "OLM_CACHE_DIR": str(tmp_path / "cache")}
    for line in lines:
        words = shlex.split(line, comments=True)
        result = subprocess.run([sys.executable, "-m", "olm", *words[1:]], cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=CHILD_S)
        assert result.returncode == 0, f"{line}\n{result.stderr[-2000:]}"
    assert (tmp_path / "my_model.py").is_file() and (tmp_path / "runs" / "trial").is_dir()
