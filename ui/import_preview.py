"""One file of an import: which file, how it is split, its first rows, and a role combo
box above every column, all as the importer itself detects them.

The file is read on the worker thread (a large file takes seconds); the preview shows
the first rows with their line numbers, so a problem reported later for "row 1,204" can
be found in the file. Its texts are in the window's language as the dialog opens;
delimiter names are the engine's.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.data.importer import ReadOptions
from engine.data.sniff import SEPARATORS, describe_sep
from application.importing import FilePreview, preview_file, read_options
from ui.messages import report
from ui.preferences import Preferences
from ui.worker import Worker

ROLE_LABELS = {
    "interactions": {"": QT_TRANSLATE_NOOP("FilePreviewSection", "(not used)"),
                     "user": QT_TRANSLATE_NOOP("FilePreviewSection", "User"),
                     "item": QT_TRANSLATE_NOOP("FilePreviewSection", "Item"),
                     "rating": QT_TRANSLATE_NOOP("FilePreviewSection", "Rating / weight"),
                     "time": QT_TRANSLATE_NOOP("FilePreviewSection", "Time")},
    "items": {"": QT_TRANSLATE_NOOP("FilePreviewSection", "(not used)"),
              "item": QT_TRANSLATE_NOOP("FilePreviewSection", "Item"),
              "title": QT_TRANSLATE_NOOP("FilePreviewSection", "Title"),
              "text": QT_TRANSLATE_NOOP("FilePreviewSection", "Text"),
              "category": QT_TRANSLATE_NOOP("FilePreviewSection", "Category")},
}
#: The file dialogs' filter: delimited text and Parquet (engine.data.parquet), or anything.
FILE_FILTER = ("Data files (*.csv *.tsv *.txt *.dat *.parquet);;"
               "Delimited text (*.csv *.tsv *.txt *.dat);;Parquet (*.parquet);;All files (*)")


class FilePreviewSection(QWidget):
    """Choose a file, see it as the importer reads it, set each column's role."""

    changed = Signal()  # another file, delimiter, header or role: check again
    previewed = Signal()  # a preview arrived (or the file was cleared)

    def __init__(self, kind: str, worker: Worker, prefs: Preferences,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._worker = worker
        self._prefs = prefs
        self.preview: FilePreview | None = None
        self._combos: list[QComboBox] = []
        self._pending = None

        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(
            self.tr("no file chosen") if kind == "interactions"
            else self.tr("optional: titles, descriptions, categories"))
        choose = QPushButton(self.tr("Choose..."), self)
        choose.clicked.connect(self.choose_file)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.clicked.connect(lambda: self.set_file(None))
        self.clear_button.setVisible(kind == "items")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("File:"), self))
        top.addWidget(self.path_edit, 1)
        top.addWidget(choose)
        top.addWidget(self.clear_button)

        self.sep_combo = QComboBox(self)
        self.sep_combo.addItem(self.tr("detect"), None)
        for sep in SEPARATORS:
            self.sep_combo.addItem(describe_sep(sep), sep)
        self.sep_combo.currentIndexChanged.connect(self._reread)
        self.header_box = QCheckBox(self.tr("First row names the columns"), self)
        self.header_box.setTristate(False)
        self.header_box.clicked.connect(self._reread)
        self.info = QLabel(self)
        self.info.setObjectName("previewInfo")
        how = QHBoxLayout()
        how.addWidget(QLabel(self.tr("Delimiter:"), self))
        how.addWidget(self.sep_combo)
        how.addSpacing(12)
        how.addWidget(self.header_box)
        how.addStretch(1)
        how.addWidget(self.info)

        self.table = QTableWidget(self)
        self.table.setObjectName("previewTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(how)
        layout.addWidget(self.table, 1)
        self._set_controls_enabled(False)

    # -- choosing and reading -------------------------------------------------------------

    def choose_file(self) -> None:
        title = (self.tr("Choose the interactions file") if self.kind == "interactions"
                 else self.tr("Choose the items (catalogue) file"))
        path, _ = QFileDialog.getOpenFileName(self, title,
                                              self._prefs.last_folder, FILE_FILTER)
        if path:
            self.set_file(Path(path))

    def set_file(self, path: Path | None) -> None:
        """Read ``path`` on the worker (None clears the section)."""
        if path is not None:
            self._prefs.remember_file(path)
        self.sep_combo.blockSignals(True)
        self.sep_combo.setCurrentIndex(0)
        self.sep_combo.blockSignals(False)
        self._read(path, None, None)

    def _reread(self) -> None:
        if self.preview is not None:
            self._read(self.preview.path, self.sep_combo.currentData(),
                       self.header_box.isChecked())

    def _read(self, path: Path | None, sep: str | None, header: bool | None) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self.path_edit.setText(str(path) if path else "")
        if path is None:
            self._show(None)
            return
        self.info.setText(self.tr("reading..."))
        job = self._worker.submit(self.tr("preview {file}").format(file=path.name),
                                  lambda task: preview_file(path, self.kind, sep, header))
        self._pending = job
        job.succeeded.connect(lambda preview: self._show(preview) if job is self._pending
                              else None)
        job.failed.connect(lambda exc: self._failed(exc) if job is self._pending else None)

    def _failed(self, exc: BaseException) -> None:
        self._pending = None
        self.preview = None
        self.info.setText(self.tr("cannot be read"))
        self._fill_table()
        report(self, exc, self.tr("Preview"))
        self.previewed.emit()
        self.changed.emit()

    def _show(self, preview: FilePreview | None) -> None:
        self._pending = None
        self.preview = preview
        self._set_controls_enabled(preview is not None)
        if preview is not None:
            index = self.sep_combo.findData(preview.sep)
            self.sep_combo.blockSignals(True)
            self.sep_combo.setCurrentIndex(max(index, 0))
            self.sep_combo.blockSignals(False)
            self.header_box.setChecked(preview.header)
            self.info.setText(self.tr("{rows:,} rows, {columns} columns, {encoding}").format(
                rows=preview.n_rows, columns=len(preview.columns), encoding=preview.encoding))
        else:
            self.info.setText("")
        self._fill_table()
        self.previewed.emit()
        self.changed.emit()

    def _set_controls_enabled(self, enabled: bool) -> None:
        """The delimiter and header choices only for a delimited file (a Parquet file
        has neither)."""
        delimited = enabled and self.preview is not None and \
            self.preview.file_format == "delimited"
        self.sep_combo.setEnabled(delimited)
        self.header_box.setEnabled(delimited)
        self.clear_button.setEnabled(enabled)

    def _fill_table(self) -> None:
        """Row 0 holds a role combo box per column; the rows below, the file's first rows."""
        preview = self.preview
        self._combos = []
        self.table.clear()
        if preview is None:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        self.table.setColumnCount(len(preview.columns))
        self.table.setRowCount(len(preview.rows) + 1)
        self.table.setHorizontalHeaderLabels(preview.columns)
        self.table.setVerticalHeaderLabels([self.tr("role")] + [
            self.tr("line {n}").format(n=n) for n in preview.lines])
        labels = ROLE_LABELS[self.kind]
        for j, column in enumerate(preview.columns):
            combo = QComboBox(self.table)
            combo.setObjectName(f"role:{column}")
            for role, label in labels.items():
                combo.addItem(self.tr(label), role)
            combo.setCurrentIndex(max(combo.findData(preview.roles.get(column, "")), 0))
            combo.currentIndexChanged.connect(self._role_changed)
            self.table.setCellWidget(0, j, combo)
            self._combos.append(combo)
        for i, row in enumerate(preview.rows, start=1):
            for j, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        if self._combos:
            self.table.setRowHeight(0, self._combos[0].sizeHint().height() + 2)
        for j in range(self.table.columnCount()):
            self.table.setColumnWidth(j, min(max(self.table.columnWidth(j), 120), 320))
        self._mark_roles()

    def _role_changed(self) -> None:
        self._mark_roles()
        self.changed.emit()

    def _mark_roles(self) -> None:
        """Columns without a role are greyed out."""
        for j, combo in enumerate(self._combos):
            used = bool(combo.currentData())
            for i in range(1, self.table.rowCount()):
                item = self.table.item(i, j)
                if item is not None:
                    item.setForeground(Qt.GlobalColor.black if used else Qt.GlobalColor.gray)

    # -- what the dialog reads ------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def roles(self) -> dict[str, str]:
        """Column -> role as the combo boxes say."""
        if self.preview is None:
            return {}
        return {c: combo.currentData()
                for c, combo in zip(self.preview.columns, self._combos, strict=True)}

    def set_role(self, column: str, role: str) -> None:
        """Set one column's role (what a user does with the combo box)."""
        if self.preview is None:
            raise ValueError("no file is previewed")
        combo = self._combos[self.preview.columns.index(column)]
        combo.setCurrentIndex(combo.findData(role))

    def read_options(self) -> ReadOptions | None:
        return read_options(self.preview, self.roles()) if self.preview else None
