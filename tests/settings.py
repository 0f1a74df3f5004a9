"""Settings for the test suite: production settings with test-friendly transport."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="hub-test-"))

from compliance_hub.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MAIL_SEND_ON_COMMIT = False
# Webhook receivers in tests are real HTTP servers on loopback.
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
# The OpenID provider of the single sign-on tests runs on loopback, over plain http.
SSO_ALLOW_HTTP = True
SSO_ALLOW_PRIVATE_ISSUERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# SQLite tests use a file, not the shared in-memory database: concurrency tests need real
# locking (WAL + busy_timeout, as in the demo) across threads.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_db = os.path.join(os.environ["DATA_DIR"], "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405
