"""Tests of desktop.storage: the memory, file and keyring stores (a real gnome-keyring)."""
