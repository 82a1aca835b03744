"""Application-wide look: a Fusion palette and a small style sheet built from explorer.theme.

The canvas paints itself from the same Theme, so panels, menus and the graph agree in
light and dark. Large-font mode scales the application font (and with it every panel and
dialog) for projector use; the canvas scales its own text.

Imports: PySide6.QtGui/QtWidgets, explorer.theme.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from explorer.bundled import resource_path
from explorer.theme import Theme

LARGE_FONT_SCALE = 1.35

# Widget chrome colours that explorer.theme does not need (it describes the canvas only).
_CHROME = {
    "light": {
        "window": "#eceef1",
        "base": "#ffffff",
        "alternate": "#f4f5f7",
        "button": "#f6f7f9",
        "border": "#c9ced6",
        "highlight": "#2f6db5",
        "highlight_text": "#ffffff",
        "tooltip": "#ffffdc",
        "header": "#e2e5ea",
    },
    "dark": {
        "window": "#23272e",
        "base": "#1b1e23",
        "alternate": "#262a31",
        "button": "#2d323a",
        "border": "#3a414b",
        "highlight": "#3b6ea5",
        "highlight_text": "#ffffff",
        "tooltip": "#2d323a",
        "header": "#2b3038",
    },
}

_base_point_size: float | None = None
# A white tick for checked boxes (Fusion's own box all but vanishes on a dark palette).
_CHECK_ICON = resource_path("icons", "check.svg")


def chrome(theme: Theme) -> dict[str, str]:
    return _CHROME.get(theme.name, _CHROME["light"])


def make_palette(theme: Theme) -> QPalette:
    c = chrome(theme)
    text, muted = QColor(theme.text), QColor(theme.muted_text)
    p = QPalette()
    role = QPalette.ColorRole
    p.setColor(role.Window, QColor(c["window"]))
    p.setColor(role.WindowText, text)
    p.setColor(role.Base, QColor(c["base"]))
    p.setColor(role.AlternateBase, QColor(c["alternate"]))
    p.setColor(role.ToolTipBase, QColor(c["tooltip"]))
    p.setColor(role.ToolTipText, text)
    p.setColor(role.PlaceholderText, muted)
    p.setColor(role.Text, text)
    p.setColor(role.Button, QColor(c["button"]))
    p.setColor(role.ButtonText, text)
    p.setColor(role.BrightText, QColor(theme.error))
    p.setColor(role.Highlight, QColor(c["highlight"]))
    p.setColor(role.HighlightedText, QColor(c["highlight_text"]))
    p.setColor(role.Link, QColor(theme.value))
    p.setColor(role.Mid, QColor(c["border"]))
    p.setColor(role.Dark, QColor(c["border"]).darker(130))
    p.setColor(role.Light, QColor(c["base"]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, muted)
    return p


def style_sheet(theme: Theme) -> str:
    c = chrome(theme)
    check = f' image: url("{_CHECK_ICON.as_posix()}");' if _CHECK_ICON.is_file() else ""
    return f"""
QMainWindow::separator {{ background: {c["border"]}; width: 1px; height: 1px; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{
    background: {c["header"]}; padding: 5px 8px; border-bottom: 1px solid {c["border"]};
}}
QToolBar {{ background: {c["window"]}; border: none; border-bottom: 1px solid {c["border"]};
    spacing: 2px; padding: 2px 4px; }}
QToolBar QToolButton {{ padding: 3px 7px; border-radius: 4px; }}
QToolBar QToolButton:hover {{ background: {c["header"]}; }}
QToolBar QToolButton:checked {{ background: {c["header"]}; }}
QToolBar::separator {{ background: {c["border"]}; width: 1px; margin: 4px 6px; }}
QStatusBar {{ background: {c["window"]}; border-top: 1px solid {c["border"]}; }}
QStatusBar::item {{ border: none; }}
QLabel#sectionTitle {{ color: {theme.muted_text}; font-weight: 600; }}
QLabel#diagnostics {{ color: {theme.error}; }}
QLabel#valueText {{ color: {theme.value}; font-weight: 600; }}
QLabel#gradText {{ color: {theme.grad}; font-weight: 600; }}
QTreeWidget#palette {{ border: none; }}
QTreeWidget#palette::item {{ padding: 3px 2px; }}
QLabel#paletteHint {{ color: {theme.muted_text}; border-top: 1px solid {c["border"]}; }}
QRadioButton::indicator {{ width: 12px; height: 12px; border-radius: 7px;
    border: 1px solid {theme.muted_text}; background: {c["base"]}; }}
QRadioButton::indicator:checked {{ border: 4px solid {c["highlight"]}; width: 6px; height: 6px; }}
QFrame#inspectorCard {{ background: {c["base"]}; border: 1px solid {c["border"]}; border-radius: 6px; }}
QCheckBox::indicator {{ width: 12px; height: 12px; border-radius: 3px;
    border: 1px solid {theme.muted_text}; background: {c["base"]}; }}
QCheckBox::indicator:checked {{ border: 1px solid {c["highlight"]}; background: {c["highlight"]};{check} }}
QCheckBox::indicator:disabled {{ border-color: {c["border"]}; }}
QWidget#animationControls QToolButton {{ min-width: 30px; min-height: 24px; padding: 2px 8px;
    border: 1px solid {c["border"]}; border-radius: 4px; background: {c["button"]}; }}
QWidget#animationControls QToolButton:hover {{ background: {c["header"]}; }}
QWidget#animationControls QToolButton:disabled {{ color: {theme.muted_text}; border-color: {c["header"]}; }}
"""


def apply_app_theme(theme: Theme, large_font: bool) -> None:
    """Palette, style sheet and font for the whole application (one main window per app)."""
    global _base_point_size
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = QFont(app.font())
    if _base_point_size is None:
        _base_point_size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(_base_point_size * (LARGE_FONT_SCALE if large_font else 1.0))
    app.setFont(font)
    app.setPalette(make_palette(theme))
    # Set last: re-polishing every widget under the sheet is what makes the new font reach
    # widgets that already exist.
    app.setStyleSheet("")
    app.setStyleSheet(style_sheet(theme))
