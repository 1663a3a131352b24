"""The main window's actions, menus and tool bar, and their texts in the window's language.

:class:`WindowActions` is a part of :class:`ui.window.MainWindow`: it builds the actions
(each calls one of the window's methods), the menus and the tool bar, sets their texts
again whenever the language changes (:meth:`WindowActions.retranslate_actions`, in the
``MainWindow`` context of the translations, as before they moved here), keeps the Open
Recent menu and switches the language. Like the window, it imports only Qt.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar

from ui.about import APP_NAME
from ui.icons import icon
from ui.language import LANGUAGES, apply_language, current_language
from ui.messages import show_error

#: The screens: key, name (translated where shown) and icon.
PAGES = (("data", QT_TRANSLATE_NOOP("MainWindow", "Data"), "data"),
         ("run", QT_TRANSLATE_NOOP("MainWindow", "Run"), "run"),
         ("users", QT_TRANSLATE_NOOP("MainWindow", "Users"), "users"),
         ("evaluation", QT_TRANSLATE_NOOP("MainWindow", "Evaluation"), "evaluation"))
#: Save the shown chart of the Evaluation screen (Ctrl+Shift+S is Save Project As).
SAVE_CHART_SHORTCUT = "Ctrl+Shift+P"
translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls


def plain(text: str) -> str:
    """A menu text without its mnemonic ("&Open", "打开(&O)") and trailing dots."""
    return re.sub(r"\(&\w\)|&", "", text).rstrip(".")


def set_texts(action: QAction, text: str, tip: str = "") -> None:
    """The menu text, the tool bar's (without the mnemonic, which Qt strips only in the
    "&Open" form), the status bar's tip (default: the text) and the tooltip, which names
    the shortcut."""
    action.setText(text)
    action.setIconText(plain(text))
    action.setStatusTip(tip or text.rstrip("."))
    if not action.shortcut().isEmpty():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain(text)} ({keys})")


class WindowActions:
    """The window's actions, menus and tool bar (a part of MainWindow, which has the
    methods the actions call)."""

    def _action(self, slot: Callable[[], object],
                shortcut: str | QKeySequence.StandardKey = "", icon_name: str = "") -> QAction:
        """An action without its texts: :meth:`retranslate_actions` sets them."""
        action = QAction(self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.new_action = a(self.new_project, QKeySequence.StandardKey.New, "new")
        self.open_action = a(self.choose_project, QKeySequence.StandardKey.Open, "open")
        self.save_as_action = a(self.save_project_as, QKeySequence.StandardKey.SaveAs, "save")
        self.import_action = a(lambda: self.import_data("interactions"), "Ctrl+I", "import")
        self.import_items_action = a(lambda: self.import_data("items"), "Ctrl+Shift+I",
                                     "items")
        self.demo_action = a(self.load_demo, "", "demo")
        self.export_action = a(self.export_lists, "Ctrl+E", "export")
        self.save_chart_action = a(self.save_chart, SAVE_CHART_SHORTCUT, "save-chart")
        self.find_user_action = a(self.find_user, QKeySequence.StandardKey.Find, "users")
        self.quit_action = a(self.close, QKeySequence.StandardKey.Quit)
        self.run_action = a(self.run_pipeline, "F5", "run")
        self.run_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.cancel_action = a(self.cancel_work, "Esc", "cancel")
        self.cancel_action.setEnabled(False)
        self.page_actions = []
        for number, (key, _, icon_name) in enumerate(PAGES, start=1):
            action = a(lambda k=key: self.show_page(k), f"Ctrl+{number}", icon_name)
            self.page_actions.append(action)
        self.about_action = a(self.about, "F1", "app")
        self.log_action = a(self.show_log_folder)
        self._project_actions = [self.save_as_action, self.import_action,
                                 self.import_items_action, self.demo_action,
                                 self.export_action, self.save_chart_action,
                                 self.find_user_action, self.run_action]
        for action in self._project_actions:
            action.setEnabled(False)
        # each language's name in its own language: the same in every language
        self.language_actions = QActionGroup(self)
        for code, name in LANGUAGES.items():
            action = self.language_actions.addAction(name)
            action.setCheckable(True)
            action.setData(code)
            action.setChecked(code == current_language())
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))

    def _build_menus(self) -> None:
        menu = self.menuBar()
        self.file_menu = file = menu.addMenu("")
        file.addActions([self.new_action, self.open_action])
        self.recent_menu = file.addMenu("")
        file.addAction(self.save_as_action)
        file.addSeparator()
        file.addActions([self.import_action, self.import_items_action, self.demo_action])
        file.addSeparator()
        file.addActions([self.export_action, self.save_chart_action])
        file.addSeparator()
        file.addAction(self.quit_action)
        self.run_menu = run = menu.addMenu("")
        run.addActions([self.run_action, self.cancel_action])
        self.view_menu = view = menu.addMenu("")
        view.addActions(self.page_actions)
        view.addSeparator()
        view.addAction(self.find_user_action)
        view.addSeparator()
        self.language_menu = view.addMenu("")
        self.language_menu.setObjectName("languageMenu")
        self.language_menu.addActions(self.language_actions.actions())
        self.help_menu = help_menu = menu.addMenu("")
        help_menu.addActions([self.log_action, self.about_action])
        self._update_recent_menu()

        self.toolbar = toolbar = QToolBar(self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        toolbar.addActions([self.open_action, self.import_action])
        toolbar.addSeparator()
        toolbar.addActions([self.run_action, self.cancel_action])
        toolbar.addSeparator()
        toolbar.addAction(self.export_action)
        self.addToolBar(toolbar)

    def retranslate_actions(self) -> None:
        """The menus' titles and every action's texts in the current language."""
        self.file_menu.setTitle(translate("MainWindow", "&File"))
        self.recent_menu.setTitle(translate("MainWindow", "Open &Recent"))
        self.run_menu.setTitle(translate("MainWindow", "&Run"))
        self.view_menu.setTitle(translate("MainWindow", "&View"))
        self.language_menu.setTitle(translate("MainWindow", "&Language"))
        self.help_menu.setTitle(translate("MainWindow", "&Help"))
        self.toolbar.setWindowTitle(translate("MainWindow", "Main"))
        for action, text, tip in self._action_texts():
            set_texts(action, text, tip)

    def _action_texts(self) -> list[tuple[QAction, str, str]]:
        """Each action, its menu text and its status tip, in the current language."""
        texts = [
            (self.new_action, translate("MainWindow", "&New Project..."),
             translate("MainWindow", "Create an empty project file")),
            (self.open_action, translate("MainWindow", "&Open Project..."),
             translate("MainWindow", "Open a project file")),
            (self.save_as_action, translate("MainWindow", "Save Project &As..."),
             translate("MainWindow", "Copy the project to a new file and continue there")),
            (self.import_action, translate("MainWindow", "&Import Interactions..."),
             translate("MainWindow", "Import an interaction log as a dataset")),
            (self.import_items_action, translate("MainWindow", "Import I&tems..."),
             translate("MainWindow", "Import an item catalogue with the interactions")),
            (self.demo_action, translate("MainWindow", "Add the &Demo Shop"),
             translate("MainWindow", "Import the built-in demo shop and run the default "
                                     "pipeline on it (about a minute)")),
            (self.export_action, translate("MainWindow", "&Export Lists..."),
             translate("MainWindow", "Write every user's list of the shown run as CSV, "
                                     "after their feedback")),
            (self.save_chart_action, translate("MainWindow", "Save &Chart as PNG..."),
             translate("MainWindow", "Save the chart shown on the Evaluation screen as PNG")),
            (self.find_user_action, translate("MainWindow", "&Find User..."),
             translate("MainWindow", "Search the users of the Users screen by id")),
            (self.quit_action, translate("MainWindow", "&Quit"), translate("MainWindow", "Quit")),
            (self.run_action, translate("MainWindow", "&Run Pipeline"),
             translate("MainWindow", "Run the configured pipeline on the chosen dataset")),
            (self.cancel_action, translate("MainWindow", "&Cancel"),
             translate("MainWindow", "Stop the running work at its next safe point")),
            (self.about_action, translate("MainWindow", "&About {app}").format(app=APP_NAME), ""),
            (self.log_action, translate("MainWindow", "Show the &Log Folder"),
             translate("MainWindow", "Open the folder of the log file")),
        ]
        menu_names = [translate("MainWindow", "&Data"), translate("MainWindow", "&Run"),
                      translate("MainWindow", "&Users"), translate("MainWindow", "&Evaluation")]
        for action, menu_name, (_, name, _) in zip(self.page_actions, menu_names, PAGES,
                                                    strict=True):
            texts.append((action, menu_name, translate(
                "MainWindow", "Show the {screen} screen").format(
                screen=translate("MainWindow", name))))
        return texts

    def _update_recent_menu(self) -> None:
        """File > Open Recent: the projects opened last, newest first."""
        self.recent_menu.clear()
        recent = self.prefs.recent_projects
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_database(Path(p)))
        self.recent_menu.setEnabled(bool(recent))

    def set_language(self, code: str) -> None:
        """Show the window in ``code`` from now on, and at the next start."""
        self.prefs.language = code
        if not apply_language(code):
            show_error(self, translate("MainWindow", "Language"),
                       translate("MainWindow", "The translation into {language} is missing "
                                               "from this installation; the window stays in "
                                               "English.").format(language=LANGUAGES[code]))
        for action in self.language_actions.actions():
            action.setChecked(action.data() == current_language())
