"""File ▸ New from Template…: a neuron, an MLP on typed data, or the lesson's network.

The dialog only collects choices; the graphs come from the pure generators in
:mod:`explorer.graph.templates`. Every field is checked as it is typed, with one line
saying what is wrong and a preview of the size ("324 nodes, 37 trainable parameters"),
and OK stays disabled until the choice builds. The new graph opens as an untitled
document (after the usual question about unsaved changes), with its weights trainable,
so the Train dock is ready.

Data rows are typed one per line, inputs then the target: ``2, 3, 1`` or ``2 3 → 1``.
"Group layers as functions" (on by default) builds each neuron, row error and softmax
as a call of one reusable box (the same numbers: see :mod:`explorer.graph.templates_grouped`).

Imports: PySide6, explorer.graph, explorer.app (the window, for opening the graph).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.graph.functions import flatten
from explorer.graph.model import Graph, GraphError
from explorer.graph.templates import (
    ACTIVATIONS,
    MICROGRAD_XS,
    MICROGRAD_YS,
    lesson_network,
    mlp,
    neuron,
)
from explorer.graph.training import trainable_parameters

if TYPE_CHECKING:
    from explorer.app.window import MainWindow

KINDS = (
    ("neuron", "A neuron: tanh(w·x + b), as in micrograd"),
    ("mlp", "An MLP with a squared-error loss over data rows"),
    ("lesson", "The lesson's network: embedding → linear → relu → linear → softmax → loss"),
)
MAX_ROWS = 64
DATA_SETS: dict[str, tuple[int, str]] = {  # name -> (inputs, rows as typed)
    "micrograd's four points": (2, "2, 3, 1\n3, -1, -1\n0.5, 1, -1\n1, 1, 1"),
    "XOR (±1)": (2, "-1, -1, -1\n-1, 1, 1\n1, -1, 1\n1, 1, -1"),
    "a sine wave, 6 samples": (
        1,
        "\n".join(f"{x:g}, {math.sin(x):.3f}" for x in (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)),
    ),
}
_SPLIT = re.compile(r"[,;\s→]+|->")


def parse_rows(text: str, n_inputs: int) -> tuple[list[list[float]], list[float]]:
    """Data rows from text, one per line: ``n_inputs`` numbers, then the target."""
    xs: list[list[float]] = []
    ys: list[float] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [c for c in _SPLIT.split(line.strip()) if c]
        if not cells:
            continue
        try:
            values = [float(c.replace("−", "-")) for c in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_number(c))
            raise GraphError(f"data line {number}: {bad!r} is not a number") from None
        if any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise GraphError(f"data line {number}: numbers must be finite")
        if len(values) != n_inputs + 1:
            raise GraphError(
                f"data line {number}: expected {n_inputs + 1} numbers "
                f"({n_inputs} input{'s' if n_inputs != 1 else ''}, then the target), got {len(values)}"
            )
        xs.append(values[:-1])
        ys.append(values[-1])
    if not xs:
        raise GraphError("type at least one data row")
    if len(xs) > MAX_ROWS:
        raise GraphError(f"at most {MAX_ROWS} data rows (the network is copied once per row)")
    return xs, ys


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def parse_sizes(text: str) -> list[int]:
    """Layer sizes such as ``4, 4, 1``."""
    cells = [c for c in _SPLIT.split(text.strip()) if c]
    if not cells:
        raise GraphError("type the layer sizes, for example 4, 4, 1")
    sizes = []
    for c in cells:
        if not c.isdigit() or not 1 <= int(c) <= 64:
            raise GraphError(f"layer size {c!r} must be a whole number from 1 to 64")
        sizes.append(int(c))
    return sizes


class TemplateDialog(QDialog):
    """Pick a template and its options; :meth:`graph` builds it."""

    def __init__(self, parent: QWidget | None = None, error_colour: str = "#c0392b") -> None:
        super().__init__(parent)
        self._error_colour = error_colour
        self.setWindowTitle("New from Template")
        self.setObjectName("templateDialog")
        self.kind = QComboBox()
        self.kind.setObjectName("templateKind")
        for key, text in KINDS:
            self.kind.addItem(text, key)
        self.pages = QStackedWidget()

        # neuron
        neuron_page = QWidget()
        form = QFormLayout(neuron_page)
        self.neuron_target = QLineEdit("1.0")
        self.neuron_target.setObjectName("neuronTarget")
        form.addRow("Target for o", self.neuron_target)
        form.addRow(QLabel("x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8814: micrograd's numbers."))

        # mlp
        mlp_page = QWidget()
        form = QFormLayout(mlp_page)
        self.mlp_inputs = QSpinBox()
        self.mlp_inputs.setObjectName("mlpInputs")
        self.mlp_inputs.setRange(1, 16)
        self.mlp_inputs.setValue(2)
        self.mlp_layers = QLineEdit("4, 4, 1")
        self.mlp_layers.setObjectName("mlpLayers")
        self.mlp_activation = QComboBox()
        self.mlp_activation.setObjectName("mlpActivation")
        self.mlp_activation.addItems(list(ACTIVATIONS))
        rows = zip(MICROGRAD_XS, MICROGRAD_YS, strict=True)
        self.mlp_data = QPlainTextEdit("\n".join(", ".join(f"{v:g}" for v in (*x, y)) for x, y in rows))
        self.mlp_data.textChanged.connect(self._data_typed)
        self.mlp_data.setObjectName("mlpData")
        self.mlp_data.setToolTip("One row per line: the inputs, then the target")
        self.mlp_preset = QComboBox()
        self.mlp_preset.setObjectName("mlpPreset")
        self.mlp_preset.addItem("(typed below)")
        self.mlp_preset.addItems(list(DATA_SETS))
        self.mlp_preset.activated.connect(self._preset_chosen)
        self.mlp_seed = QSpinBox()
        self.mlp_seed.setObjectName("mlpSeed")
        self.mlp_seed.setRange(0, 1_000_000)
        self.mlp_seed.setValue(14)  # micrograd_mlp's: a smooth descent at lr 0.05
        form.addRow("Inputs", self.mlp_inputs)
        form.addRow("Layer sizes", self.mlp_layers)
        form.addRow("Activation", self.mlp_activation)
        form.addRow("Data set", self.mlp_preset)
        form.addRow("Data (x…, y)", self.mlp_data)
        form.addRow("Random seed", self.mlp_seed)

        # lesson
        lesson_page = QWidget()
        form = QFormLayout(lesson_page)
        self.lesson_embedding = self._spin("lessonEmbedding", 1, 8, 2)
        self.lesson_hidden = self._spin("lessonHidden", 1, 16, 3)
        self.lesson_classes = self._spin("lessonClasses", 2, 10, 3)
        self.lesson_target = self._spin("lessonTarget", 0, 9, 0)
        form.addRow("Embedding size", self.lesson_embedding)
        form.addRow("Hidden units", self.lesson_hidden)
        form.addRow("Classes (logits)", self.lesson_classes)
        form.addRow("Right answer (class)", self.lesson_target)

        for page in (neuron_page, mlp_page, lesson_page):
            self.pages.addWidget(page)
        self.group_functions = QCheckBox("&Group layers as functions")
        self.group_functions.setObjectName("templateFunctions")
        self.group_functions.setChecked(True)
        self.group_functions.setToolTip(
            "Each neuron (and each row's error, the softmax) is one box, the same box at every "
            "call: open one to see inside. Off: every multiply and add is its own card."
        )
        self.preview = QLabel()
        self.preview.setObjectName("templatePreview")
        self.preview.setWordWrap(True)
        choice = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.pages)
        layout.addWidget(self.group_functions)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        for signal in (
            self.kind.currentIndexChanged,
            self.neuron_target.textChanged,
            self.mlp_inputs.valueChanged,
            self.mlp_layers.textChanged,
            self.mlp_activation.currentIndexChanged,
            self.mlp_data.textChanged,
            self.mlp_seed.valueChanged,
            self.lesson_embedding.valueChanged,
            self.lesson_hidden.valueChanged,
            self.lesson_classes.valueChanged,
            self.lesson_target.valueChanged,
            self.group_functions.toggled,
        ):
            signal.connect(self._update)
        self._update()

    def _data_typed(self) -> None:
        name = self.mlp_preset.currentText()
        if name in DATA_SETS and DATA_SETS[name][1] != self.mlp_data.toPlainText():
            self.mlp_preset.setCurrentIndex(0)  # edited by hand: no longer the preset

    def _preset_chosen(self, index: int) -> None:
        name = self.mlp_preset.itemText(index)
        if name in DATA_SETS:
            inputs, rows = DATA_SETS[name]
            self.mlp_inputs.setValue(inputs)
            self.mlp_data.setPlainText(rows)

    def _spin(self, name: str, lo: int, hi: int, value: int) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setRange(lo, hi)
        box.setValue(value)
        return box

    def select(self, key: str) -> None:
        self.kind.setCurrentIndex([k for k, _ in KINDS].index(key))

    def graph(self) -> Graph:
        """The chosen template, built; GraphError says what is wrong with the choices."""
        key = self.kind.currentData()
        grouped = self.group_functions.isChecked()
        if key == "neuron":
            text = self.neuron_target.text().strip().replace("−", "-")
            if not _is_number(text) or float(text) != float(text) or abs(float(text)) == float("inf"):
                raise GraphError(f"target {text!r} is not a finite number")
            return neuron(target=float(text), functions=grouped)
        if key == "mlp":
            n = self.mlp_inputs.value()
            sizes = parse_sizes(self.mlp_layers.text())
            xs, ys = parse_rows(self.mlp_data.toPlainText(), n)
            activation = self.mlp_activation.currentText()
            return mlp(n, sizes, xs, ys, activation, self.mlp_seed.value(), functions=grouped)
        classes = self.lesson_classes.value()
        if self.lesson_target.value() >= classes:
            raise GraphError(f"the right answer must be a class from 0 to {classes - 1}")
        return lesson_network(
            self.lesson_embedding.value(),
            self.lesson_hidden.value(),
            classes,
            self.lesson_target.value(),
            functions=grouped,
        )

    def _update(self, *_: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            g = self.graph()
        except GraphError as error:
            self.preview.setText(f"⚠ {error}")
            self.preview.setStyleSheet(f"color: {self._error_colour};")
            ok.setEnabled(False)
            return
        params = len(trainable_parameters(g))
        text = f"{len(g)} nodes, {params} trainable parameter{'s' if params != 1 else ''}"
        if g.functions:
            boxes = len(g.functions)
            text += f"; {boxes} function{'s' if boxes != 1 else ''}, {len(flatten(g)[0])} nodes written out"
        self.preview.setText(text + ".")
        self.preview.setStyleSheet("")
        ok.setEnabled(True)


def open_template(window: MainWindow, graph: Graph) -> bool:
    """Show ``graph`` as a new untitled document (after asking about unsaved changes)."""
    if not window.maybe_save():
        return False
    window.example_title = graph.title or "Template"
    window.document.reset(graph, None)
    window._document_replaced()
    window._status(f"New from template: {window.example_title}")
    return True


def new_from_template(window: MainWindow) -> TemplateDialog:
    """Open the dialog (window-modal); OK opens the built graph."""
    dialog = TemplateDialog(window, window.theme.error)

    def accepted() -> None:
        try:
            graph = dialog.graph()
        except GraphError as error:  # pragma: no cover - OK is disabled while this is so
            window._status(str(error))
            return
        open_template(window, graph)

    dialog.accepted.connect(accepted)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def install_template_action(window: MainWindow) -> QAction:
    """File ▸ New from Template…, right after File ▸ New."""
    action = QAction("New from &Template…", window)
    action.setObjectName("action_new_template")
    action.setStatusTip("A neuron, an MLP on your data, or the lesson's network, ready to train")
    action.triggered.connect(lambda: new_from_template(window))
    window.actions["new_template"] = action
    new = window.actions["new"]
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is not None and new in menu.actions():
            items = menu.actions()
            after = items.index(new) + 1
            menu.insertAction(items[after] if after < len(items) else None, action)  # type: ignore[arg-type]
            break
    return action
