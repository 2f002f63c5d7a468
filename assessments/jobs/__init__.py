"""Background jobs: the Job model, progress, files, watchdog and job page."""
