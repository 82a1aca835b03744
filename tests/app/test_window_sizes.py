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


def _check_layout(window) -> None:
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

    # The transport buttons keep their words ("⏭ Forward", not "⏭ …").
    controls = window.animation_controls
    for button in (controls.forward_end_button, controls.backward_end_button):
        assert button.width() >= button.sizeHint().width(), button.text()

    # The canvas is a usable size and shows the whole graph.
    canvas = window.view.viewport()
    assert canvas.width() >= 400 and canvas.height() >= 400
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
