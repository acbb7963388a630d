"""Pydantic v2 schemas for the API's requests and answers."""
