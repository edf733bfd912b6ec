"""The playground page in a real browser: Playwright driving the system's Chromium.

Required in CI (``.ci/run`` installs Chromium); skipped with its reason where none is installed.
"""

import shutil
import time

import pytest

from conftest import require_system

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn", reason='the playground needs pip install "nntricks[playground]"')

from playground_server import running_server  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser_page():
    require_system(CHROMIUM is not None, "Chromium is not installed (apt-get install chromium)")
    with running_server() as (base, app), playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            errors = []
            page.on("console", lambda message: message.type == "error" and
                    errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield base, app, page, errors
        finally:
            browser.close()


def snapshot(page):
    return page.evaluate("window.playground.lastSnapshot")


def test_the_page_trains_live_and_keeps_its_settings_in_the_address(browser_page, tmp_path):
    base, app, page, errors = browser_page
    page.goto(base + "/#dataset=circle&learning_rate=0.1&hidden=4,2&seed=0")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    first = snapshot(page)["test_loss"]
    page.click("#play")
    page.wait_for_function("window.playground.lastSnapshot.epoch >= 40", timeout=20_000)
    assert snapshot(page)["test_loss"] < 0.8 * first  # play makes the test loss fall
    page.click("#play")  # pause

    run_id = page.evaluate("window.playground.runId")
    page.select_option("#activation", "relu")
    page.wait_for_function("location.hash.includes('activation=relu')")
    page.wait_for_function("window.playground.lastSnapshot.config.activation === 'relu'")
    assert app.state.runs.get(run_id).config.activation == "relu"  # the running configuration

    link = page.evaluate("location.href")
    page.screenshot(path=str(tmp_path / "playground.png"))
    assert (tmp_path / "playground.png").stat().st_size > 10_000

    again = page.context.new_page()
    again.goto(link)
    again.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    assert again.eval_on_selector("#activation", "element => element.value") == "relu"
    assert again.evaluate("window.playground.config") == page.evaluate("window.playground.config")
    assert len(app.state.runs) == 2
    again.close(run_before_unload=True)  # a closed tab's run stops
    deadline = time.monotonic() + 10
    while len(app.state.runs) != 1:
        assert time.monotonic() < deadline, "the closed tab's run is still there"
        time.sleep(0.05)
    assert errors == []


def test_a_bad_value_shows_an_error_and_the_page_goes_on(browser_page):
    base, app, page, errors = browser_page
    page.goto(base + "/#noise=99")
    page.wait_for_function("document.querySelector('#error').textContent.includes('noise')")
    page.goto(base + "/#noise=10")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    assert [e for e in errors if "400" not in e] == []


def test_dropout_and_the_optimizer_change_the_running_configuration(browser_page):
    base, app, page, errors = browser_page
    page.goto(base + "/#dataset=xor&learning_rate=0.03&seed=1")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    page.click("#play")
    page.select_option("#optimizer", "adam")
    page.select_option("#dropout", "0.2")
    page.wait_for_function("window.playground.lastSnapshot.config.optimizer === 'adam' && "
                           "window.playground.lastSnapshot.config.dropout === 0.2")
    run = app.state.runs.get(page.evaluate("window.playground.runId"))
    assert run.trainer.optimizer.name.startswith("adam(")
    assert [layer.rate for layer in run.network.layers if hasattr(layer, "rate")] == [0.2, 0.2]
    page.wait_for_function("window.playground.lastSnapshot.epoch >= 10")
    assert run.playing  # the run went on training through the changes
    assert "optimizer=adam" in page.evaluate("location.hash")
    assert float(page.text_content("#effective-rate")) > 0  # Adam's own rate, shown live
    assert errors == []


def test_the_gradient_check_button_shows_errors_below_one_in_a_million(browser_page):
    base, app, page, errors = browser_page
    page.goto(base + "/#dataset=spiral&activation=tanh&regularization=l2"
                     "&regularization_rate=0.01&hidden=4,3")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    page.click("#gradcheck")
    page.wait_for_function("document.querySelectorAll('#gradcheck-result tbody tr').length > 0")
    rows = page.eval_on_selector_all(
        "#gradcheck-result tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert [row[0] for row in rows] == ["W[0]", "b[0]", "W[1]", "b[1]", "W[2]", "b[2]"]
    assert all(float(row[1]) < 1e-6 for row in rows)  # float64 errors, as printed
    assert "Passed" in page.text_content("#gradcheck-result caption")
    assert errors == []


def test_a_and_b_train_side_by_side_on_one_chart(browser_page):
    base, app, page, errors = browser_page
    page.goto(base + "/#dataset=circle&learning_rate=0.1&compare=1&b.activation=relu"
                     "&b.optimizer=adam&b.learning_rate=0.01")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0 && "
                           "window.playground.snapshotsReceivedB > 0")
    a, b = (app.state.runs.get(page.evaluate(f"window.playground.{name}"))
            for name in ("runId", "runIdB"))
    assert (a.config.activation, b.config.activation) == ("tanh", "relu")
    assert (a.config.dataset, a.config.seed) == (b.config.dataset, b.config.seed)  # same data
    page.click("#play")
    page.wait_for_function("window.playground.lastSnapshot.epoch >= 20 && "
                           "window.playground.lastSnapshotB.epoch >= 20")
    page.wait_for_function("window.playground.lossCurves.every(curve => curve.points > 1)")
    curves = page.evaluate("window.playground.lossCurves")
    assert [curve["label"] for curve in curves] == ["A Training loss", "A Test loss",
                                                    "B Training loss", "B Test loss"]
    assert page.is_visible("#output-map-b")
    page.click("#play")
    assert errors == []


def test_the_digits_train_in_the_page(browser_page):
    base, app, page, errors = browser_page
    page.goto(base + "/#dataset=digits&hidden=8&optimizer=adam&learning_rate=0.003"
                     "&preprocess=center")
    page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
    page.click("#play")
    page.wait_for_function("window.playground.lastSnapshot.test_accuracy > 0.85",
                           timeout=30_000)
    page.click("#play")
    assert page.eval_on_selector_all("#digit-weights canvas.digit-weight",
                                     "canvases => canvases.length") == 8
    assert "%" in page.text_content("#test-accuracy-big")
    assert errors == []
