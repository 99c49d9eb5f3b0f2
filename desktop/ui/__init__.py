"""Main window, sign-in and session pages, their small widgets; may import qt, storage and core."""
