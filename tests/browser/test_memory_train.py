"""Real browser: train a model on the Train page, find it in the gates picker; the memory chart
shows the RNN's gradient vanishing below the LSTM's; the cells page renders its charts."""

import math

from conftest import wait_for_app

TRAIN_STEPS = 30


def open_via_sidebar(page, app_url: str, title: str) -> None:
    """Open the app on the gates page, then a page by its sidebar link (same browser session)."""
    if not page.url.startswith(app_url):
        page.goto(f"{app_url}/gates")
        wait_for_app(page)
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    wait_for_app(page, timeout=60_000)


def plotly_traces(page, index: int) -> list[dict]:
    """name and y of every trace of the index-th Plotly chart, as Plotly.js drew them
    (_fullData holds the decoded arrays; data keeps the base64 typed-array spec)."""
    return page.evaluate(
        """(i) => {
            const el = document.querySelectorAll('.js-plotly-plot')[i];
            return el._fullData.map(t => ({name: t.name, mode: t.mode, y: Array.from(t.y || [])}));
        }""",
        index,
    )


def test_train_a_few_steps_then_pick_the_model_on_the_gates_page(page, app_url, shot):
    open_via_sidebar(page, app_url, "Train your own")
    steps = page.get_by_label("Training steps")
    steps.fill(str(TRAIN_STEPS))
    steps.press("Enter")
    sample = page.get_by_label("Show a sample every N steps (0 = never)")
    sample.fill("10")
    sample.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()
    progress = page.locator('[data-testid="stProgress"]').first
    progress.wait_for(state="visible", timeout=30_000)
    assert progress.is_visible()
    name = f"My LSTM 1×32 ({TRAIN_STEPS} steps)"
    page.get_by_text(f"“{name}” is now in the model picker", exact=False).wait_for(timeout=120_000)
    wait_for_app(page)
    assert page.get_by_text(f"Finished all {TRAIN_STEPS} steps").first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1400, "height": 1700})
    shot(page, "train")
    page.set_viewport_size({"width": 1400, "height": 1000})

    open_via_sidebar(page, app_url, "Watch the gates")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Model").first.click()
    option = page.get_by_role("option", name=name)
    option.wait_for(timeout=10_000)
    option.click()
    # the rerun may start a moment after the click, so wait for its result, not for idleness
    caption = page.get_by_text("LSTM, 1×32 units").first
    caption.wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert caption.is_visible()


def test_memory_chart_shows_the_rnn_gradient_below_the_lstms(page, app_url, shot):
    open_via_sidebar(page, app_url, "RNN vs LSTM memory")
    page.locator(".js-plotly-plot").first.wait_for()
    traces = {t["name"]: t["y"] for t in plotly_traces(page, 0) if t["mode"] == "lines"}
    assert {"RNN", "GRU", "LSTM", "LSTM cell"} <= set(traces)
    far = slice(120, 200)  # 120-200 steps back from the end (default length 200)

    def first_below(ys):
        return next(d for d, y in enumerate(ys) if y < 0.01)

    # the first view (fresh weights): the RNN's signal falls below 1 % before the LSTM's
    assert first_below(traces["RNN"]) < first_below(traces["LSTM"])

    def mean_log(ys):
        return sum(math.log10(y) for y in ys[far]) / len(ys[far])

    assert mean_log(traces["RNN"]) < mean_log(traces["LSTM"]) - 1
    assert mean_log(traces["RNN"]) < mean_log(traces["LSTM cell"]) - 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1400, "height": 2150})
    shot(page, "memory")
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_cells_page_renders_every_chart(page, app_url, shot):
    open_via_sidebar(page, app_url, "Inside the cells")
    page.locator(".js-plotly-plot").nth(4).wait_for(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 5
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1400, "height": 3000})
    shot(page, "cells")
    page.set_viewport_size({"width": 1400, "height": 1000})
