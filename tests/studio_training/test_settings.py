"""TrainSettings: validation names the setting, and the command line is what olm train takes."""

import pytest

from olm.cli.main import build_parser
from olm.core.errors import ConfigError
from olm_studio.training.settings import TrainSettings


def test_defaults_are_a_valid_trial_run():
    s = TrainSettings()
    s.validate()
    assert (s.data_kind, s.tokenizer_kind, s.device) == ("builtin", "byte", "auto")


@pytest.mark.parametrize("change, names", [
    ({"batch_size": 0}, "batch_size"),
    ({"lr": -1.0}, "lr"),
    ({"lr": float("nan")}, "lr"),
    ({"device": "tpu"}, "device"),
    ({"data_kind": "file"}, "data_path"),
    ({"tokenizer_kind": "file"}, "tokenizer_path"),
    ({"tokenizer_kind": "bpe", "bpe_vocab": 10}, "bpe_vocab"),
    ({"eval_every": -1}, "eval_every"),
])
def test_validate_names_the_broken_setting(change, names):
    with pytest.raises(ConfigError, match=names):
        TrainSettings(**change).validate()


def test_cli_args_parse_with_the_real_olm_train_parser():
    s = TrainSettings(data_kind="folder", data_path="/data/txt", tokenizer_kind="bpe",
                      bpe_vocab=512, batch_size=4, seq_len=64, lr=3e-4, steps=50,
                      device="cpu", precision="fp32", eval_every=5, sample_every=10,
                      checkpoint_every=25, seed=7, threads=1)
    args = build_parser().parse_args(s.cli_args("m.olm.json", "/runs/x/checkpoint", "-"))
    assert args.command == "train" and args.source == "m.olm.json"
    assert (args.data, args.tokenizer) == ("/data/txt", "bpe:512")
    assert (args.batch_size, args.seq_len, args.steps, args.lr) == (4, 64, 50, 3e-4)
    assert (args.device, args.out, args.events) == ("cpu", "/runs/x/checkpoint", "-")
    assert (args.eval_every, args.sample_every, args.checkpoint_every) == (5, 10, 25)
    assert args.seed == 7 and args.threads == 1 and args.use_amp is False


def test_round_trip_and_differences():
    a = TrainSettings(lr=1e-3, steps=100)
    b = TrainSettings.from_dict({**a.to_dict(), "lr": 3e-4, "future_setting": 1})
    assert b.lr == 3e-4 and b.steps == 100
    assert a.differences(b) == [("lr", 1e-3, 3e-4)]


def test_auto_intervals_fill_only_what_was_left_at_zero():
    filled = TrainSettings(steps=400, eval_every=7).with_auto_intervals()
    assert (filled.eval_every, filled.sample_every, filled.checkpoint_every) == (7, 80, 100)
    assert TrainSettings(steps=3).with_auto_intervals().sample_every == 1
