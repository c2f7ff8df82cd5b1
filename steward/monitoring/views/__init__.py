"""Monitoring's web UI, one module per area; each exports ``urlpatterns``."""
