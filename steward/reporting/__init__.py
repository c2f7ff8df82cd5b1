"""Client reports: builders, HTML/PDF/CSV renderers, schedules and delivery."""
