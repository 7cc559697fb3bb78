"""ASGI entry point for several worker processes: `uvicorn satupintu.asgi:app --workers N`."""

from .app import create_app

app = create_app()
