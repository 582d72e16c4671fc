"""What gunicorn and `flask --app wsgi` load."""

import sys

from allocator.app import SettingsError, create_app

try:
    app = create_app()
except SettingsError as exc:  # one line saying what to set, never a traceback
    sys.exit(f"allocator: {exc}")
