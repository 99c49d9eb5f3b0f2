"""What the teaching tabs show, as data with no painting; may import desktop.core only."""
