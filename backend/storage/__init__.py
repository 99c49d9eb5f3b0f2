"""Records, the Store protocol, SQLite and the database thread: may import only settings, errors."""
