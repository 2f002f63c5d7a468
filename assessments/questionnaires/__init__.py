"""Questionnaires: their models, schema, answer rules, JSON format and XLSForm."""
