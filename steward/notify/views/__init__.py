"""Pages of the notify app (staff only): delivery log, channels, policies, templates."""
