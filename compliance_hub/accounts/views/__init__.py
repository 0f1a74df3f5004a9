"""Sign-in, link, code and sign-out views."""
