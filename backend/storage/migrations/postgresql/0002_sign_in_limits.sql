-- Sign-in throttling kept in the database, so every server sharing it counts the same failures;
-- the addresses each account signed in from; sessions listed by user, newest first.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure DOUBLE PRECISION NOT NULL
);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(last_failure);
CREATE TABLE sign_in_addresses (
    user_id TEXT NOT NULL REFERENCES users(id),
    address TEXT NOT NULL,
    last_sign_in BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);
CREATE INDEX sign_in_addresses_by_time ON sign_in_addresses(last_sign_in);
CREATE INDEX sessions_by_user_start ON sessions(user_id, created_at, id);
