"""ASGI entry point: ``uvicorn app.main:app --log-config app/logging.json``.

Settings are validated at import time, which uvicorn does before it binds the port: bad or
missing configuration exits with code 78 and one JSON line per problem, no traceback.
"""

from app.factory import create_app
from app.settings import load_settings_or_exit

settings = load_settings_or_exit()
app = create_app(settings)
