"""The WSGI entry point the Procfile names, ``bot.app:create_app()``: the web edge itself is
``bot/web/app.py``. This name stays for the deploy scripts and platforms that start it."""
from bot.web.app import create_app, runtime_of

__all__ = ["create_app", "runtime_of"]
