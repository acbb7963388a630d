"""Running the planner as a service: logs with a request id on every line (`logs`), the counters a
process keeps (`measures`), Prometheus metrics (`metrics`, shared by several server processes through
`multiprocess`), and what the web app adds for them (`instrument`). Health checks are
app/api/health.py."""
