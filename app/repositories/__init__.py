"""Repositories hold the queries (select statements, paging, filters); no HTTP, no commits."""
