"""Two students at once on one server: a model one uploads is never offered to the other.

Two browser contexts (separate cookies and websockets, so separate Streamlit sessions) are
open side by side on the same server. Each uploads its own small model on the train page;
each gates-page model picker must list its own upload and never the other's, while both
still offer the shipped models (which are shared, read-only, loaded once per process).
"""

from __future__ import annotations

from conftest import wait_for_app

from explorer.state import SHIPPED as SHIPPED_FILES
from lstm_engine import ModelConfig, Vocab, init_model, model_to_bytes

SHIPPED = list(SHIPPED_FILES)  # every shipped model, in picker order


def small_model_file(folder, name: str, seed: int):
    model = init_model(ModelConfig(kind="gru", hidden_size=4, seed=seed), Vocab.from_text("abc de"))
    path = folder / f"{name}.npz"
    path.write_bytes(model_to_bytes(model))
    return path


def open_page(page, app_url: str, title: str) -> None:
    """Open a page by its sidebar link (a full page load would start a new session)."""
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    wait_for_app(page, timeout=60_000)


def upload(page, path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').last.set_input_files(str(path))
    page.get_by_text(f"“{path.stem}” is now in the model picker", exact=False).wait_for(timeout=30_000)
    wait_for_app(page)


def picker_options(page) -> list[str]:
    """Every option of the gates page's model picker, read from the opened dropdown."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Model").first.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    names = [o.strip() for o in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def test_an_upload_in_one_session_is_invisible_in_the_other(browser, app_url, tmp_path):
    files = {who: small_model_file(tmp_path, f"isolation_probe_{who}", seed) for seed, who in enumerate("AB")}
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        pages = dict(zip("AB", (c.new_page() for c in contexts), strict=True))
        for page in pages.values():  # both sessions are open before either uploads
            page.goto(f"{app_url}/gates")
            wait_for_app(page)

        open_page(pages["A"], app_url, "Train your own")
        upload(pages["A"], files["A"])
        open_page(pages["A"], app_url, "Watch the gates")
        assert picker_options(pages["A"]) == [*SHIPPED, "isolation_probe_A"]

        # B, open all along on the same server, sees only the shipped models ...
        open_page(pages["B"], app_url, "Train your own")
        assert pages["B"].get_by_text("isolation_probe_A").count() == 0
        open_page(pages["B"], app_url, "Watch the gates")
        assert picker_options(pages["B"]) == SHIPPED

        # ... and its own upload, which A in turn never sees.
        open_page(pages["B"], app_url, "Train your own")
        upload(pages["B"], files["B"])
        open_page(pages["B"], app_url, "Watch the gates")
        assert picker_options(pages["B"]) == [*SHIPPED, "isolation_probe_B"]
        open_page(pages["A"], app_url, "Train your own")  # A, still in its own session, reruns
        open_page(pages["A"], app_url, "Watch the gates")
        assert picker_options(pages["A"]) == [*SHIPPED, "isolation_probe_A"]
        for page in pages.values():
            assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        for c in contexts:
            c.close()
