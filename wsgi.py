"""What gunicorn loads."""

from allocator import create_app

app = create_app()
