"""The run configuration form: components, fusion, text encoder, sequential model size,
K, device, threads and seed, read from and written to a :class:`RunSettings`."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from engine.models import MODELS
from ui.preferences import Preferences
from ui.run_settings import SEQUENTIAL, RunSettings, components, model_default, model_label

#: What each component is, for people who do not know the registry names.
DESCRIPTIONS = {
    "pop": "Popularity", "itemknn": "Item k-NN", "itemknn-bm25": "Item k-NN, BM25 weights",
    "als": "ALS matrix factorisation", "ease": "EASE linear autoencoder",
    "cooc": "Next-item co-occurrence", "semantic": "Text encoder profile",
    "word2vec": "Word2vec text profile", "item2vec": "Item2vec session model",
    "sequential": "Sequential transformer",
}
FUSION_LABELS = {"learned": "Learned gate per user", "fixed": "Fixed weights",
                 "rrf": "Reciprocal-rank fusion"}
DEVICE_LABELS = {"auto": "Auto (GPU when present)", "cpu": "CPU", "cuda": "GPU (CUDA)"}


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
        self.fusion.setToolTip("How several components are combined (one component runs alone)")
        self.encoder = QLineEdit(self)
        self.encoder.setPlaceholderText("auto: all-MiniLM-L6-v2, multilingual for non-Latin text")
        self.encoder.setToolTip("Empty or auto: the packaged all-MiniLM-L6-v2 for a catalogue in "
                                "Latin script, the packaged multilingual encoder otherwise (the "
                                "run log says which); minilm, multilingual, or a local Hugging "
                                "Face encoder folder. Nothing is downloaded.")
        self.hidden = self._spin(16, 1024, 16)
        self.layers = self._spin(1, 12)
        self.epochs = self._spin(1, 1000)
        self.sequential = self._sequential_group()
        self.k = self._spin(1, 500)
        self.k.setToolTip("Length of every user's recommendation list")
        self.device = QComboBox(self)
        for key, label in DEVICE_LABELS.items():
            self.device.addItem(label, key)
        self.threads = self._spin(0, 256)
        self.threads.setSpecialValueText("default")
        self.seed = self._spin(0, 2**31 - 1)
        self.defaults = QPushButton("Restore defaults", self)
        self.defaults.clicked.connect(lambda: self.set_settings(RunSettings()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._model_group())
        layout.addWidget(self.sequential)
        layout.addWidget(self._run_group())
        layout.addWidget(self.defaults, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        for signal in (self.fusion.currentIndexChanged, self.encoder.textChanged,
                       self.hidden.valueChanged, self.layers.valueChanged,
                       self.epochs.valueChanged, self.k.valueChanged,
                       self.device.currentIndexChanged, self.threads.valueChanged,
                       self.seed.valueChanged):
            signal.connect(self._edited)
        self.set_settings(RunSettings.from_dict(prefs.run_settings))

    def _component_list(self) -> QListWidget:
        """Every possible component, checkable, described for people who do not know the
        registry names."""
        widget = QListWidget(self)
        widget.setObjectName("components")
        for name in components():
            horizon = MODELS[name].horizon
            item = QListWidgetItem(f"{DESCRIPTIONS.get(name, name)}, {horizon}-term")
            item.setToolTip(f"registry name {name!r}; describes the user's {horizon}-term "
                            "interests")
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
        browse = QPushButton("Browse...", self)
        browse.clicked.connect(self._choose_encoder)
        encoder_row = QHBoxLayout()
        encoder_row.addWidget(self.encoder, 1)
        encoder_row.addWidget(browse)
        model = QGroupBox("Model", self)
        form = QFormLayout(model)
        form.addRow("Components:", self.components)
        form.addRow("Fusion:", self.fusion)
        form.addRow("Text encoder:", encoder_row)
        return model

    def _sequential_group(self) -> QGroupBox:
        """The sequential model's size and training length, labelled by its params class."""
        group = QGroupBox("Sequential model", self)
        group.setVisible(SEQUENTIAL in MODELS)  # shown once the model is installed
        form = QFormLayout(group)
        for spin, parameter in ((self.hidden, "hidden"), (self.layers, "layers"),
                                (self.epochs, "max_epochs")):
            label, help_text = model_label(SEQUENTIAL, parameter)
            spin.setToolTip(help_text)
            form.addRow(f"{label}:", spin)
        return group

    def _run_group(self) -> QGroupBox:
        """The run-wide settings: list length, device, threads and seed."""
        general = QGroupBox("Run", self)
        form = QFormLayout(general)
        form.addRow("List length K:", self.k)
        form.addRow("Device:", self.device)
        form.addRow("CPU threads:", self.threads)
        form.addRow("Seed:", self.seed)
        return general

    def _spin(self, low: int, high: int, step: int = 1) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        return spin

    def _choose_encoder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Text encoder folder",
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
