"""The gunicorn fixture lives in tests/conftest.py, shared with the browser tests."""
