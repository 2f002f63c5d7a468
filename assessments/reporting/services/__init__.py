"""Writes of the reporting domain: the round report job and the export job."""
