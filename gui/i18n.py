"""The app's languages: English (the source strings) and 简体中文, the Qt way.

Every user-visible string in ``gui/`` goes through ``self.tr(...)`` or
``QCoreApplication.translate(context, ...)``. The translations live in
``gui/translations/letterlab_zh_CN.ts`` (Qt Linguist XML, in the tutorial's terms) and are
compiled to ``letterlab_zh_CN.qm``, which ships inside the package. Qt's own strings
(standard buttons, file dialogs) come from the ``qtbase_zh_CN.qm`` that ships with PySide6.

Refresh the ``.ts`` from the code, then compile it (from the repository's root)::

    pyside6-lupdate gui/*.py -no-obsolete -locations none -ts gui/translations/letterlab_zh_CN.ts
    pyside6-lrelease gui/translations/letterlab_zh_CN.ts -qm gui/translations/letterlab_zh_CN.qm

New messages arrive as ``type="unfinished"``: translate them (Qt Linguist, or by hand in the
XML) with the words of ``gui/translations/GLOSSARY.md``; ``tests/gui/test_i18n.py`` fails
while any is left. English needs only its plural forms (``%n drawing(s)`` → "1 drawing",
"2 drawings"), kept in ``letterlab_en.ts``::

    pyside6-lupdate gui/*.py -pluralonly -source-language en -target-language en -no-obsolete -locations none -ts gui/translations/letterlab_en.ts
    pyside6-lrelease gui/translations/letterlab_en.ts -qm gui/translations/letterlab_en.qm

Strings built at run time use ``self.tr("… {name} …").format(name=…)`` (lupdate cannot read
f-strings); module-level code calls ``QCoreApplication.translate("Context", …)`` or a local
``translate = QCoreApplication.translate`` (lupdate recognises the name ``translate`` only).

The language follows the system locale unless the Language menu chose one (remembered in
QSettings under ``language``); a change takes effect after the restart the app offers.
"""
from __future__ import annotations

import importlib.resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFontDatabase

#: Language codes the Language menu offers; "system" follows the locale.
LANGUAGES = {"system": None, "en": "English", "zh_CN": "简体中文"}
SETTING = "language"
CJK_FONT_HINT = "sudo apt install fonts-noto-cjk"

_installed: list[QTranslator] = []   # translators must outlive this call


def chosen_language(settings: QSettings) -> str:
    """The Language menu's choice ("system", "en" or "zh_CN")."""
    v = settings.value(SETTING, "system")
    return v if v in LANGUAGES else "system"


def effective_language(choice: str, locale: QLocale | None = None) -> str:
    """"en" or "zh_CN": the choice, or for "system" the locale's language."""
    if choice in ("en", "zh_CN"):
        return choice
    locale = locale or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def _app_qm(lang: str) -> str | None:
    ref = importlib.resources.files("gui") / "translations" / f"letterlab_{lang}.qm"
    return str(ref) if ref.is_file() else None


def install(app: QCoreApplication, lang: str) -> bool:
    """Install the translators for ``lang`` ("en": only the English plural forms); returns
    whether the app's own translation was found. Call before any widget is built; ``"none"``
    removes them all (the source strings)."""
    uninstall(app)
    if lang == "none":
        return True
    ok = False
    app_qm = _app_qm(lang)
    if app_qm:
        t = QTranslator(app)
        if t.load(app_qm):
            app.installTranslator(t)
            _installed.append(t)
            ok = True
    if lang == "en":
        return ok
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return ok


def uninstall(app: QCoreApplication) -> None:
    """Remove the translators :func:`install` installed."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()


def has_cjk_font() -> bool:
    """Whether a font that can show Simplified Chinese is installed."""
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def missing_font_message() -> str:
    """Said once, in both languages, when Chinese is chosen but no CJK font is installed."""
    return ("LetterLab's Chinese interface needs a Chinese font, and none is installed; "
            f"install one (Debian/Ubuntu: {CJK_FONT_HINT}) and restart.\n\n"
            "LetterLab 的中文界面需要中文字体，但系统中没有安装；"
            f"请安装（Debian/Ubuntu：{CJK_FONT_HINT}）后重新启动。")


# -- the tutorial's terms, for text built from the model's names ------------------------
def loss_text(loss: str) -> str:
    """A loss's name in the interface's language (二次代价函数, 交叉熵, …)."""
    translate = QCoreApplication.translate
    return {"quadratic": translate("Terms", "quadratic"),
            "cross_entropy": translate("Terms", "cross entropy"),
            "softmax_cross_entropy": translate("Terms", "softmax cross entropy")}.get(loss, loss)


def activation_text(activation: str) -> str:
    """An activation's name (in Chinese as the tutorial writes it: Sigmoid, tanh, ReLU)."""
    translate = QCoreApplication.translate
    return {"sigmoid": translate("Terms", "sigmoid"), "tanh": translate("Terms", "tanh"),
            "relu": translate("Terms", "relu")}.get(activation, activation)


def preset_text(preset: str) -> str:
    """A preset's name (shallow, deep, default, conv) in the interface's language."""
    translate = QCoreApplication.translate
    return {"shallow": translate("Terms", "shallow"), "deep": translate("Terms", "deep"),
            "default": translate("Terms", "default"), "conv": translate("Terms", "conv"),
            "custom": translate("Terms", "custom")}.get(preset, preset)


def spec_text(spec) -> str:
    """A network's one-line description in the interface's language (in English exactly
    ``NetSpec.describe()``, which the CLI prints)."""
    translate = QCoreApplication.translate
    sizes = "→".join(map(str, [*spec.hidden, spec.n_classes]))
    act, loss = activation_text(spec.activation), loss_text(spec.loss)
    sep = translate("Terms", ", ")
    if not spec.conv:
        return f"{spec.n_inputs}→{sizes} {act}{sep}{loss}"
    blocks = " ".join(translate("Terms", "pool") if b == "pool" else translate("Terms", "conv{k}×{k} {c}").format(
                          k=spec.kernel, c=b) for b in spec.conv)
    drop = translate("Terms", ", dropout {p}").format(p=f"{spec.dropout:g}") if spec.dropout else ""
    return f"{blocks} → {sizes} {act}{drop}{sep}{loss}"


def trainer_message(text: str) -> str:
    """A message of ``model.training.Trainer`` (English: the library and the CLI speak
    English) in the interface's language; one it does not know is returned as it is."""
    import re

    translate = QCoreApplication.translate
    patterns = (
        (r"Finished (?P<n>\d+) epochs\.", translate("Trainer", "Finished {n} epochs.")),
        (r"Stopped during epoch (?P<epoch>\d+) after (?P<b>\d+) of (?P<n>\d+) batches\.",
         translate("Trainer", "Stopped during epoch {epoch} after {b} of {n} batches.")),
        (r"Training diverged at epoch (?P<epoch>\d+), batch (?P<b>\d+) \(loss = (?P<loss>\S+)\); the learning "
         r"rate (?P<lr>\S+) is probably too high\. Kept the weights of epoch (?P<kept>\d+)\.",
         translate("Trainer", "Training diverged at epoch {epoch}, batch {b} (loss = {loss}); the learning rate "
                   "{lr} is probably too high. Kept the weights of epoch {kept}.")),
        (r"Training diverged at epoch (?P<epoch>\d+), batch (?P<b>\d+) \(loss = (?P<loss>\S+)\); the learning "
         r"rate (?P<lr>\S+) is probably too high\. Kept the initial weights\.",
         translate("Trainer", "Training diverged at epoch {epoch}, batch {b} (loss = {loss}); the learning rate "
                   "{lr} is probably too high. Kept the initial weights.")),
        (r"Training diverged in epoch (?P<epoch>\d+): weights became infinite; the learning rate (?P<lr>\S+) "
         r"is probably too high\.",
         translate("Trainer", "Training diverged in epoch {epoch}: weights became infinite; the learning rate "
                   "{lr} is probably too high.")),
        (r"Not learning: after (?P<n>\d+) epochs the validation accuracy is (?P<acc>\S+) % \(chance is "
         r"(?P<chance>\S+) %\); try a lower learning rate\.",
         translate("Trainer", "Not learning: after {n} epochs the validation accuracy is {acc} % (chance is "
                   "{chance} %); try a lower learning rate.")),
    )
    for pattern, template in patterns:
        m = re.fullmatch(pattern, text.strip())
        if m:
            return template.format(**m.groupdict())
    return text
