"""Survey rounds: participants, focal points, invitations, notifications and reminders."""
