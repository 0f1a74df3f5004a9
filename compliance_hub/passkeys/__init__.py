"""Passkeys (WebAuthn) and the "require passkey or single sign-on" policy (issue 21)."""
