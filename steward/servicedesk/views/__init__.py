"""The service desk web UI, one module per area; each exports urlpatterns."""
