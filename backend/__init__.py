"""The auth server: sign-up, sign-in, rotating refresh tokens and OAuth 2.0 endpoints."""
