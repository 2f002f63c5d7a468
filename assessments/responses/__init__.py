"""Responses and answers: the respondent's journey, autosave, submit and reopen."""
