-- Signing keys move from a file of the data dir into the database, private halves sealed with a
-- key the data dir keeps; the check tells a server whether its data dir belongs to this database.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    sealed_private_key BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    activates_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE TABLE deployment (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secrets_check BLOB NOT NULL
);
