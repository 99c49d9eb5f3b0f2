"""The client benchmarks: the desktop client core soaked against the server, the app itself."""
