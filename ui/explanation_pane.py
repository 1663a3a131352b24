"""The recommendation text of the selected user's list: shown as stored, written again on
demand with the words streaming in, or written for every user of the run in the
background; the language model is the packaged one or a GGUF file the user picks
("Model file..."), and the line under the text says who wrote it and in which language.

The language model gets a worker of its own: a text takes a second or two and a whole run
takes minutes, and neither may hold up a training run on the main worker or a feedback
click on the writer. The engine's :class:`ExplanationWriter` is built once per model file
and the engine keeps the loaded model, so it loads once, on that worker; while it loads
the line says so. Tokens cross from the worker thread through a queued signal of a small
relay object that lives on the UI thread.

The pane's own texts are in the window's language; the recommendation texts themselves
are written in the catalogue's language, and a template's reasons are the engine's.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMenu, QProgressBar, QPushButton,
                               QTextEdit, QToolButton, QVBoxLayout, QWidget)

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.core.stages import Stage
from engine.explanations import DEFAULT_NAME, Explanation, ExplanationWriter
from engine.explanations.plan import language_of
from storage import Database
from application.texts import write_texts
from storage.explain import run_facts, save_texts
from storage.results import StoredText, user_text
from ui.icons import icon
from ui.messages import report
from ui.preferences import Preferences
from ui.worker import Job, Progress, Worker

UNREAD = object()  # show_list's ``stored`` when the caller did not read the text
#: The languages texts are written in and who wrote a text, by the engine's names, as the
#: pane says them (translated where shown).
WORDS = {"English": QT_TRANSLATE_NOOP("ExplanationPane", "English"),
         "Chinese": QT_TRANSLATE_NOOP("ExplanationPane", "Chinese"),
         "generated": QT_TRANSLATE_NOOP("ExplanationPane", "generated"),
         "template": QT_TRANSLATE_NOOP("ExplanationPane", "template")}


class _TokenRelay(QObject):
    """Pieces of text from the worker thread, delivered on the UI thread."""

    piece = Signal(str)


def describe(stored: StoredText | Explanation | None) -> str:
    """One line under the text: who wrote it, in which language, and why a template
    replaced the model."""
    translate = QCoreApplication.translate  # lupdate reads translate("Context", "text")
    if stored is None:
        return translate("ExplanationPane", "No text yet: Generate writes one from this list "
                         "and profile.")
    name = language_of(stored.text).name
    language = translate("ExplanationPane", WORDS.get(name, name))
    if stored.source == "generated":
        model = stored.model or translate("ExplanationPane", "the language model")
        return translate("ExplanationPane", "Written in {language} by {model}; every claim "
                         "matches a fact of the run.").format(language=language, model=model)
    if stored.reasons:
        return translate("ExplanationPane", "Template, in {language}: {reason}.").format(
            language=language, reason=stored.reasons[-1])
    return translate("ExplanationPane", "Template, in {language}.").format(language=language)


class ExplanationPane(QWidget):
    """Text, source line, Generate / Stop / Generate for all users, and a progress bar."""

    message = Signal(str)  # for the status bar
    texts_written = Signal(int)  # run id whose texts changed (batch generation)

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self.worker = Worker(self)
        self._writer: ExplanationWriter | None = None
        self._job: Job | None = None
        self._job_user: str | None = None  # None while the job writes for everyone
        self._relay = _TokenRelay(self)
        self._relay.piece.connect(self._append)
        self.db: Database | None = None
        self.run_id: int | None = None
        self.user: str | None = None
        self.has_feedback = False
        self.streamed = 0  # pieces shown live for the current text (tests, status)

        self.text = QTextEdit(self)
        self.text.setObjectName("explanationText")
        self.text.setReadOnly(True)
        self.text.setMinimumHeight(48)
        self.text.setMaximumHeight(72)  # three sentences; the list above gets the room
        self.source = QLabel(self)
        self.source.setObjectName("explanationSource")
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #5f6b7a")
        self.generate_button = QPushButton(icon("run"), "", self)
        self.generate_button.setObjectName("generateText")
        self.generate_button.clicked.connect(self.generate)
        self.all_button = QPushButton(self)
        self.all_button.setObjectName("generateAll")
        self.all_button.clicked.connect(self.generate_all)
        self.stop_button = QPushButton(icon("cancel"), "", self)
        self.stop_button.setObjectName("stopText")
        self.stop_button.clicked.connect(self.stop)
        self.model_button = QToolButton(self)
        self.model_button.setObjectName("textModel")
        self.model_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.model_button)
        self.packaged_action = menu.addAction("", lambda: self.set_model_file(""))
        self.file_action = menu.addAction("", self._choose_model_file)
        self.model_button.setMenu(menu)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("textProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()

        header = QHBoxLayout()
        self.title = QLabel(self)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.progress, 1)
        header.addWidget(self.model_button)
        header.addWidget(self.generate_button)
        header.addWidget(self.all_button)
        header.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.text)
        layout.addWidget(self.source)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        """The pane's texts in the current language (the line under the text: once no
        text is being written)."""
        self.generate_button.setText(self.tr("Generate"))
        self.generate_button.setToolTip(self.tr("Write this user's text with the language "
                                                "model"))
        self.all_button.setText(self.tr("Generate for all users"))
        self.stop_button.setText(self.tr("Stop"))
        self.packaged_action.setText(self.tr("Use the packaged {model}").format(
            model=DEFAULT_NAME))
        self.file_action.setText(self.tr("Model file..."))
        self.title.setText("<b>" + self.tr("Recommendation text") + "</b>")
        self._show_model()
        if not self.busy:
            self._show_stored()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- the model ------------------------------------------------------------------------

    @property
    def model_file(self) -> str:
        """The chosen GGUF model file (or folder holding one); "" for the packaged default."""
        return self._prefs.text_model_file

    def set_model_file(self, path: str | Path) -> bool:
        """Use ``path`` ("" for the packaged model); a path that holds no usable GGUF file
        is reported and the model stays as it was."""
        try:
            writer = ExplanationWriter(str(path) or None)
        except DataError as exc:
            report(self, exc, self.tr("Model file"))
            return False
        self._prefs.text_model_file = str(path)
        self._writer = writer  # its model loads at the next text
        self._show_model()
        return True

    def _choose_model_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Language model file"), self.model_file or self._prefs.last_folder,
            self.tr("GGUF models (*.gguf);;All files (*)"))
        if chosen:
            self.set_model_file(chosen)

    def _show_model(self) -> None:
        name = Path(self.model_file).stem if self.model_file else DEFAULT_NAME
        self.model_button.setText(name)
        self.model_button.setToolTip(self.tr("Language model (GGUF, llama.cpp): {model}").format(
            model=self.model_file or name))

    def writer(self) -> ExplanationWriter:
        """The writer of the chosen file, built once (its model loads on first use)."""
        if self._writer is None:
            self._writer = ExplanationWriter(self.model_file or None)
        return self._writer

    # -- what is shown --------------------------------------------------------------------

    def show_list(self, db: Database | None, run_id: int | None, user: str | None,
                  has_feedback: bool = False, stored: StoredText | None | object = UNREAD
                  ) -> None:
        """Show the stored text of ``user``'s list in ``run_id`` (a text being written for
        another user is stopped; a batch for the whole run goes on). ``has_feedback``:
        the list shown is re-ranked after the user's feedback, and the text, written
        from the run's own list, says so. ``stored``: the text, when the caller read it
        already (off the UI thread)."""
        if self._job is not None and self._job_user is not None and self._job_user != user:
            self._job.cancel()
        self.db, self.run_id, self.user = db, run_id, user
        self.has_feedback = has_feedback
        if self._job is None or self._job_user != user:
            self._show_stored(stored)
        self._update_buttons()

    def _show_stored(self, stored: StoredText | None | object = UNREAD) -> None:
        if stored is UNREAD:
            stored = (user_text(self.db, self.run_id, self.user)
                      if self.db is not None and self.run_id is not None and self.user
                      else None)
        self.text.setPlainText(stored.text if stored else "")
        self.source.setText(self._describe(stored) if self.run_id is not None and self.user
                            else "")

    def _describe(self, stored: StoredText | Explanation | None) -> str:
        note = (" " + self.tr("It is about the run's list, before this user's feedback.")
                if stored is not None and self.has_feedback else "")
        return describe(stored) + note

    def _append(self, piece: str) -> None:
        self.streamed += 1
        cursor = self.text.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)
        self.text.setTextCursor(cursor)

    # -- writing --------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._job is not None

    def generate(self) -> Job | None:
        """Write the selected user's text, streaming it in; stored when it is done."""
        db, run_id, user = self.db, self.run_id, self.user
        if db is None or run_id is None or user is None or self.busy:
            return None
        writer, relay = self.writer(), self._relay
        loading = self.tr("loading {model}")
        writing = self.tr("writing the text of user {user}")

        def write(task: Task) -> Explanation:
            if not writer.loaded:
                task.begin(Stage.LOAD_MODEL, loading.format(model=writer.name))
                writer.load()
            stored = run_facts(db, run_id, [user])
            task.begin(Stage.WRITE, writing.format(user=user))
            text = writer.explain(stored.facts[0], stored.grounder, on_token=relay.piece.emit,
                                  cancel=task)
            save_texts(db, run_id, {user: text})
            return text

        self.text.clear()
        self.streamed = 0
        self.source.setText(self.tr("Writing with {model}...").format(model=writer.name))
        job = self._start(self.tr("text of user {user}").format(user=user), write, user)
        job.progress.connect(lambda p: self._loading(p, writer.name))
        job.succeeded.connect(lambda text: self._written(user, text))
        return job

    def _loading(self, progress: Progress, name: str) -> None:
        """Say so while the model loads (once per process; a large file takes a while)."""
        if progress.stage == Stage.LOAD_MODEL:
            self.source.setText(self.tr("Loading {model} (once)...").format(model=name))
        elif progress.stage == Stage.WRITE:
            self.source.setText(self.tr("Writing with {model}...").format(model=name))

    def generate_all(self) -> Job | None:
        """Write the text of every user of the run in the background, with progress."""
        db, run_id = self.db, self.run_id
        if db is None or run_id is None or self.busy:
            return None
        writer = self.writer()
        job = self._start(self.tr("texts of run {run}").format(run=run_id),
                          lambda task: write_texts(db, run_id, writer, task=task), None)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("loading the model..."))
        self.progress.show()
        job.progress.connect(self._batch_progress)
        job.succeeded.connect(lambda sources: self._all_written(run_id, sources))
        job.finished.connect(self.progress.hide)
        return job

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _start(self, name: str, function: Callable[[Task], Any], user: str | None) -> Job:
        job = self.worker.submit(name, function)
        self._job, self._job_user = job, user
        job.failed.connect(lambda exc: report(self, exc, self.tr("Recommendation text")))
        job.cancelled.connect(lambda _: self.message.emit(self.tr("stopped: {job}").format(
            job=name)))
        job.finished.connect(lambda: self._finished(job))
        self._update_buttons()
        return job

    def _batch_progress(self, progress: Progress) -> None:
        if progress.stage == Stage.WRITE:
            self.progress.setValue(int(progress.fraction * 1000))
            self.progress.setFormat(progress.status or "%p%")

    def _written(self, user: str, text: Explanation) -> None:
        if self.user == user:
            self.text.setPlainText(text.text)
            self.source.setText(self._describe(text))
        self.message.emit(self.tr("text of user {user} stored ({source})").format(
            user=user, source=self.tr(WORDS.get(text.source, text.source))))

    def _all_written(self, run_id: int, sources: dict[str, int]) -> None:
        self.message.emit(self.tr("run {run}: {generated:,} texts generated, {templates:,} "
                                  "templates, stored").format(
            run=run_id, generated=sources["generated"], templates=sources["template"]))
        self.texts_written.emit(run_id)

    def _finished(self, job: Job) -> None:
        if job is self._job:
            self._job, self._job_user = None, None
            self._show_stored()  # what is stored now: the new text, or the old one if stopped
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_list = self.db is not None and self.run_id is not None
        self.generate_button.setEnabled(has_list and self.user is not None and not self.busy)
        self.all_button.setEnabled(has_list and not self.busy)
        self.stop_button.setEnabled(self.busy)
        self.model_button.setEnabled(not self.busy)

    def shutdown(self) -> None:
        """Stop what is being written and wait for the worker (closing the window)."""
        self.stop()
        self.worker.wait()
