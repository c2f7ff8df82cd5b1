"""The client portal and status pages: what a client's contacts (and the public) see."""
