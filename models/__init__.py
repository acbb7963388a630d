"""Storage: the SQLAlchemy ORM models. The exchange format lives in the `exchange` package."""
