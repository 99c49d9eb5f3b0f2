-- Signing keys, private halves sealed with a key the data dir keeps; the check tells a server
-- whether its data dir belongs to this database.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL,
    sealed_private_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE TABLE deployment (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secrets_check BYTEA NOT NULL
);
