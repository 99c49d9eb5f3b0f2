"""Tests of desktop.qt: the controller's timers and states, the theme."""
