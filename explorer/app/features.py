"""The window's teaching features: the animation (player, controls, narrative), the
sensitivity plot, export, and framing the graph, wired to the window's actions, theme
and status bar.

A mixin of :class:`~explorer.app.window.MainWindow`. The player is made at once (the Run
actions drive it); its controls dock under the canvas. The narrative and the plot are
docks built lazily: a dock visible at launch is filled only after the window's first
paint, so pyqtgraph (about a third of a second to import) never delays the first picture.

Run keys (Space, ←, →, Home, End, Shift+End) belong to the canvas and the plot: their
actions are scoped to those two views, so arrows still move the caret in a text field,
a slider's handle and the selection in a list. The canvas keeps Space for hold-to-pan and announces a tap,
which plays. The controls and the narrative read the same keys themselves when focused.

Opening or resetting a document frames the graph, centred, at most 150%, and keeps it
framed while the window and its docks settle, until the user zooms, pans or clicks the
canvas (the window's event filter on the viewport reports those).

Imports: PySide6, explorer.animation, explorer.plot (lazily), explorer.app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDialog, QDockWidget, QWidget

from explorer.animation.controls import AnimationControls
from explorer.animation.player import Player

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import QSettings

    from explorer.animation.narrative import NarrativePanel
    from explorer.app.inspector import InspectorPanel
    from explorer.app.settings import Preferences
    from explorer.canvas.scene import GraphScene
    from explorer.canvas.view import GraphView
    from explorer.document.document import GraphDocument
    from explorer.plot.panel import SensitivityPanel
    from explorer.theme import Theme

Area = Qt.DockWidgetArea
SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
FIT_MAX_ZOOM = 1.5  # framing a small graph never blows it up past this
# Keys that mean "drive the animation" while the canvas has focus.
PLAYER_ACTIONS = ("play", "step_back", "step_forward", "to_start", "forward_end", "backward_end")


class Features:
    """Player, animation controls, narrative, sensitivity plot and export for the window."""

    document: GraphDocument
    scene: GraphScene
    view: GraphView
    prefs: Preferences
    theme: Theme
    actions: dict[str, QAction]
    panels: dict[str, QDockWidget]
    player: Player
    animation_controls: AnimationControls

    _plot: SensitivityPanel | None = None
    _narrative_panel: NarrativePanel | None = None
    _auto_fit: bool

    # ------------------------------------------------------------------ hooks the window provides
    if TYPE_CHECKING:

        def add_panel(
            self,
            widget: QWidget | Callable[[], QWidget],
            title: str,
            object_name: str,
            area: Qt.DockWidgetArea = ...,
            visible: bool = True,
        ) -> QDockWidget: ...
        def panel_widget(self, object_name: str) -> QWidget | None: ...
        def _status(self, text: str) -> None: ...
        def _update_status(self, *_: object) -> None: ...

        inspector: InspectorPanel

    # ------------------------------------------------------------------ building
    def _make_player(self) -> None:
        self.player = Player(self.document, self.scene, parent=self)  # type: ignore[arg-type]
        self.player.playing_changed.connect(self._playing_changed)
        self.player.speed_changed.connect(self._speed_changed)
        self.player.position_changed.connect(self._position_changed)

    def _install_features(self) -> None:
        """The Run keys on the canvas, then the docks in their first-run places.

        First run: the narrative is a tab beside the inspector (raised), the plot below
        them on the right, and the transport controls in a slim strip under the canvas.
        A saved layout replaces all of this when the window restores its state.
        """
        window: QWidget = self  # type: ignore[assignment]
        for key in PLAYER_ACTIONS:
            action = self.actions[key]
            window.removeAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)

        self.animation_controls = AnimationControls(self.player)
        self.animation_controls.setObjectName("animationControls")
        controls = self.add_panel(
            self.animation_controls, "Animation", "animationDock", Area.BottomDockWidgetArea
        )
        controls.setFeatures(controls.features() & ~QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        controls.setTitleBarWidget(QWidget(controls))  # a slim strip: the buttons say what it is

        # Right column: inspector above the plot (docks in one area stack), then the
        # narrative as a tab of the inspector's place.
        inspector = self.panels["inspectorDock"]
        self.add_panel(self._make_sensitivity, "Sensitivity", "sensitivityDock", Area.RightDockWidgetArea)
        narrative = self.add_panel(
            self._make_narrative, "Chain Rule", "narrativeDock", Area.RightDockWidgetArea
        )
        self.tabifyDockWidget(inspector, narrative)  # type: ignore[attr-defined]
        narrative.raise_()

    def _make_narrative(self) -> QWidget:
        from explorer.animation.narrative import NarrativePanel  # follows the scene's theme itself

        panel = NarrativePanel(self.document, self.player, self.theme)
        panel.setObjectName("narrativePanel")
        panel.predict.reveal_changed.connect(self._hide_secret_slope)
        panel.predict.reveal_changed.connect(self._hide_secret_gradients)
        # Forward mode would print the asked-for gradient on the output's card: not while predicting.
        panel.predict_check.toggled.connect(self._predict_toggled)
        self.inspector.hides_gradient = panel.predict.hides_gradient
        self._narrative_panel = panel
        ids = self.scene.selected_node_ids()
        panel.show_node(ids[0] if len(ids) == 1 else None)
        return panel

    def _make_sensitivity(self) -> QWidget:
        from explorer.plot.panel import SensitivityPanel

        panel = SensitivityPanel(self.document)
        panel.set_theme(self.theme)
        self.theme_changed.connect(panel.set_theme)  # type: ignore[attr-defined]
        panel.message.connect(self._status)
        # A click on the plot focuses it; Space and the arrows should still drive the passes.
        panel.view.addActions([self.actions[key] for key in PLAYER_ACTIONS])
        self.scene.selection_changed_ids.connect(self._plot_follows_selection)
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            panel.set_selected_node(ids[0])
        self._plot = panel
        panel.input_changed.connect(lambda _id: self._hide_secret_slope())
        self._hide_secret_slope()
        return panel

    @property
    def narrative(self) -> NarrativePanel:
        """The narrative panel (built now if its dock has not been shown yet)."""
        return self.panel_widget("narrativeDock")  # type: ignore[return-value]

    @property
    def sensitivity(self) -> SensitivityPanel:
        """The sensitivity plot (built now if its dock has not been shown yet)."""
        return self.panel_widget("sensitivityDock")  # type: ignore[return-value]

    def _hide_secret_slope(self) -> None:
        """Predict mode: the plot's slope is x's gradient, so it waits until that is revealed."""
        narrative, plot = self._narrative_panel, self._plot
        if narrative is None or plot is None:
            return
        plot.set_slope_hidden(narrative.predict.hides_gradient(plot.input_id))

    def _hide_secret_gradients(self) -> None:
        self.inspector.refresh()
        self._update_status()

    def _predict_toggled(self, on: bool) -> None:
        narrative = self._narrative_panel
        if narrative is None:
            return
        forward = narrative.forward_mode_check
        if on:
            forward.setChecked(False)
        forward.setEnabled(not on)
        forward.setToolTip(
            "Off while predicting: tangents would show the answers"
            if on
            else "Show d(node)/d(input) on every node, flowing forward"
        )

    def _plot_follows_selection(self, ids: list[str]) -> None:
        if self._plot is not None:
            self._plot.set_selected_node(ids[0] if len(ids) == 1 else None)

    # ------------------------------------------------------------------ run menu
    def add_speed_actions(self, group: QActionGroup) -> list[QAction]:
        actions = []
        for speed in SPEEDS:
            action = QAction(f"{speed:g} step{'s' if speed != 1 else ''} per second", group)
            action.setObjectName(f"action_speed_{speed:g}")
            action.setCheckable(True)
            action.setChecked(speed == self.player.speed)
            action.triggered.connect(lambda _=False, s=speed: self.player.set_speed(s))
            self.actions[f"speed_{speed:g}"] = action
            actions.append(action)
        return actions

    def toggle_play(self) -> None:
        self.player.toggle_play()

    def _playing_changed(self, playing: bool) -> None:
        action = self.actions["play"]
        action.setText("&Pause" if playing else "&Play")
        action.setIconText("Pause" if playing else "Play")

    def _speed_changed(self, speed: float) -> None:
        for value in SPEEDS:
            self.actions[f"speed_{value:g}"].setChecked(value == speed)

    def _position_changed(self, _position: int) -> None:
        p = self.player
        has = p.count > 0
        self.actions["play"].setEnabled(has)
        self.actions["step_forward"].setEnabled(has and (p.is_idle or p.position < p.count))
        self.actions["step_back"].setEnabled(has and (p.is_idle or p.position > 0))
        for key in ("to_start", "forward_end", "backward_end"):
            self.actions[key].setEnabled(has)

    # ------------------------------------------------------------------ framing
    def fit_view(self, keep_fitting: bool = False) -> None:
        """Frame the whole graph, centred, at most 150%; with ``keep_fitting`` stay framed
        through resizes (docks settling, the window maximised) until the user moves the view."""
        self.view.fit_all()
        if self.view.zoom > FIT_MAX_ZOOM:
            self.view.set_zoom(FIT_MAX_ZOOM)  # about the centre, which fit_all just placed
        if keep_fitting:
            self._auto_fit = True

    def fit_all(self) -> None:
        self.fit_view()

    def zoom_100(self) -> None:
        self._auto_fit = False
        self.view.zoom_100()

    def zoom_in(self) -> None:
        self._auto_fit = False
        self.view.zoom_by(1.25)

    def zoom_out(self) -> None:
        self._auto_fit = False
        self.view.zoom_by(0.8)

    def _refit(self) -> None:
        if self._auto_fit:
            self.fit_view()

    # ------------------------------------------------------------------ export
    def export_dialog(self) -> bool:
        """File → Export…: the dialog on this document; True when a file was written."""
        from explorer.app.export_dialog import ExportDialog

        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        dialog = ExportDialog(self.document, self._export_settings(), QRectF(visible), self)  # type: ignore[arg-type]
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.exported_path is None:
                return False
            self._status(f"Exported {dialog.exported_path.name}")
            return True
        finally:
            dialog.deleteLater()

    def copy_diagram(self) -> bool:
        """Edit → Copy Diagram: the whole graph as an image (and SVG) on the clipboard."""
        from explorer.app.export_dialog import copy_diagram
        from explorer.graph.model import GraphError
        from explorer.io.export import ExportError

        if not len(self.document.graph):
            self._status("Nothing to copy: the graph is empty")
            return False
        try:
            copy_diagram(self.document, self._export_settings())
        except (ExportError, GraphError) as error:
            self._status(f"Cannot copy the diagram: {error}")
            return False
        self._status("Copied the diagram to the clipboard")
        return True

    def _export_settings(self) -> QSettings:
        return self.prefs.qsettings
