"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from normalizer.web import create_app

app = create_app()
