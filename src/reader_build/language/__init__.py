"""The reader's language: its fixed words (locale.py) and its typography (typography.py)."""
