"""The demo: a realistic data set (``seed-demo``) and a sign-in link for it (``demo-link``)."""
