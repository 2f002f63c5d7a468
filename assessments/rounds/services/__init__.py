"""Writes of the rounds domain: rounds and participants, invitations and reminders,
focal points' personal data."""
