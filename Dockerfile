# Production image: gunicorn serves Django, whitenoise serves the static files; nginx
# (docker-compose.yml, deploy/nginx.conf) buffers every request and answer in front of it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY retribus ./retribus
COPY offers ./offers
COPY network ./network
RUN pip install .
COPY . .
# collectstatic must run without DEBUG: only then does it use the manifest storage and
# write staticfiles.json, without which every production page fails. manage.py gives
# this build step a throwaway key; the container gets the real SECRET_KEY at run time.
RUN DEBUG=1 python manage.py compilemessages -v0 \
    && python manage.py collectstatic --noinput -v0

# media/ must exist in the image: docker then creates the "media" volume owned by portal;
# otherwise the volume is root's and every logo upload fails with a permission error.
RUN mkdir -p /app/media && useradd --system --home /app portal && chown -R portal /app
USER portal
EXPOSE 8000
# Timeouts, request limits and WEB_CONCURRENCY workers: deploy/gunicorn.conf.py. Only the
# nginx proxy of docker-compose.yml may talk to this port.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c deploy/gunicorn.conf.py retribus.wsgi:application"]
