# The web service in production mode: gunicorn on port 8000.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md wsgi.py ./
COPY normalizer ./normalizer
COPY rules ./rules
RUN pip install --no-cache-dir . && useradd --system normalizer
USER normalizer
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["gunicorn", "--workers", "2", "--worker-class", "normalizer.web.server.SyncWorker", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "normalizer.web:create_app()"]
