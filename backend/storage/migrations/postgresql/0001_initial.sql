-- Users, their sessions and the hashes of each session's refresh tokens.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    client_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_refreshed_at BIGINT NOT NULL,
    refresh_count BIGINT NOT NULL DEFAULT 0,
    absolute_expires_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    current_generation BIGINT NOT NULL DEFAULT 0,
    rotated_at DOUBLE PRECISION NOT NULL,
    ended_at BIGINT,
    end_reason TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    generation BIGINT NOT NULL,
    issued_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens(session_id);
