"""Compliance Hub: certificates of insurance for every contractor assignment."""

__version__ = "0.1.0"
