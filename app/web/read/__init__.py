"""Read models of the web pages: read-only queries shaped for the templates, one module per page family.

Everything that changes data goes through `app.services`; these only read.
"""
