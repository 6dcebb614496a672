"""The Train tab's form: a preset or custom settings, turned into a :class:`TrainConfig`.

Its choices come from the model's registries (``model.training.PRESETS``,
``model.layers.ACTIVATIONS``, ``model.losses.LOSSES``), so a preset, activation or loss
added there appears here without a change.
"""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLineEdit,
                               QSpinBox, QVBoxLayout, QWidget)

from model import LetterLabError
from model import layers, losses, training
from model.training import PRESETS, TrainConfig

from .i18n import activation_text
from .widgets import named, parse_sizes

CUSTOM = "custom"


def preset_labels() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {"shallow": translate("TrainForm", "Shallow (tutorial)"), "deep": translate("TrainForm", "Deep (tutorial)"),
            "default": translate("TrainForm", "Default (LetterLab)"), "conv": translate("TrainForm", "Conv (LetterLab)")}


def loss_labels() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {"quadratic": translate("TrainForm", "quadratic"), "cross_entropy": translate("TrainForm", "cross-entropy (sigmoid)"),
            "softmax_cross_entropy": translate("TrainForm", "softmax cross-entropy")}


def _default_lr(loss: str) -> float | None:
    return getattr(training, "DEFAULT_LR", {}).get(loss)


class TrainForm(QWidget):
    """Preset, network and recipe fields. ``edited`` fires when the user changes one."""

    edited = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._applying = False
        self._base = PRESETS.get("deep") or next(iter(PRESETS.values()))
        self._build_fields()
        box = QGroupBox(self.tr("Network and recipe"))
        box.setLayout(self._build_layout())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(box)
        self._connect()
        self.apply_preset("deep" if "deep" in PRESETS else next(iter(PRESETS)))

    # -- building ---------------------------------------------------------------------
    def _build_fields(self) -> None:
        self.preset_combo = named(QComboBox(), "presetCombo")
        for key in PRESETS:
            self.preset_combo.addItem(preset_labels().get(key, key.capitalize()), key)
        self.preset_combo.addItem(self.tr("Custom"), CUSTOM)
        self.conv_edit = named(QLineEdit(), "convEdit")
        self.conv_edit.setPlaceholderText(self.tr("none (e.g. 32,32,pool,64,pool)"))
        self.conv_edit.setToolTip(self.tr("Convolution blocks before the dense layers: channel counts "
                                          "and 'pool', separated by commas."))
        self.hidden_edit = named(QLineEdit(), "hiddenEdit")
        self.hidden_edit.setPlaceholderText(self.tr("none (e.g. 256, 128)"))
        self.hidden_edit.setToolTip(self.tr("Hidden layer sizes, input side first, separated by commas. "
                                            "Empty: no hidden layer (the tutorial's shallow net)."))
        self.activation_combo = named(QComboBox(), "activationCombo")
        for key in layers.ACTIVATIONS:
            self.activation_combo.addItem(activation_text(key), key)
        self.loss_combo = named(QComboBox(), "lossCombo")
        for key in losses.LOSSES:
            self.loss_combo.addItem(loss_labels().get(key, key.replace("_", " ")), key)
        self.lr_spin = named(QDoubleSpinBox(), "lrSpin")
        self.lr_spin.setDecimals(4)
        self.lr_spin.setRange(0.0001, 1e9)
        self.lr_spin.setToolTip(self.tr("Learning rate, written the tutorial's way: 1000 for the quadratic "
                                        "loss with batch 1024 (it divides by the batch size), 1.0 for "
                                        "cross-entropy."))
        self.momentum_spin = named(QDoubleSpinBox(), "momentumSpin")
        self.momentum_spin.setRange(0.0, 0.99)
        self.momentum_spin.setSingleStep(0.1)
        self.batch_spin = named(QSpinBox(), "batchSpin")
        self.batch_spin.setRange(1, 65536)
        self.epochs_spin = named(QSpinBox(), "epochsSpin")
        self.epochs_spin.setRange(1, 10000)
        self.seed_spin = named(QSpinBox(), "seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)

    def _build_layout(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow(self.tr("Preset"), self.preset_combo)
        form.addRow(self.tr("Conv blocks"), self.conv_edit)
        form.addRow(self.tr("Hidden layers"), self.hidden_edit)
        form.addRow(self.tr("Activation"), self.activation_combo)
        form.addRow(self.tr("Loss"), self.loss_combo)
        form.addRow(self.tr("Learning rate"), self.lr_spin)
        form.addRow(self.tr("Momentum"), self.momentum_spin)
        form.addRow(self.tr("Batch size"), self.batch_spin)
        form.addRow(self.tr("Epochs"), self.epochs_spin)
        form.addRow(self.tr("Seed"), self.seed_spin)
        # Until the model can build conv blocks (model.network.parse_conv), hide the row.
        self._conv_supported = _parse_conv() is not None and "conv" in TrainConfig.__dataclass_fields__
        form.setRowVisible(self.conv_edit, self._conv_supported)
        return form

    def _connect(self) -> None:
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        for sig in (self.hidden_edit.textEdited, self.conv_edit.textEdited,
                    self.activation_combo.currentIndexChanged,
                    self.lr_spin.valueChanged, self.momentum_spin.valueChanged,
                    self.batch_spin.valueChanged, self.epochs_spin.valueChanged,
                    self.seed_spin.valueChanged):
            sig.connect(self._edited)
        self.loss_combo.currentIndexChanged.connect(self._loss_edited)

    def fields(self) -> list[QWidget]:
        return [self.preset_combo, self.conv_edit, self.hidden_edit, self.activation_combo,
                self.loss_combo, self.lr_spin, self.momentum_spin, self.batch_spin,
                self.epochs_spin, self.seed_spin]

    # -- presets ----------------------------------------------------------------------
    def _preset_chosen(self) -> None:
        key = self.preset_combo.currentData()
        if key != CUSTOM and not self._applying:
            self.apply_preset(key)
        self.edited.emit()

    def apply_preset(self, key: str) -> None:
        """Fill the fields from ``PRESETS[key]``."""
        self.set_config(PRESETS[key])

    def set_config(self, cfg: TrainConfig) -> None:
        self._applying = True
        try:
            self._base = cfg
            key = cfg.preset if cfg.preset in PRESETS else CUSTOM
            self.preset_combo.setCurrentIndex(self.preset_combo.findData(key))
            self.hidden_edit.setText(", ".join(map(str, cfg.hidden)))
            self.conv_edit.setText(_conv_text(getattr(cfg, "conv", ())))
            self.activation_combo.setCurrentIndex(self.activation_combo.findData(cfg.activation))
            self.loss_combo.setCurrentIndex(max(0, self.loss_combo.findData(cfg.loss)))
            self.lr_spin.setValue(cfg.lr)
            self.momentum_spin.setValue(cfg.momentum)
            self.batch_spin.setValue(cfg.batch_size)
            self.epochs_spin.setValue(cfg.epochs)
            self.seed_spin.setValue(cfg.seed)
        finally:
            self._applying = False

    def _edited(self, *_) -> None:
        if not self._applying:
            self._to_custom()
            self.edited.emit()

    def _to_custom(self) -> None:
        self._applying = True
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(CUSTOM))
        self._applying = False

    def _loss_edited(self, *_) -> None:
        if self._applying:
            return
        lr = _default_lr(self.loss_combo.currentData())   # a new loss takes its usual rate
        if lr is not None:
            self._applying = True
            self.lr_spin.setValue(lr)
            self._applying = False
        self._to_custom()
        self.edited.emit()

    # -- fine-tuning (issue 10) --------------------------------------------------------
    def set_fine_tune(self, cfg: TrainConfig | None) -> None:
        """Fill the form with a fine-tuning recipe (``model.samples.finetune_config`` of the
        active model) and lock the network's fields, which come from the model; None
        unlocks them and brings back what the form held before."""
        if cfg is not None:
            if getattr(self, "_before_fine_tune", None) is None:
                try:
                    self._before_fine_tune = self.config()
                except LetterLabError:
                    self._before_fine_tune = self._base
            self.set_config(cfg)
        elif getattr(self, "_before_fine_tune", None) is not None:
            before, self._before_fine_tune = self._before_fine_tune, None
            self.set_config(before)
        for w in (self.preset_combo, self.conv_edit, self.hidden_edit, self.activation_combo,
                  self.loss_combo):
            w.setEnabled(cfg is None)     # fine-tuning keeps the active model's network

    # -- the config -------------------------------------------------------------------
    def config(self) -> TrainConfig:
        """The TrainConfig the fields describe; raises LetterLabError for bad input.

        Fields the form does not show (e.g. dropout, augmentation) keep the values of the
        preset the form was last filled from."""
        changes = dict(hidden=parse_sizes(self.hidden_edit.text()),
                       activation=self.activation_combo.currentData(),
                       loss=self.loss_combo.currentData(), lr=self.lr_spin.value(),
                       epochs=self.epochs_spin.value(), batch_size=self.batch_spin.value(),
                       seed=self.seed_spin.value(), momentum=self.momentum_spin.value(),
                       preset=self.preset_combo.currentData())
        if self._conv_supported:
            changes["conv"] = _parse_conv()(self.conv_edit.text())
        try:
            return dataclasses.replace(self._base, **changes)
        except (TypeError, ValueError) as e:
            raise LetterLabError(str(e)) from None

    # -- settings ----------------------------------------------------------------------
    def save_settings(self, s: QSettings) -> None:
        try:
            cfg = self.config()
        except LetterLabError:
            return
        s.setValue("train/config", {k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                                    for k, v in cfg.to_dict().items() if k in _SAVED})

    def set_from_model(self, spec, meta: dict) -> bool:
        """Show the recipe a model was trained with: its preset's fields when it was made
        with an unchanged preset (the shipped conv weights → the conv preset), else its own
        architecture and recipe as Custom. Metadata is untrusted: anything unreadable leaves
        the form as it is (False)."""
        from model.samples import base_lr, finetune_config

        preset = meta.get("preset") if isinstance(meta, dict) else None
        if isinstance(preset, str) and preset in PRESETS and PRESETS[preset].spec.to_dict() == spec.to_dict():
            self.apply_preset(preset)
            return True
        try:
            epochs = meta.get("epochs")
            schedule = meta.get("schedule")
            cfg = finetune_config(spec, meta, lr=base_lr(meta, spec.loss),
                                  epochs=epochs if isinstance(epochs, int) and 1 <= epochs <= 10000 else None,
                                  schedule=schedule if isinstance(schedule, str) else None, preset=CUSTOM)
        except (LetterLabError, TypeError, ValueError):
            return False
        self.set_config(cfg)
        return True

    def load_settings(self, s: QSettings) -> bool:
        """Restore the last settings (True); anything unreadable leaves the form as it is."""
        d = s.value("train/config")
        if not isinstance(d, dict):
            return False
        try:
            preset = str(d.get("preset", CUSTOM))
            base = PRESETS.get(preset, self._base)
            cfg = dataclasses.replace(
                base, hidden=parse_sizes(str(d.get("hidden", ""))), activation=str(d["activation"]),
                loss=str(d["loss"]), lr=float(d["lr"]), epochs=int(d["epochs"]),
                batch_size=int(d["batch_size"]), seed=int(d["seed"]),
                momentum=float(d.get("momentum", 0.0)), preset=preset)
        except (KeyError, TypeError, ValueError, LetterLabError):
            return False
        self.set_config(cfg)
        return True


_SAVED = ("hidden", "activation", "loss", "lr", "epochs", "batch_size", "seed", "momentum", "preset")


def _parse_conv():
    """``model.network.parse_conv`` once the model has it, else None."""
    from model import network

    return getattr(network, "parse_conv", None)


def _conv_text(conv) -> str:
    if isinstance(conv, str):
        return conv
    try:
        return ",".join(str(c) for c in conv)
    except TypeError:
        return ""
