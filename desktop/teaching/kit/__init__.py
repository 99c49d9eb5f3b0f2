"""The teaching panels' kit: hub, look, icons, background calls; may import teaching models."""
