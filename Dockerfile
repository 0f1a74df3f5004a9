# Compliance Hub application image: the web process (gunicorn) by default; the same image
# runs the worker (`compliance-hub worker`) and migrations (`compliance-hub migrate`).
#   docker build -t compliance-hub .
#   docker run --env-file hub.env -p 8000:8000 compliance-hub
# Configuration is environment only (docs/configuration.md, docs/deploy.md).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY compliance_hub ./compliance_hub
# Pinned by constraints.txt; "pool" adds psycopg-pool for DATABASE_POOL_MAX.
RUN /opt/venv/bin/pip install --no-compile -c constraints.txt ".[pool]"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=compliance_hub.settings \
    DATA_DIR=/var/lib/compliance-hub \
    STATIC_ROOT=/app/static \
    STATIC_MANIFEST=1 \
    PORT=8000
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /app --shell /usr/sbin/nologin hub \
    && mkdir -p /app /var/lib/compliance-hub \
    && chown hub:hub /var/lib/compliance-hub
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gunicorn.conf.py deploy/healthcheck.py ./
# Hashed, compressed static files, served by WhiteNoise. The key is for this step only.
RUN SECRET_KEY=collectstatic-only-not-a-secret compliance-hub collectstatic --noinput \
    && python -m compileall -q /opt/venv/lib
USER hub
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py"]
