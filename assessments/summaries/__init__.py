"""The "Summary of Findings per ISCM": gathering answers, composing prose, rendering files."""
