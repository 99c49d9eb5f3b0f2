"""The teaching tabs: models, panels, their kit and install; may import core (never qt or ui)."""
