"""The app in 简体中文 (issue 13): every visible word of every tab translated, Qt's own
buttons too; the .ts complete against the code (pyside6-lupdate into a temporary copy);
the .qm compiled from it; the Language menu remembered. Translators are installed before
a window is built and removed afterwards (the other tests expect English)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "gui" / "translations"
ZH_TS = TRANSLATIONS / "letterlab_zh_CN.ts"
EN_TS = TRANSLATIONS / "letterlab_en.ts"
BIN = Path(sys.executable).parent

#: Words allowed in the Chinese interface: names, file formats, keys, and the notation a
#: user types (conv blocks: "32,32,pool,64,pool"); the tutorial writes Sigmoid etc. as is.
ALLOWED = {"LetterLab", "English", "ReLU", "Sigmoid", "tanh", "softmax", "dropout", "logit", "PNG",
           "JPEG", "npz", "tar", "gz", "txt", "Ctrl", "Shift", "Esc", "Enter", "Delete", "pool",
           "Debian", "Ubuntu"}
WORD = re.compile(r"\b[A-Za-z]{2,}\b")


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name) or pytest.skip(f"{name} not installed")


def english_words(text: str) -> set[str]:
    """English words left in ``text`` (markup, paths, file names and mnemonics removed)."""
    text = re.sub(r"<[^>]+>|&nbsp;|&amp;|&\w", " ", str(text))
    text = re.sub(r"\S*[/\\]\S*|\S+\.(npz|png|txt|gz)\b", " ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


@pytest.fixture
def zh_app():
    from gui import i18n

    app = QApplication.instance()
    assert i18n.install(app, "zh_CN"), "letterlab_zh_CN.qm not found in the package"
    yield app
    i18n.install(app, "en")          # back to English, as the other tests expect


@pytest.fixture
def zh_window(zh_app, window):
    """conftest's main window, built after the Chinese translators are installed."""
    return window


def tab_titles(window) -> list[str]:
    return [re.sub(r"\(&\w\)|&", "", window.tabs.tabText(i)) for i in range(window.tabs.count())]


def visible_texts(window) -> list[tuple[str, str]]:
    """(where, text) for every label, button, group title, placeholder, combo item, tooltip,
    spin-box suffix, menu, tab title and plot or picture title of the window."""
    out = [("tab", t) for t in tab_titles(window)]
    for menu_action in window.menuBar().actions():
        out.append(("menu", menu_action.text()))
        for a in menu_action.menu().actions():
            out += [("menu item", a.text()), ("menu tooltip", a.toolTip())]
    for w in window.findChildren(QWidget):
        where = f"{type(w).__name__} {w.objectName()}"
        out.append((where + " tooltip", w.toolTip()))
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append((where, w.text()))
        if isinstance(w, QGroupBox):
            out.append((where, w.title()))
        if isinstance(w, QLineEdit):
            out.append((where + " placeholder", w.placeholderText()))
        if isinstance(w, QComboBox) and w.objectName() != "templateLayer":   # layer names: fc0, conv1
            out += [(where + " item", w.itemText(i)) for i in range(w.count())]
        if isinstance(w, QAbstractSpinBox):
            out.append((where + " suffix", getattr(w, "suffix", lambda: "")()))
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            out += [(where + " plot", t) for t in scene_texts(w.scene())]
    return out


def scene_texts(scene) -> list[str]:
    """Titles, axis labels and text items of a pyqtgraph scene."""
    import pyqtgraph as pg

    texts = []
    for item in scene.items():
        if isinstance(item, pg.LabelItem):
            texts.append(item.text)
        elif isinstance(item, pg.TextItem):
            texts.append(item.toPlainText())
        elif isinstance(item, pg.AxisItem) and item.label.isVisible():
            texts.append(item.labelText)
    return texts


def test_chinese_window_tabs_menus_and_plots(zh_window, qtbot):
    w = zh_window
    assert tab_titles(w) == ["训练", "手写", "错例", "网络", "我的样本"]
    assert [a.text() for a in w.menuBar().actions()] == ["文件(&F)", "数据(&D)", "语言(&L)"]
    assert w.open_action.text() == "打开权重(&O)…"
    plots = w.train_tab.plots
    assert plots.loss_plot.getPlotItem().titleLabel.text == "训练损失（细线：每批）"
    assert plots.accuracy_plot.getPlotItem().titleLabel.text == "验证集准确率"
    assert plots.loss_plot.getPlotItem().getAxis("bottom").labelText == "轮次"
    form = w.train_tab.form
    assert form.findChild(QGroupBox).title() == "网络与训练配置"
    assert form.loss_combo.itemText(form.loss_combo.findData("quadratic")) == "二次代价函数"
    assert w.train_tab.start_button.text() == "开始"
    recipe = w.train_tab.runs_list.tree.headerItem().text(1)
    assert recipe == "配置"


def test_no_english_word_left_on_any_tab(zh_window, qtbot):
    w = zh_window
    left = []
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        left += [(where, text, sorted(english_words(text))) for where, text in visible_texts(w)
                 if english_words(text)]
    assert not left, "\n".join(f"{where}: {text!r} {words}" for where, text, words in left[:40])


def test_qt_standard_buttons_are_chinese(zh_app):
    box = QMessageBox(QMessageBox.Question, "t", "t", QMessageBox.Ok | QMessageBox.Cancel)
    texts = [box.button(b).text().replace("&", "") for b in (QMessageBox.Ok, QMessageBox.Cancel)]
    box.deleteLater()
    assert [re.sub(r"\(\w\)", "", t) for t in texts] == ["确定", "取消"]


def test_translators_come_off_again(qtbot):
    """The other tests run in English: after the Chinese fixtures only English is installed."""
    from PySide6.QtCore import QCoreApplication

    from gui.runs import state_text

    assert state_text("finished") == "finished"
    assert QCoreApplication.translate("MainWindow", "%n run(s) not saved: {names}.", "", 1) == \
        "1 run not saved: {names}."


def test_english_plurals_and_descriptions(qtbot):
    from PySide6.QtCore import QCoreApplication

    from gui import i18n
    from model.training import PRESETS

    for cfg in PRESETS.values():      # without a translator the status bar reads as before
        assert i18n.spec_text(cfg.spec) == cfg.spec.describe()
    app = QApplication.instance()
    i18n.install(app, "en")
    try:
        tr = QCoreApplication.translate
        assert tr("SamplesView", "Restored %n sample(s)", "", 1) == "Restored 1 sample"
        assert tr("SamplesView", "Restored %n sample(s)", "", 3) == "Restored 3 samples"
    finally:
        i18n.install(app, "en")


# -- the translation files ---------------------------------------------------------------
def messages(ts: Path) -> list[dict]:
    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.find("name").text
        for m in ctx.iter("message"):
            tr = m.find("translation")
            forms = [f.text or "" for f in tr.iter("numerusform")] if m.get("numerus") == "yes" \
                else [tr.text or ""]
            out.append(dict(context=name, source=m.find("source").text, type=tr.get("type"),
                            forms=forms, numerus=m.get("numerus") == "yes"))
    return out


def lupdate_into_copy(ts: Path, tmp_path: Path, *extra: str) -> Path:
    """Run pyside6-lupdate over gui/*.py into a copy of ``ts`` (keeping vanished entries, so
    a stale one shows up)."""
    copy = tmp_path / ts.name
    shutil.copy(ts, copy)
    sources = sorted(str(p.relative_to(REPO)) for p in (REPO / "gui").glob("*.py"))
    subprocess.run([tool("pyside6-lupdate"), *sources, *extra, "-locations", "none", "-ts", str(copy)],
                   cwd=REPO, check=True, capture_output=True, timeout=120)
    return copy


PLACEHOLDER = re.compile(r"\{\w*\}|%n")


@pytest.mark.parametrize("ts, extra", [(ZH_TS, ()), (EN_TS, ("-pluralonly", "-source-language", "en",
                                                              "-target-language", "en"))],
                         ids=["zh_CN", "en-plurals"])
def test_ts_is_complete_against_the_code(ts, extra, tmp_path):
    fresh = messages(lupdate_into_copy(ts, tmp_path, *extra))
    unfinished = [(m["context"], m["source"]) for m in fresh if m["type"] == "unfinished"]
    stale = [(m["context"], m["source"]) for m in fresh if m["type"] in ("vanished", "obsolete")]
    assert not unfinished, f"untranslated (translate them in {ts.name}): {unfinished[:20]}"
    assert not stale, f"no longer in the code (refresh with -no-obsolete): {stale[:20]}"
    committed = messages(ts)
    assert {(m["context"], m["source"]) for m in committed} == {(m["context"], m["source"]) for m in fresh}
    for m in committed:
        assert m["type"] is None and all(m["forms"]), (m["context"], m["source"])
        for form in m["forms"]:      # every {name} and %n of the source survives translation
            assert sorted(set(PLACEHOLDER.findall(form))) == sorted(set(PLACEHOLDER.findall(m["source"]))), \
                (m["source"], form)
    if ts is ZH_TS:
        assert len(committed) > 300 and any(m["numerus"] for m in committed)


@pytest.mark.parametrize("ts", [ZH_TS, EN_TS], ids=["zh_CN", "en-plurals"])
def test_qm_is_compiled_from_the_ts(ts, tmp_path):
    qm = tmp_path / ts.with_suffix(".qm").name
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True,
                   timeout=60)
    assert qm.read_bytes() == ts.with_suffix(".qm").read_bytes(), \
        f"{ts.with_suffix('.qm').name} is older than {ts.name}: run pyside6-lrelease (gui/i18n.py)"


# -- choosing the language -----------------------------------------------------------------
def test_language_menu_stores_the_choice_and_a_restart_uses_it(window, qtbot, weights_path):
    from gui import i18n
    from gui.app import APPLICATION, ORGANIZATION, MainWindow

    settings = QSettings(ORGANIZATION, APPLICATION)
    assert i18n.chosen_language(settings) == "system" and window.language_actions["system"].isChecked()
    window.ask_before_quit = False            # no restart question in a test
    window.language_actions["zh_CN"].trigger()
    assert QSettings(ORGANIZATION, APPLICATION).value(i18n.SETTING) == "zh_CN"
    assert window.language_actions["zh_CN"].isChecked()
    # What main() does at the next start: the stored choice, installed before the window.
    app = QApplication.instance()
    lang = i18n.effective_language(i18n.chosen_language(QSettings(ORGANIZATION, APPLICATION)))
    assert lang == "zh_CN"
    i18n.install(app, lang)
    try:
        w2 = MainWindow(weights=weights_path)
        w2.ask_before_quit = False
        qtbot.addWidget(w2)
        assert tab_titles(w2)[:3] == ["训练", "手写", "错例"]
        assert w2.language_actions["zh_CN"].isChecked()
        qtbot.waitUntil(lambda: not w2.is_busy(), timeout=20000)
        w2.close()
    finally:
        i18n.install(app, "en")
    window.language_actions["en"].trigger()
    assert i18n.effective_language(i18n.chosen_language(QSettings(ORGANIZATION, APPLICATION))) == "en"


def test_command_line_help_says_the_app_speaks_chinese():
    from letterlab.cli import build_parser

    assert "简体中文" in build_parser().format_help()
