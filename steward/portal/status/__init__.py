"""Status pages: each client's services, incidents, maintenance and 90-day uptime, private to
the client's contacts and staff, optionally published at a secret URL."""
