"""Plays an engine trace on the canvas; seek(n) is the one way state is set.

Public API for the app (import from the submodules; this package imports nothing):

* ``explorer.animation.player.Player(document, scene)`` (QObject): ``seek(n)``,
  ``step_forward()``, ``step_back()``, ``play()``, ``pause()``, ``toggle_play()``,
  ``to_start()``, ``to_forward_end()``, ``to_backward_end()``, ``set_speed(steps_per_second)``,
  ``position``, ``count``, ``is_idle``, ``is_playing``; signals ``position_changed(int)``,
  ``finished()``, ``playing_changed(bool)``, ``held(int)``, ``was_reset()``. Overlays:
  ``set_forward_mode(input_id | None)``, ``set_gears(bool)``, ``set_highlight(nodes, edges)``.
* ``explorer.animation.controls.AnimationControls(player)``: buttons, scrubber, speed;
  ``handle_player_key(player, event)`` maps Space / ← / → / Home / End / Shift+End.
* ``explorer.animation.narrative.NarrativePanel(document, player, theme=None)``: the
  narrative, the step list, the selected node's chain-rule product, the paths view, the
  nudge check, forward-mode / gears toggles and predict-then-reveal.

Qt-free parts (testable without a display): ``frames`` (the state at step n),
``narration`` and ``wording`` (the words), ``paths`` (every path and its product),
``checks`` (nudge and prediction). ``scene_api`` declares the duck-typed canvas
protocol, since ``explorer.canvas`` is a sibling layer and is never imported here.
"""
