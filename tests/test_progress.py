"""epoch_progress: the package's one epoch bar."""

from nntricks.progress import epoch_progress


def test_the_bar_counts_epochs_on_standard_error(capsys):
    bar = epoch_progress(4, desc="fitting", leave=False)
    bar.update(3)
    bar.close()
    assert (bar.total, bar.n, bar.unit, bar.leave) == (4, 3, "epoch", False)
    out, err = capsys.readouterr()
    assert out == "" and "fitting:" in err and "/4 " in err


def test_the_bar_is_left_on_screen_by_default():
    bar = epoch_progress(2)
    bar.close()
    assert bar.leave and bar.desc == "training"
