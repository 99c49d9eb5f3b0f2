-- Authorization codes of the browser sign-in (RFC 6749 §4.1, RFC 7636), kept as SHA-256 hashes.
CREATE TABLE authorization_codes (
    code_hash BYTEA PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    redeemed_at BIGINT,
    session_id TEXT
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes(expires_at);
