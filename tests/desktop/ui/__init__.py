"""Tests of desktop.ui: the real window driven by clicks, and None's references while it runs."""
