"""Services do the work (keyword-only arguments, a Session passed in, flush but never commit)."""
