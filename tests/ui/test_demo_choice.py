"""First launch: the welcome panel offers the demo shop in English and in Chinese."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.support.ui import make_window


def test_the_welcome_panel_offers_both_demo_shops(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    page = window.data_page
    assert page.stack.currentWidget() is page.welcome
    assert page.demo_zh_button.isVisible() and "中文" in page.demo_zh_button.text()
    page.demo_requested.disconnect(window.load_demo)  # which shop, not the run it starts
    for button, language in ((page.demo_zh_button, "zh"), (page.demo_button, "en")):
        with qtbot.waitSignal(page.demo_requested) as asked:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert asked.args == [language]
