"""The peers' rotating refresh beside ours: their apps, environment, checks and table."""
