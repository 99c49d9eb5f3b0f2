"""Token stores (keyring, 0600 file, memory) and the choice of one; may import desktop.core only."""
