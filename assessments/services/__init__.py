"""Write operations of the assessments app."""
