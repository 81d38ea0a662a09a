"""The distribution's version, in one place for hatch and for the user agent."""

__version__ = "0.2.0"
