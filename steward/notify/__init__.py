"""Notifications: channels (apprise), policies, templates and a delivery log with retries."""
