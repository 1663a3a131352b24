"""The window's language: chosen from the system locale, the saved choice or
$IFS_LANGUAGE; switched live under View > Language; and a Chinese translation that covers
every text of the window and is compiled (tools/translations.py)."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel, QMessageBox

from engine.core.stages import Stage
from tests.support import ROOT
from tests.support.ui import copy_demo, make_window, preferences, wait_idle
from ui.engine_texts import SETTING_TEXTS, STAGE_LABELS
from ui.language import (CHINESE, ENGLISH, LANGUAGE_ENV, apply_language, chosen_language,
                         current_language, system_language)
from ui.messages import confirm
from ui.run_form import RunForm
from ui.run_settings import SEQUENTIAL, SEQUENTIAL_FIELDS, model_label
from ui.stage_progress import StageProgress

#: Placeholders of str.format ("{n:,}") and mnemonics ("&File", "文件(&F)").
FIELDS = re.compile(r"\{[^{}]*\}")


def translations_tool():
    """tools/translations.py as a module (tools/ is no package)."""
    spec = importlib.util.spec_from_file_location("translations",
                                                  ROOT / "tools" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def english_after() -> Iterator[None]:
    """The test may install another language: English again afterwards, as every other
    test expects."""
    yield
    apply_language(ENGLISH)


@pytest.mark.parametrize(("locale", "language"), [
    ("zh_CN", CHINESE), ("zh_TW", CHINESE), ("zh_SG", CHINESE), ("en_US", ENGLISH),
    ("en_GB", ENGLISH), ("de_DE", ENGLISH), ("C", ENGLISH)])
def test_the_system_locale_picks_the_language(locale, language):
    assert system_language(QLocale(locale)) == language


@pytest.mark.parametrize(("lang", "language"), [("zh_CN.UTF-8", CHINESE),
                                                ("en_US.UTF-8", ENGLISH), ("C", ENGLISH)])
def test_a_process_starts_in_its_locale_language(lang, language):
    """What start-up reads: the real system locale of a process (C and POSIX included)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LC_") and k not in ("LANGUAGE", LANGUAGE_ENV)}
    code = "from ui.language import system_language; print(system_language())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "LANG": lang},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == language


def test_saved_choice_and_environment_come_before_the_locale(tmp_path):
    prefs = preferences(tmp_path)
    chinese, english = QLocale("zh_CN"), QLocale("en_US")
    assert prefs.language == ""
    assert chosen_language(prefs, {}, chinese) == CHINESE
    assert chosen_language(prefs, {}, english) == ENGLISH
    prefs.language = ENGLISH  # chosen in the menu: the locale no longer counts
    assert chosen_language(prefs, {}, chinese) == ENGLISH
    assert chosen_language(prefs, {LANGUAGE_ENV: CHINESE}, english) == CHINESE
    assert chosen_language(prefs, {LANGUAGE_ENV: "klingon"}, chinese) == ENGLISH
    prefs.language = "klingon"  # a value from elsewhere: passed over
    assert chosen_language(prefs, {}, chinese) == CHINESE


def test_the_window_starts_in_chinese(qtbot, tmp_path, english_after):
    assert apply_language(CHINESE) and current_language() == CHINESE
    window = make_window(qtbot, tmp_path)
    assert [a.text() for a in window.menuBar().actions()] == ["文件(&F)", "运行(&R)",
                                                               "视图(&V)", "帮助(&H)"]
    assert [window.sidebar.item(i).text() for i in range(4)] == ["数据", "运行", "用户",
                                                                  "评估"]
    assert window.run_page.run_button.text() == "运行"
    assert window.run_action.text() == "运行流水线(&R)"
    assert window.run_action.toolTip() == "运行流水线 (F5)"
    assert window.run_action.iconText() == "运行流水线"  # the tool bar's
    assert window.data_page.demo_button.text().strip() == "加载演示商店并运行"
    assert window.evaluation_page.tabs.tabText(0) == "模型比较"
    checked = [a.text() for a in window.language_actions.actions() if a.isChecked()]
    assert checked == ["中文 (简体)"]
    # Qt's own buttons come from its translation (qtbase_zh_CN.qm)
    box = confirm(window, "标题", "问题", "删除", lambda: None)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    box.close()


def test_the_menu_switches_the_language_live_and_remembers_it(qtbot, tmp_path, english_after):
    path, _ = copy_demo(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    assert window.run_page.run_button.text() == "Run"
    assert window.users_page.reset_button.text() == "Reset feedback"
    [chinese] = [a for a in window.language_actions.actions() if a.data() == CHINESE]
    chinese.trigger()
    qtbot.waitUntil(lambda: window.run_page.run_button.text() == "运行")
    wait_idle(qtbot, window)
    assert [a.text() for a in window.menuBar().actions()][0] == "文件(&F)"
    assert window.language_menu.title() == "语言(&L)"
    assert window.sidebar.item(2).text() == "用户"
    assert window.users_page.reset_button.text() == "重置反馈"
    assert window.users_page.count.text() == "300 个用户"
    assert window.run_page.runs.horizontalHeaderItem(4).text() == "状态"
    assert window.run_page.runs.item(0, 4).text() == "已完成"
    assert window.evaluation_page.show_components.text() == "融合运行的各组件"
    assert window.data_page.title.text() == "数据集"
    assert window.project_label.text().startswith("项目：")
    assert preferences(tmp_path).language == CHINESE  # the next start is in Chinese too

    [english] = [a for a in window.language_actions.actions() if a.data() == ENGLISH]
    english.trigger()
    qtbot.waitUntil(lambda: window.run_page.run_button.text() == "Run")
    wait_idle(qtbot, window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Run", "&View",
                                                               "&Help"]
    assert window.run_page.runs.item(0, 4).text() == "finished"
    assert window.users_page.count.text() == "300 users"
    assert preferences(tmp_path).language == ENGLISH


def test_the_engines_labels_are_chinese_in_the_chinese_window(qtbot, tmp_path, english_after):
    """Stage labels of the progress rows and the sequential model's settings come from the
    engine in English; the window shows them translated, the model's name kept."""
    assert apply_language(CHINESE)
    stages = StageProgress()
    qtbot.addWidget(stages)
    stages.start(["load", "fit ease", "evaluate fusion", "a stage of its own"])

    def labels() -> set[str]:
        return {label.text() for label in stages.findChildren(QLabel)}

    assert {"加载数据", "拟合 ease", "评估 fusion", "a stage of its own"} <= labels()
    form = RunForm(preferences(tmp_path))
    qtbot.addWidget(form)
    sequential = [label.text() for label in form.sequential.findChildren(QLabel)]
    assert sequential == ["隐藏层大小：", "层数：", "训练轮数（上限）："]
    assert form.hidden.toolTip() == "Transformer 宽度（SASRec/RecBole：64）"
    apply_language(ENGLISH)  # live: the engine's English again
    qtbot.waitUntil(lambda: "Fit ease" in labels())
    qtbot.waitUntil(lambda: form.sequential.findChildren(QLabel)[0].text() == "Hidden size:")


def test_the_plan_is_chinese_in_the_chinese_window(qtbot, tmp_path, english_after):
    path, _ = copy_demo(tmp_path)
    assert apply_language(CHINESE)
    window = make_window(qtbot, tmp_path, path)
    window.show_page("run")
    page = window.run_page
    assert page.progress_box.title() == "运行计划"
    qtbot.waitUntil(lambda: not page.plan.busy and any(
        line.startswith("拟合 fusion | ") for line in page.plan.lines()), timeout=30_000)
    lines = page.plan.lines()
    assert lines[0].startswith("划分数据 | ")
    assert lines[-1].startswith("合计 | ")
    assert any(line.startswith("拟合 ease | ") and "exact dense solve" in line for line in lines)


def test_every_engine_text_the_window_shows_is_listed_for_translation():
    """A stage or an offered setting whose label changed in the engine needs its new text
    in ui/engine_texts.py (and its Chinese: tools/translations.py)."""
    listed = set(STAGE_LABELS) | set(SETTING_TEXTS)
    assert {stage.label for stage in Stage} <= listed
    for parameter in SEQUENTIAL_FIELDS.values():
        assert set(model_label(SEQUENTIAL, parameter)) <= listed


def test_the_translation_covers_every_text_and_is_compiled():
    """Fails when a text of the window was added or changed without its Chinese, or the
    .qm was not compiled again: run tools/translations.py and translate what it lists."""
    tool = translations_tool()
    assert tool.problems(CHINESE) == []
    messages = tool.messages(tool.ts_file(CHINESE))
    assert len(messages) > 400
    for (context, source), text in messages.items():
        assert sorted(FIELDS.findall(text)) == sorted(FIELDS.findall(source)), \
            (context, source, text)  # str.format would fail, or lose a value
        assert ("&" in text) == ("&" in source), (context, source, text)


def test_the_translation_is_shipped():
    """The wheel's package data and the installer both carry the compiled translation."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"translations/*.qm"' in pyproject
    from installer.layout import datas

    assert (str(ROOT / "resources" / "translations" / "studio_zh_CN.qm"),
            "resources/translations") in datas()
    assert Path(ROOT / "resources" / "translations" / "studio_zh_CN.qm").is_file()
