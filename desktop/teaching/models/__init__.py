"""What the teaching tabs show, as data with no painting; imports desktop.core, never Qt."""
