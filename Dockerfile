# The web service in production mode: gunicorn with normalizer/web/gunicorn_config.py, on port 8000 of every interface.
# Build: docker build -t normalizer .   Run: docker run --rm -p 8000:8000 normalizer
FROM python:3.11-slim
WORKDIR /app
RUN useradd --system --create-home --home-dir /home/normalizer --shell /usr/sbin/nologin normalizer
COPY pyproject.toml README.md constraints.txt wsgi.py ./
COPY normalizer ./normalizer
COPY rules ./rules
# constraints.txt pins every dependency (make lock regenerates it)
RUN pip install --no-cache-dir --constraint constraints.txt .
USER normalizer
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["gunicorn", "-c", "python:normalizer.web.gunicorn_config", "--bind", "0.0.0.0:8000"]
