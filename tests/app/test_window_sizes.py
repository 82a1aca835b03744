"""The window at a small laptop size (1024×700) and at full HD (1920×1080): screenshots of
the real window, and the geometry behind them checked, so that nothing is cut or squeezed.

Each test takes its screenshot into its temporary folder (look at them with
``pytest --basetemp=/tmp/shots``) and then measures what a person would see: the window
really is that size, every dock lies inside it, the plot's axes and legend lie inside the
plot's dock, the palette shows every title whole without a horizontal scroll bar, the Steps
list shows four steps, and the canvas shows the whole graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtWidgets import QApplication, QWidget

from explorer.app.examples import examples_dir
from explorer.bundled import lessons_dir

SIZES = [(1024, 700), (1920, 1080)]


def _settle(window, qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.waitUntil(lambda: window.panel_widget("sensitivityDock") is not None)
    for _ in range(3):
        QApplication.processEvents()


def _global(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _scene_item_rect(view, item) -> QRect:
    """An item of the plot's graphics scene, in global screen pixels."""
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return QRect(view.mapToGlobal(rect.topLeft()), rect.size())


def _check_layout(window, canvas_height: int = 400) -> None:
    inside = _global(window)
    for name, dock in window.panels.items():
        if (
            dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty()
        ):  # not a hidden tab
            assert inside.contains(_global(dock)), f"{name} sticks out of the window"

    # The plot fits its dock: axes, plots and legend inside the dock, none cut.
    plot = window.sensitivity
    dock = _global(window.panels["sensitivityDock"])
    view = plot.view
    for item in (
        view.legend,
        view.y_plot.getAxis("left"),
        view.y_plot.getAxis("bottom"),
        view.dy_plot.getAxis("left"),
        view.dy_plot.getAxis("bottom"),
        view.y_plot.getViewBox(),
        view.dy_plot.getViewBox(),
    ):
        rect = _scene_item_rect(view, item)
        assert dock.adjusted(-1, -1, 1, 1).contains(rect), f"{type(item).__name__} {rect} is outside {dock}"
    assert view.ci.geometry().width() <= view.width() + 1  # the layout is not wider than the view
    # The readout ("x = 3   loss = 49   d(loss)/dx = 28") ends inside the dock, not cut off.
    assert view.readout.fits(), view.readout.text()
    assert dock.adjusted(-1, -1, 1, 1).contains(_scene_item_rect(view, view.readout))
    assert _scene_item_rect(view, view.y_plot.getViewBox()).height() >= 45  # a curve has room
    assert _scene_item_rect(view, view.dy_plot.getViewBox()).height() >= 30

    # The palette: every title whole, no horizontal scroll bar.
    palette = window.palette
    assert not palette.horizontalScrollBar().isVisible()
    metrics = palette.fontMetrics()
    for item in palette.op_items().values():
        shown = palette.visualItemRect(item)
        assert palette.columnWidth(1) >= metrics.horizontalAdvance(item.text(1)), item.text(1)
        assert shown.right() <= palette.viewport().width() + 1

    # The Steps list shows at least four steps.
    steps = window.narrative.steps_list
    assert steps.isVisible()
    assert steps.viewport().height() >= 4 * steps.sizeHintForRow(0)
    # ... and none of it is cut off by the dock's edge (a wrapped nudge line pushed it down).
    narrative_dock = window.panels["narrativeDock"]
    bottom = steps.viewport().mapTo(narrative_dock, QPoint(0, steps.viewport().height())).y()
    assert bottom <= narrative_dock.height(), (bottom, narrative_dock.height())

    # The transport buttons keep their words ("⏭ Forward", not "⏭ …").
    controls = window.animation_controls
    for button in (controls.forward_end_button, controls.backward_end_button):
        assert button.width() >= button.sizeHint().width(), button.text()

    # The canvas is a usable size and shows the whole graph.
    canvas = window.view.viewport()
    assert canvas.width() >= 400 and canvas.height() >= canvas_height
    shown = window.view.mapToScene(canvas.rect()).boundingRect()
    assert shown.contains(window.scene.nodes_rect())


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_window_fits_and_nothing_is_cut(
    width: int, height: int, make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    assert window.open_file(examples_dir() / "lesson_loss.json")
    window.resize(width, height)
    _settle(window, qtbot)
    window.grab().save(str(tmp_path / f"window-{width}x{height}.png"))
    assert (window.width(), window.height()) == (width, height)  # the docks' minimum sizes allow it
    _check_layout(window)


def test_shrinking_and_growing_back_keeps_everything_whole(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    assert window.open_file(examples_dir() / "lesson_loss.json")
    window.resize(1440, 900)
    _settle(window, qtbot)
    # A click on the canvas (selecting, say) must not stop the graph being kept whole.
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(6, 6))
    for size in ((1024, 700), (1920, 1080), (1024, 700)):
        window.resize(*size)
        _settle(window, qtbot)
        qtbot.waitUntil(
            lambda: (
                window.view.mapToScene(window.view.viewport().rect())
                .boundingRect()
                .contains(window.scene.nodes_rect())
            )
        )
        _check_layout(window)
    window.grab().save(str(tmp_path / "window-shrunk-again.png"))
    assert QRectF(window.scene.nodes_rect()).isValid()


def test_with_nothing_to_plot_the_readout_is_one_remark_that_fits(make_window, qtbot) -> None:
    """An empty graph (the welcome page's canvas) said "x = undefined  y = undefined  dy/dx = un",
    cut at the dock's edge, above "Add an input node…": now only the remark, whole."""
    window = make_window()
    window.resize(1024, 700)
    _settle(window, qtbot)
    readout = window.sensitivity.view.readout
    assert "undefined" not in readout.text()
    assert "input" in readout.text().lower()
    assert readout.fits()


def _visible_window_tab_bars(window) -> list[list[str]]:
    from PySide6.QtWidgets import QTabBar

    return [
        [bar.tabText(i) for i in range(bar.count())]
        for bar in window.findChildren(QTabBar)
        if bar.parentWidget() is window and bar.isVisible() and window.rect().intersects(bar.geometry())
    ]


def test_a_lesson_in_a_small_window_sits_under_a_readable_canvas(make_window, qtbot, tmp_path: Path) -> None:
    """1024×700: beside the canvas the lesson left 330 px for a graph (cards at zoom 0.45, no
    numbers drawn); under it, in two columns, the three-node graph is drawn with its numbers."""
    from PySide6.QtCore import Qt

    from explorer.canvas import style as st

    window = make_window()
    window.resize(1024, 700)
    _settle(window, qtbot)
    assert window.open_lesson(lessons_dir() / "01_chain_rule.md")
    dock = window.panels["lessonDock"]
    panel = dock.widget()
    panel.go_to_step(7)  # the three-node example: five cards, four columns
    _settle(window, qtbot)
    window.grab().save(str(tmp_path / "lesson-1024x700.png"))
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert panel.two_columns
    _check_layout(window, canvas_height=300)  # the lesson's rows take the rest
    assert window.view.zoom >= st.LOD_DETAIL  # value and grad rows fully drawn
    canvas = window.view.viewport()
    assert window.view.mapToScene(canvas.rect()).boundingRect().contains(window.scene.nodes_rect())
    for button in (panel.next_button, panel.back_button, panel.show_button, panel.check_button):
        assert button.isVisible() and button.width() >= button.sizeHint().width(), button.text()
    controls = window.animation_controls
    for button in (controls.forward_end_button, controls.backward_end_button):
        assert button.width() >= button.sizeHint().width(), button.text()
    assert all("Train" not in bar for bar in _visible_window_tab_bars(window))
    assert (window.width(), window.height()) == (1024, 700)
    assert not window.panels["paletteDock"].isVisible()  # it stepped aside for the canvas
    dock.close()
    assert window.panels["paletteDock"].isVisible()  # and comes back with the lesson closed


def test_a_lesson_in_a_large_window_sits_beside_the_canvas_in_one_column(make_window, qtbot) -> None:
    from PySide6.QtCore import Qt

    window = make_window()
    window.resize(1440, 900)
    _settle(window, qtbot)
    assert window.open_lesson(lessons_dir() / "01_chain_rule.md")
    _settle(window, qtbot)
    dock = window.panels["lessonDock"]
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert not dock.widget().two_columns


def test_the_train_tab_appears_only_with_a_trainable_graph(make_window, qtbot) -> None:
    """A hidden Train dock was tabbed beside the plot at start-up: Qt left its
    "Sensitivity | Train" tab bar visible at a stale place (over the lesson, later)."""
    window = make_window()
    window.resize(1024, 700)
    _settle(window, qtbot)
    train = window.panels["trainDock"]
    assert not train.isVisible()
    assert all("Train" not in bar for bar in _visible_window_tab_bars(window))
    assert window.open_file(examples_dir() / "micrograd_mlp.json")
    _settle(window, qtbot)
    assert train.isVisible()
    assert ["Sensitivity", "Train"] in _visible_window_tab_bars(window)
    assert (window.width(), window.height()) == (1024, 700)  # the docks' minimum sizes allow it
    window.panels["sensitivityDock"].raise_()  # the plot's tab, to measure it
    _settle(window, qtbot)
    _check_layout(window)


def test_a_side_label_shows_only_where_the_plot_is_tall_enough(make_window, qtbot) -> None:
    """In a short plot the upright "d(loss)/da" ran into the "loss" label above it."""
    window = make_window()
    assert window.open_file(examples_dir() / "lesson_loss.json")
    for height, shown in ((700, False), (1080, True)):
        window.resize(1920, height)
        _settle(window, qtbot)
        view = window.sensitivity.view
        axis = view.dy_plot.getAxis("left")
        qtbot.waitUntil(lambda axis=axis, shown=shown: axis.label.isVisible() == shown)
        assert view.y_plot.getAxis("left").label.isVisible()  # "loss" fits its taller plot
