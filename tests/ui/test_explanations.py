"""The recommendation text pane of the Users screen: the words stream in while the model
writes, Stop ends it and keeps what was stored, "Generate for all users" writes and
stores every user's text with progress. A tiny random GPT-2 stands in for the model: its
words never pass the grounding check, so the stored texts are templates, which also
exercises the fallback the window must show."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from engine.explanations.prompt import template_explanation
from storage.explain import run_facts
from storage.models import ListRow, ListTextRow
from storage.results import user_text
from tests.support.tables import tiny_gpt2
from tests.support.ui import copy_demo, make_window, wait_idle

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def gpt2_folder(tmp_path_factory) -> Path:
    return tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


def users_page(qtbot, tmp_path, gpt2_folder):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    page = window.users_page
    page.text_pane.set_model_folder(gpt2_folder)
    return window, page, run_id


def stored_texts(db, run_id: int) -> int:
    with db.read() as conn:
        return conn.scalar(select(func.count()).select_from(ListTextRow)
                           .join(ListRow, ListRow.id == ListTextRow.list_id)
                           .where(ListRow.run_id == run_id))


def test_the_text_streams_in_and_is_stored(qtbot, tmp_path, gpt2_folder):
    window, page, run_id = users_page(qtbot, tmp_path, gpt2_folder)
    pane = page.text_pane
    page.select_user("u00014")
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == "" and pane.source.text().startswith("No text yet")
    assert pane.model_button.text() == gpt2_folder.name
    while_writing: list[bool] = []
    pane._relay.piece.connect(lambda _: while_writing.append(pane.busy))
    qtbot.mouseClick(pane.generate_button, Qt.MouseButton.LeftButton)
    assert pane.busy and pane.stop_button.isEnabled() and not pane.generate_button.isEnabled()
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS)
    assert while_writing and all(while_writing)  # the words arrived while it wrote
    stored = user_text(window.project.db, run_id, "u00014")
    facts = run_facts(window.project.db, run_id, ["u00014"]).facts[0]
    assert stored.source == "template" and stored.text == template_explanation(facts)
    assert any(r.startswith("attempt 2:") for r in stored.reasons)  # it tried again
    assert pane.text.toPlainText() == stored.text
    assert pane.source.text().startswith("Template: the language model's text failed")
    page.select_user("u00021")  # another user: nothing stored for them yet
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == ""
    page.select_user("u00014")
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == stored.text


def test_stop_ends_the_text_and_stores_nothing(qtbot, tmp_path, gpt2_folder):
    window, page, run_id = users_page(qtbot, tmp_path, gpt2_folder)
    pane = page.text_pane
    pane.writer().max_new_tokens = 5000  # far longer than the test waits
    page.select_user("u00014")
    wait_idle(qtbot, window)
    messages: list[str] = []
    pane.message.connect(messages.append)
    pane.generate()
    qtbot.waitUntil(lambda: pane.streamed > 3, timeout=WAIT_MS)
    qtbot.mouseClick(pane.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS)
    assert messages == ["stopped: text of user u00014"]
    assert user_text(window.project.db, run_id, "u00014") is None
    assert pane.text.toPlainText() == "" and pane.generate_button.isEnabled()


def test_generate_for_all_users_stores_every_text_with_progress(qtbot, tmp_path,
                                                                 gpt2_folder):
    window, page, run_id = users_page(qtbot, tmp_path, gpt2_folder)
    pane = page.text_pane
    writer = pane.writer()
    writer.attempts, writer.max_new_tokens = 1, 4  # 300 users: keep each text short
    fractions: list[float] = []
    written: list[int] = []
    pane.texts_written.connect(written.append)
    job = pane.generate_all()
    job.progress.connect(lambda p: fractions.append(p.fraction) if p.stage == "write" else None)
    assert pane.progress.isVisible() and not pane.all_button.isEnabled()
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS * 3)
    assert written == [run_id] and not pane.progress.isVisible()
    assert stored_texts(window.project.db, run_id) == 300
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)
    page.select_user("u00021")
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == user_text(window.project.db, run_id, "u00021").text
