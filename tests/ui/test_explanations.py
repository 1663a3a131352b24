"""The recommendation text pane of the Users screen, with the real packaged SmolLM2 GGUF on
llama.cpp: the words stream in while the model writes and the text is stored; the line
under it says who wrote it and in which language; Stop ends a text and keeps what was
stored; "Generate for all users" stores every user's text with progress; "Model file..."
picks a GGUF file, and a path without one is refused with a message."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import func, select

from engine.explanations import packaged_gguf
from storage import runs
from storage.explain import run_facts
from storage.models import ListRow, ListTextRow
from storage.privacy import forget_users
from storage.results import user_text
from tests.support.ui import close_dialogs, copy_demo, dialogs, make_window, wait_idle

WAIT_MS = 60_000


def users_page(qtbot, tmp_path):
    path, run_id = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("users")
    return window, window.users_page, run_id


def stored_texts(db, run_id: int) -> int:
    with db.read() as conn:
        return conn.scalar(select(func.count()).select_from(ListTextRow)
                           .join(ListRow, ListRow.id == ListTextRow.list_id)
                           .where(ListRow.run_id == run_id))


def test_the_text_streams_in_and_is_stored(qtbot, tmp_path):
    window, page, run_id = users_page(qtbot, tmp_path)
    pane = page.text_pane
    page.select_user("u00014")
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == "" and pane.source.text().startswith("No text yet")
    assert pane.model_button.text() == "SmolLM2-135M-Instruct"
    while_writing: list[bool] = []
    pane._relay.piece.connect(lambda _: while_writing.append(pane.busy))
    qtbot.mouseClick(pane.generate_button, Qt.MouseButton.LeftButton)
    assert pane.busy and pane.stop_button.isEnabled() and not pane.generate_button.isEnabled()
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS)
    assert while_writing and all(while_writing)  # the words arrived while it wrote
    db = window.project.db
    stored = user_text(db, run_id, "u00014")
    facts = run_facts(db, run_id, ["u00014"])
    assert stored.source == "generated" and stored.model == "SmolLM2-135M-Instruct"
    assert facts.grounder.check(stored.text, facts.facts[0]).ok
    assert pane.text.toPlainText() == stored.text
    assert pane.source.text() == ("Written in English by SmolLM2-135M-Instruct; every claim "
                                  "matches a fact of the run.")
    page.select_user("u00021")  # another user: nothing stored for them yet
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == ""
    page.select_user("u00014")
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == stored.text


def test_stop_ends_the_text_and_stores_nothing(qtbot, tmp_path):
    window, page, run_id = users_page(qtbot, tmp_path)
    pane = page.text_pane
    page.select_user("u00014")
    wait_idle(qtbot, window)
    messages: list[str] = []
    pane.message.connect(messages.append)
    # Stop as the first words arrive, on the writing thread itself: the text is cut
    # before its next token however fast the machine writes.
    pane._relay.piece.connect(lambda _: pane.stop(), Qt.ConnectionType.DirectConnection)
    pane.generate()
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS)
    assert messages == ["stopped: text of user u00014"]
    assert user_text(window.project.db, run_id, "u00014") is None
    assert pane.text.toPlainText() == "" and pane.generate_button.isEnabled()


def test_generate_for_all_users_stores_every_text_with_progress(qtbot, tmp_path):
    window, page, run_id = users_page(qtbot, tmp_path)
    db = window.project.db
    dataset = runs.run_info(db, run_id).dataset
    everyone = [f.user for f in run_facts(db, run_id).facts]
    assert len(everyone) == 300
    kept = run_facts(db, run_id, everyone[:12]).facts  # a text takes a second: keep twelve
    forget_users(db, dataset, everyone[12:])
    pane = page.text_pane
    page.select_user(kept[0].user)
    wait_idle(qtbot, window)
    fractions: list[float] = []
    written: list[int] = []
    pane.texts_written.connect(written.append)
    job = pane.generate_all()
    job.progress.connect(lambda p: fractions.append(p.fraction) if p.stage == "write" else None)
    assert pane.progress.isVisible() and not pane.all_button.isEnabled()
    qtbot.waitUntil(lambda: not pane.busy, timeout=WAIT_MS * 3)
    assert written == [run_id] and not pane.progress.isVisible()
    assert stored_texts(db, run_id) == 12
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)
    page.select_user(kept[1].user)
    wait_idle(qtbot, window)
    assert pane.text.toPlainText() == user_text(db, run_id, kept[1].user).text


def test_the_model_file_chooser(qtbot, tmp_path, monkeypatch):
    window, page, _ = users_page(qtbot, tmp_path)
    pane = page.text_pane
    picked = tmp_path / "models" / "Tiny-Model.Q4.gguf"
    picked.parent.mkdir()
    picked.symlink_to(packaged_gguf())
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(picked), "GGUF models (*.gguf)"))
    pane._choose_model_file()
    assert pane.model_button.text() == "Tiny-Model.Q4"
    assert pane.writer().model_file == picked and pane.model_file == str(picked)

    assert not pane.set_model_file(tmp_path)  # a folder without a GGUF file
    qtbot.waitUntil(lambda: bool(dialogs()), timeout=WAIT_MS)
    assert "no GGUF model file (.gguf) in this folder" in dialogs()[0].text()
    close_dialogs()
    assert pane.model_file == str(picked)  # unchanged

    menu = pane.model_button.menu()
    packaged = next(a for a in menu.actions() if a.text().startswith("Use the packaged"))
    packaged.trigger()
    assert pane.model_button.text() == "SmolLM2-135M-Instruct" and pane.model_file == ""
    assert Path(pane.writer().model_file) == packaged_gguf()
