"""The Data screen: the stored datasets with their counts and import report, import and
delete; on an empty project, a welcome panel that loads the demo shop in one click.

Its fixed texts are set in :meth:`DataPage.retranslate`, again when the language changes."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
                               QPushButton, QSplitter, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from engine.data.sniff import describe_sep
from storage import DatasetInfo, delete_dataset, list_datasets
from ui.icons import icon
from ui.messages import confirm, report
from ui.project import Project
from ui.worker import Worker

COLUMNS = (QT_TRANSLATE_NOOP("DataPage", "Name"), QT_TRANSLATE_NOOP("DataPage", "Users"),
           QT_TRANSLATE_NOOP("DataPage", "Items"), QT_TRANSLATE_NOOP("DataPage", "Interactions"),
           QT_TRANSLATE_NOOP("DataPage", "Time stamps"), QT_TRANSLATE_NOOP("DataPage", "Imported"),
           QT_TRANSLATE_NOOP("DataPage", "Source"))

#: What the importer detected, by its report's key (keys not listed are shown as they are).
DETECTED = {"encoding": QT_TRANSLATE_NOOP("DataPage", "encoding"),
            "sep": QT_TRANSLATE_NOOP("DataPage", "sep"),
            "header": QT_TRANSLATE_NOOP("DataPage", "header"),
            "format": QT_TRANSLATE_NOOP("DataPage", "format"),
            "roles": QT_TRANSLATE_NOOP("DataPage", "roles"),
            "time_format": QT_TRANSLATE_NOOP("DataPage", "time_format"),
            "rating_max": QT_TRANSLATE_NOOP("DataPage", "rating_max"),
            "genre_flags": QT_TRANSLATE_NOOP("DataPage", "genre_flags")}
#: The files a dataset is read from, by the role storage records.
ROLES = {"interactions": QT_TRANSLATE_NOOP("DataPage", "interactions"),
         "items": QT_TRANSLATE_NOOP("DataPage", "items")}


def _detected(key: str, value: object) -> str:
    """One detected property of the files, as a person would write it."""
    if key == "sep" and isinstance(value, str):
        return describe_sep(value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value)) or QCoreApplication.translate("DataPage", "none")
    return str(value)


def _number_item(value: int) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:,}")
    item.setData(Qt.ItemDataRole.UserRole, value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class DataPage(QWidget):
    """Datasets of the project; the window's import actions open the import dialog."""

    import_interactions = Signal()
    import_items = Signal()
    append_requested = Signal(str)  # the dataset to add interactions to
    demo_requested = Signal(str)  # the demo shop's language: "en" or "zh"

    def __init__(self, project: Project, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project = project
        self._worker = worker
        self.datasets: list[DatasetInfo] = []

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("datasets")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1,
                                                           QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_report)
        self.report = QPlainTextEdit(self)
        self.report.setObjectName("importReport")
        self.report.setReadOnly(True)

        self.import_button = QPushButton(icon("import"), "", self)
        self.import_button.clicked.connect(self.import_interactions)
        self.items_button = QPushButton(icon("items"), "", self)
        self.items_button.clicked.connect(self.import_items)
        self.add_demo_button = QPushButton(icon("demo"), "", self)
        self.add_demo_button.clicked.connect(lambda: self.demo_requested.emit("en"))
        self.append_button = QPushButton(icon("import"), "", self)
        self.append_button.setObjectName("appendButton")
        self.append_button.clicked.connect(
            lambda: self.append_requested.emit(self.selected_name() or ""))
        self.delete_button = QPushButton(icon("delete"), "", self)
        self.delete_button.setObjectName("deleteDataset")
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for button in (self.import_button, self.items_button, self.add_demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.append_button)
        buttons.addWidget(self.delete_button)

        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        report_box = QWidget(self)
        report_layout = QVBoxLayout(report_box)
        report_layout.setContentsMargins(0, 0, 0, 0)
        self.report_label = QLabel(self)
        report_layout.addWidget(self.report_label)
        report_layout.addWidget(self.report)
        splitter.addWidget(report_box)
        splitter.setSizes([400, 200])
        listing = QWidget(self)
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.title)
        listing_layout.addLayout(buttons)
        listing_layout.addWidget(splitter, 1)

        self.stack = QStackedWidget(self)
        self.welcome = self._welcome()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(listing)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        project.opened.connect(self.refresh)
        project.datasets_changed.connect(self.refresh)
        self.retranslate()
        self._update_buttons()

    def _welcome(self) -> QWidget:
        """What an empty project shows: the demo in one click, or your own files."""
        panel = QWidget(self)
        panel.setObjectName("welcome")
        self.welcome_title = QLabel(panel)
        self.welcome_title.setObjectName("welcomeTitle")
        self.welcome_text = QLabel(panel)
        self.welcome_text.setWordWrap(True)
        self.welcome_text.setFixedWidth(620)  # a wrapped label needs a fixed width for its height
        self.demo_button = QPushButton(icon("demo"), "", panel)
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setMinimumHeight(44)
        self.demo_button.clicked.connect(lambda: self.demo_requested.emit("en"))
        self.demo_zh_button = QPushButton(icon("demo"), "", panel)
        self.demo_zh_button.setObjectName("demoZhButton")
        self.demo_zh_button.setMinimumHeight(44)
        self.demo_zh_button.clicked.connect(lambda: self.demo_requested.emit("zh"))
        self.own_button = QPushButton(icon("import"), "", panel)
        self.own_button.setMinimumHeight(44)
        self.own_button.clicked.connect(self.import_interactions)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.demo_button)
        row.addWidget(self.demo_zh_button)
        row.addWidget(self.own_button)
        row.addStretch(1)
        centred = QHBoxLayout()  # no alignment flag: a wrapped label then gets its height
        centred.addStretch(1)
        centred.addWidget(self.welcome_text)
        centred.addStretch(1)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.welcome_title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addLayout(centred)
        layout.addSpacing(20)
        layout.addLayout(row)
        layout.addStretch(2)
        return panel

    def retranslate(self) -> None:
        """The screen's fixed texts in the current language; the rows again."""
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.report.setPlaceholderText(self.tr("Select a dataset to see how its files were "
                                               "read."))
        self.import_button.setText(self.tr("Import interactions..."))
        self.items_button.setText(self.tr("Import items..."))
        self.add_demo_button.setText(self.tr("Add the demo shop"))
        self.append_button.setText(self.tr("Add interactions..."))
        self.append_button.setToolTip(self.tr("Add new interactions (and new items) to the "
                                              "selected dataset; then update a run with them "
                                              "on the Run page"))
        self.delete_button.setText(self.tr("Delete..."))
        self.title.setText(self.tr("Datasets"))
        self.report_label.setText(self.tr("Import report"))
        self.welcome_title.setText(self.tr("Welcome to Interest Fusion Studio"))
        self.welcome_text.setText(self.tr(
            "This project has no data yet. Try the built-in demo shop (300 users, 1,200 "
            "items in 10 categories): it is imported and the default pipeline runs on it "
            "(long-term EASE and ALS fused with short-term co-occurrence and a sequential "
            "transformer, a learned gate per user), in about a minute on a laptop; the Run "
            "screen shows each stage as it goes. The same shop with its catalogue in Chinese "
            "shows the multilingual text side.\n\nOr import your own interaction log: any "
            "CSV-like file with a user and an item column, and optionally a rating and a "
            "time column, plus an item catalogue with titles and descriptions."))
        self.demo_button.setText("  " + self.tr("Load the demo shop and run"))
        self.demo_zh_button.setText("  " + self.tr("Chinese demo shop (中文)"))
        self.demo_zh_button.setToolTip(self.tr("The demo shop with titles, descriptions and "
                                               "categories in Chinese, imported and run like "
                                               "the English one"))
        self.own_button.setText("  " + self.tr("Import my own data..."))
        if self._project.db is not None:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh(self) -> None:
        """Read the datasets again (a few rows: quick enough for the UI thread)."""
        db = self._project.db
        selected = self.selected_name()
        self.datasets = list_datasets(db) if db is not None else []
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.datasets))
        for row, info in enumerate(self.datasets):
            created = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            source = info.sources.get("interactions") or info.sources.get("movielens") or ""
            cells = [QTableWidgetItem(info.name), _number_item(info.n_users),
                     _number_item(info.n_items), _number_item(info.n_interactions),
                     QTableWidgetItem(self.tr("yes") if info.has_timestamps
                                      else self.tr("file order")),
                     QTableWidgetItem(created), QTableWidgetItem(source)]
            cells[-1].setToolTip(source)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
            if info.name == selected:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self.stack.setCurrentIndex(1 if self.datasets else 0)
        if self.datasets and self.selected_name() is None:
            self.table.selectRow(0)
        self._show_report()

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.text() if item else None

    def _selected_info(self) -> DatasetInfo | None:
        name = self.selected_name()
        return next((d for d in self.datasets if d.name == name), None)

    def _show_report(self) -> None:
        info = self._selected_info()
        self._update_buttons()
        if info is None:
            self.report.clear()
            return
        data = info.report
        lines = [self.tr("{name}: {users:,} users, {items:,} items, {interactions:,} "
                         "interactions").format(name=info.name, users=info.n_users,
                                                items=info.n_items,
                                                interactions=info.n_interactions),
                 self.tr("rows read: {read:,}, dropped: {dropped:,}").format(
                     read=data.get("rows_read", 0), dropped=data.get("rows_dropped", 0))]
        lines += ["  " + self.tr("dropped {n:,} ({reason})").format(n=n, reason=reason)
                  for reason, n in sorted(data.get("dropped", {}).items())]
        lines += ["  " + self.tr("warning: {warning}").format(warning=w)
                  for w in data.get("warnings", [])]
        lines += [self.tr("detected {key}: {value}").format(key=self.tr(DETECTED.get(key, key)),
                                                            value=_detected(key, value))
                  for key, value in data.get("detected", {}).items()]
        lines += [self.tr("{role} file: {path}").format(role=self.tr(ROLES.get(role, role)),
                                                        path=path)
                  for role, path in info.sources.items()]
        self.report.setPlainText("\n".join(lines))

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(self.selected_name() is not None)
        self.append_button.setEnabled(self.selected_name() is not None)

    def delete_selected(self) -> None:
        """Ask, then delete the dataset with its runs and feedback on the worker."""
        info = self._selected_info()
        if info is None:
            return
        confirm(self, self.tr("Delete dataset"),
                self.tr("Delete the dataset {name} with its {n:,} interactions, all its runs "
                        "and feedback? This cannot be undone.").format(
                    name=repr(info.name), n=info.n_interactions),
                self.tr("Delete"), lambda: self._delete(info.name))

    def _delete(self, name: str) -> None:
        db = self._project.db
        job = self._worker.submit(self.tr("delete {name}").format(name=name),
                                  lambda task: delete_dataset(db, name))
        job.succeeded.connect(lambda _: (self._project.datasets_changed.emit(),
                                         self._project.runs_changed.emit()))
        job.failed.connect(lambda exc: report(self, exc, self.tr("Delete")))
