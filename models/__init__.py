"""Storage (SQLAlchemy ORM) and domain types: the exchange format lives in `models.exchange`."""
