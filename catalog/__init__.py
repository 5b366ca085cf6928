"""What is sold and what is read: products, variants, categories, articles.

Plain SQLAlchemy and marshmallow; it never imports the Flask app (``shop``).
"""

from . import search_index  # noqa: E402,F401  (keeps the full-text index current)
