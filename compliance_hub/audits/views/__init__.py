"""Audit pages: the list, upload, column mapping with preview, results and the packet."""
