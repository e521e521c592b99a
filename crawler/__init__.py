"""cpraudit: measure whether a self-service portal sends citizens' CPR numbers to third parties."""

__version__ = "0.1.0"
