"""One device grammar: TrainConfig, resolve_device and parse_device_string read strings alike."""

import pytest
import torch

from olm.core.errors import ConfigError
from olm.train import TrainConfig
from olm.train.device import resolve_device
from olm.train.device_names import DEVICE_NAMES, parse_device
from olm.train.strategy import parse_device_string


def _answer(read, spec):
    try:
        read(spec)
    except ConfigError as err:
        return str(err) if "must be one of" in str(err) else "valid"  # absent hardware: valid
    return "valid"


@pytest.mark.parametrize("spec", ["auto", "cpu", " CPU ", "cpu:auto", "cpu:0", "tpu", "gpu",
                                  "cuda:x", "", "cpu:0:1", "mps:1"])
def test_the_three_readers_agree_on_every_string(spec):
    answers = {_answer(lambda s: TrainConfig(source="x", device=s), spec),
               _answer(resolve_device, spec), _answer(parse_device_string, spec)}
    assert len(answers) == 1, answers
    answer = answers.pop()
    assert answer == "valid" or repr(spec) in answer


def test_cpu_choosers_resolve_to_the_cpu():
    assert resolve_device("cpu:auto") == torch.device("cpu")
    assert parse_device_string("cpu:auto").device_type == "cpu"


def test_the_names_a_person_picks_from_all_parse():
    assert [parse_device(n).kind for n in DEVICE_NAMES] == list(DEVICE_NAMES)
    assert parse_device("cuda:3").index == 3
