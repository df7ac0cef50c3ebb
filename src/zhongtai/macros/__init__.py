"""Canned responses (macros): reply templates with safe placeholders and field actions."""
