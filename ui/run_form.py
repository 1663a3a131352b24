"""The run configuration form: components, fusion, text encoder, sequential model size,
K, device, threads and seed, read from and written to a :class:`RunSettings`.

Its texts are set in :meth:`RunForm.retranslate`, again when the language changes; the
sequential model's labels are its params class's own (the engine's), translated by
:mod:`ui.engine_texts`."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from engine.models import MODELS
from ui.engine_texts import engine_text
from ui.preferences import Preferences
from ui.run_settings import SEQUENTIAL, RunSettings, components, model_default, model_label

#: What each component is, for people who do not know the registry names.
DESCRIPTIONS = {
    "pop": QT_TRANSLATE_NOOP("RunForm", "Popularity"),
    "itemknn": QT_TRANSLATE_NOOP("RunForm", "Item k-NN"),
    "itemknn-bm25": QT_TRANSLATE_NOOP("RunForm", "Item k-NN, BM25 weights"),
    "als": QT_TRANSLATE_NOOP("RunForm", "ALS matrix factorisation"),
    "ease": QT_TRANSLATE_NOOP("RunForm", "EASE linear autoencoder"),
    "cooc": QT_TRANSLATE_NOOP("RunForm", "Next-item co-occurrence"),
    "semantic": QT_TRANSLATE_NOOP("RunForm", "Text encoder profile"),
    "word2vec": QT_TRANSLATE_NOOP("RunForm", "Word2vec text profile"),
    "item2vec": QT_TRANSLATE_NOOP("RunForm", "Item2vec session model"),
    "sequential": QT_TRANSLATE_NOOP("RunForm", "Sequential transformer"),
}
FUSION_LABELS = {"learned": QT_TRANSLATE_NOOP("RunForm", "Learned gate per user"),
                 "fixed": QT_TRANSLATE_NOOP("RunForm", "Fixed weights"),
                 "rrf": QT_TRANSLATE_NOOP("RunForm", "Reciprocal-rank fusion")}
DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("RunForm", "Auto (GPU when present)"),
                 "cpu": QT_TRANSLATE_NOOP("RunForm", "CPU"),
                 "cuda": QT_TRANSLATE_NOOP("RunForm", "GPU (CUDA)")}


class RunForm(QWidget):
    """Edits a :class:`RunSettings`; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self._order: list[str] = []  # checked components in the order they were chosen
        self.components = self._component_list()
        self.fusion = QComboBox(self)
        for key, label in FUSION_LABELS.items():
            self.fusion.addItem(label, key)
        self.encoder = QLineEdit(self)
        self.hidden = self._spin(16, 1024, 16)
        self.layers = self._spin(1, 12)
        self.epochs = self._spin(1, 1000)
        self.sequential = self._sequential_group()
        self.k = self._spin(1, 500)
        self.device = QComboBox(self)
        for key, label in DEVICE_LABELS.items():
            self.device.addItem(label, key)
        self.threads = self._spin(0, 256)
        self.seed = self._spin(0, 2**31 - 1)
        self.defaults = QPushButton(self)
        self.defaults.clicked.connect(lambda: self.set_settings(RunSettings()))
        self.model_group = self._model_group()
        self.run_group = self._run_group()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.model_group)
        layout.addWidget(self.sequential)
        layout.addWidget(self.run_group)
        layout.addWidget(self.defaults, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        for signal in (self.fusion.currentIndexChanged, self.encoder.textChanged,
                       self.hidden.valueChanged, self.layers.valueChanged,
                       self.epochs.valueChanged, self.k.valueChanged,
                       self.device.currentIndexChanged, self.threads.valueChanged,
                       self.seed.valueChanged):
            signal.connect(self._edited)
        self.retranslate()
        self.set_settings(RunSettings.from_dict(prefs.run_settings))

    def retranslate(self) -> None:
        """Every text of the form in the current language."""
        for i in range(self.components.count()):
            item = self.components.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            description = self.tr(DESCRIPTIONS[name]) if name in DESCRIPTIONS else name
            if MODELS[name].horizon == "short":
                item.setText(self.tr("{model}, short-term").format(model=description))
                item.setToolTip(self.tr("registry name {name}; describes the user's "
                                        "short-term interests").format(name=repr(name)))
            else:
                item.setText(self.tr("{model}, long-term").format(model=description))
                item.setToolTip(self.tr("registry name {name}; describes the user's "
                                        "long-term interests").format(name=repr(name)))
        for combo, labels in ((self.fusion, FUSION_LABELS), (self.device, DEVICE_LABELS)):
            for i in range(combo.count()):
                combo.setItemText(i, self.tr(labels[combo.itemData(i)]))
        self.fusion.setToolTip(self.tr("How several components are combined (one component "
                                       "runs alone)"))
        self.encoder.setPlaceholderText(self.tr("auto: all-MiniLM-L6-v2, multilingual for "
                                                "non-Latin text"))
        self.encoder.setToolTip(self.tr(
            "Empty or auto: the packaged all-MiniLM-L6-v2 for a catalogue in Latin script, the "
            "packaged multilingual encoder otherwise (the run log says which); minilm, "
            "multilingual, or a local Hugging Face encoder folder. Nothing is downloaded."))
        self.k.setToolTip(self.tr("Length of every user's recommendation list"))
        self.threads.setSpecialValueText(self.tr("default"))
        self.defaults.setText(self.tr("Restore defaults"))
        self.browse.setText(self.tr("Browse..."))
        self.model_group.setTitle(self.tr("Model"))
        self.sequential.setTitle(self.tr("Sequential model"))
        self.run_group.setTitle(self.tr("Run"))
        for form, field, text in (
                (self.model_form, self.components, self.tr("Components:")),
                (self.model_form, self.fusion, self.tr("Fusion:")),
                (self.model_form, self.encoder_row, self.tr("Text encoder:")),
                (self.run_form, self.k, self.tr("List length K:")),
                (self.run_form, self.device, self.tr("Device:")),
                (self.run_form, self.threads, self.tr("CPU threads:")),
                (self.run_form, self.seed, self.tr("Seed:"))):
            form.labelForField(field).setText(text)
        for label, spin, parameter in self._sequential_labels:
            text, help_text = model_label(SEQUENTIAL, parameter)
            label.setText(self.tr("{label}:").format(label=engine_text(text)))
            spin.setToolTip(engine_text(help_text))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _component_list(self) -> QListWidget:
        """Every possible component, checkable, described for people who do not know the
        registry names."""
        widget = QListWidget(self)
        widget.setObjectName("components")
        for name in components():
            item = QListWidgetItem(name)  # the description: retranslate
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            widget.addItem(item)
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setMinimumHeight(widget.sizeHintForRow(0) * widget.count() + 8)
        widget.itemChanged.connect(self._component_toggled)
        return widget

    def _model_group(self) -> QGroupBox:
        """Which components, how they are fused, and the text encoder they read."""
        self.browse = QPushButton(self)
        self.browse.clicked.connect(self._choose_encoder)
        self.encoder_row = QHBoxLayout()
        self.encoder_row.addWidget(self.encoder, 1)
        self.encoder_row.addWidget(self.browse)
        model = QGroupBox(self)
        self.model_form = QFormLayout(model)
        for field in (self.components, self.fusion, self.encoder_row):
            self.model_form.addRow(QLabel(model), field)  # the texts: retranslate
        return model

    def _sequential_group(self) -> QGroupBox:
        """The sequential model's size and training length, labelled by its params class
        (the texts: retranslate)."""
        group = QGroupBox(self)
        group.setVisible(SEQUENTIAL in MODELS)  # shown once the model is installed
        form = QFormLayout(group)
        self._sequential_labels: list[tuple[QLabel, QSpinBox, str]] = []
        for spin, parameter in ((self.hidden, "hidden"), (self.layers, "layers"),
                                (self.epochs, "max_epochs")):
            label = QLabel(group)
            form.addRow(label, spin)
            self._sequential_labels.append((label, spin, parameter))
        return group

    def _run_group(self) -> QGroupBox:
        """The run-wide settings: list length, device, threads and seed."""
        general = QGroupBox(self)
        self.run_form = QFormLayout(general)
        for field in (self.k, self.device, self.threads, self.seed):
            self.run_form.addRow(QLabel(general), field)
        return general

    def _spin(self, low: int, high: int, step: int = 1) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        return spin

    def _choose_encoder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Text encoder folder"),
                                                  self.encoder.text() or self._prefs.last_folder)
        if folder:
            self.encoder.setText(folder)

    def _component_toggled(self, item: QListWidgetItem) -> None:
        """A newly checked component joins the end: the fusion keeps the chosen order."""
        name = item.data(Qt.ItemDataRole.UserRole)
        checked = item.checkState() == Qt.CheckState.Checked
        if checked and name not in self._order:
            self._order.append(name)
        elif not checked and name in self._order:
            self._order.remove(name)
        self._edited()

    def _edited(self) -> None:
        self._update_enabled()
        self.changed.emit()

    def _update_enabled(self) -> None:
        chosen = self.checked_components()
        self.fusion.setEnabled(len(chosen) > 1)
        self.encoder.setEnabled("semantic" in chosen)
        self.sequential.setEnabled(SEQUENTIAL in chosen)

    def checked_components(self) -> tuple[str, ...]:
        return tuple(self._order)

    def settings(self) -> RunSettings:
        """What the form says (unchecked: the caller checks it before running)."""
        def sequential(spin: QSpinBox, parameter: str) -> int | None:
            """None while the value is the model's default (or the model is missing)."""
            default = model_default(SEQUENTIAL, parameter)
            return None if default is None or spin.value() == default else spin.value()

        return RunSettings(
            components=self.checked_components(), fusion=self.fusion.currentData(),
            encoder=self.encoder.text().strip(), hidden=sequential(self.hidden, "hidden"),
            layers=sequential(self.layers, "layers"),
            epochs=sequential(self.epochs, "max_epochs"),
            k=self.k.value(), device=self.device.currentData(),
            threads=self.threads.value(), seed=self.seed.value())

    def set_settings(self, settings: RunSettings) -> None:
        widgets = [self.components, self.fusion, self.encoder, self.hidden, self.layers,
                   self.epochs, self.k, self.device, self.threads, self.seed]
        for widget in widgets:
            widget.blockSignals(True)
        listed = [self.components.item(i) for i in range(self.components.count())]
        names = {item.data(Qt.ItemDataRole.UserRole) for item in listed}
        self._order = [c for c in settings.components if c in names]
        for item in listed:
            chosen = item.data(Qt.ItemDataRole.UserRole) in self._order
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        self.fusion.setCurrentIndex(self.fusion.findData(settings.fusion))
        self.encoder.setText(settings.encoder)
        for spin, value, parameter in ((self.hidden, settings.hidden, "hidden"),
                                       (self.layers, settings.layers, "layers"),
                                       (self.epochs, settings.epochs, "max_epochs")):
            spin.setValue(value if value is not None
                          else model_default(SEQUENTIAL, parameter) or spin.minimum())
        self.k.setValue(settings.k)
        self.device.setCurrentIndex(self.device.findData(settings.device))
        self.threads.setValue(settings.threads)
        self.seed.setValue(settings.seed)
        for widget in widgets:
            widget.blockSignals(False)
        self._edited()
