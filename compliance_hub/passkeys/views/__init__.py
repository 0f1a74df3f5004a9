"""Passkey pages, ceremonies, the step after the e-mailed link, and the policy switches."""
