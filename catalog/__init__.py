"""What is sold and what is read: products, variants, categories, articles.

Plain SQLAlchemy and marshmallow; it never imports the Flask app (``shop``).
"""
