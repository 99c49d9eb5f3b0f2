"""The desktop app: signs in once, keeps only the refresh token, refreshes before expiry."""
