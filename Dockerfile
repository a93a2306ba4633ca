# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs pango (and harfbuzz-subset for font subsetting); generated PDFs need CJK fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-wqy-zenhei \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
# var/ holds collected static files (and beat's schedule); /data/media is the shared media volume.
RUN mkdir -p /app/var /data/media && chown -R app:app /app/var /data/media

USER app
# The subset Chinese fonts of generated PDFs, prepared once into the image (var/fonts).
RUN DEBUG=1 python manage.py prepare_fonts
ENV DEBUG=0 \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/var/static

EXPOSE 8000
CMD ["gunicorn", "qualityaward.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
