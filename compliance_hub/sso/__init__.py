"""Single sign-on with an organisation's OpenID Connect provider (docs/sign-in.md)."""
