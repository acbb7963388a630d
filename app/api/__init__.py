"""HTTP routers: parse, authorise (app.security), call a service, answer a schema."""
