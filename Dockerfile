FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts ship with Debian (nothing fetched at run time). The PostgreSQL 15 client
# (the server of docker-compose.yml) for `manage.py sauvegarder` and `restaurer` (docs/exploitation.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# The service runs as this user, not root; its home holds fontconfig's cache (WeasyPrint).
RUN groupadd --system cnfs && useradd --system --gid cnfs --create-home cnfs
WORKDIR /app
# Production requirements only, each checked against its hash; --no-deps and pip check as in the Makefile.
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/prod.txt && pip check
# The code stays root's, read-only to the service. It writes only the static files (collectstatic when `web`
# starts), MEDIA_ROOT (exports, ressourcerie) and the backups' folder: a named volume mounted on one of them
# starts with its owner.
COPY . .
ENV PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cnfs.settings.prod MEDIA_ROOT=/data/media
RUN mkdir -p staticfiles staticfiles-manifest /data/media /sauvegardes \
    && chown cnfs:cnfs staticfiles staticfiles-manifest /data/media /sauvegardes
USER cnfs
EXPOSE 8000
# As docker-compose.yml's `web` (which migrates and collects the static files first).
CMD ["gunicorn", "cnfs.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "30"]
