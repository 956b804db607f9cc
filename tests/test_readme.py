"""The README stays true: its Python runs, and every `olm` command it shows exists."""

import pathlib
import re

import torch

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
