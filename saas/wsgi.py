"""WSGI entry point: gunicorn saas.wsgi:app"""

from saas import create_app

app = create_app()
