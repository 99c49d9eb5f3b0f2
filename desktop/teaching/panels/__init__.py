"""The teaching tabs' widgets; may import the teaching kit and models and desktop.core."""
