"""Every command's help: each option's default said once."""

import re

import pytest

from nntricks.cli import COMMANDS, main


@pytest.mark.parametrize("command", [module.__name__.rsplit(".", 1)[1] for module in COMMANDS])
def test_help_states_each_default_once(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    options = re.split(r"\n  (?=-)", text)  # one chunk per option
    for option in options:
        assert len(re.findall(r"default", option, flags=re.I)) <= 1, option
    assert "(default: None)" not in text
