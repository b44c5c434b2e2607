"""Hook point for the OAuth 1.0a side; empty until that protocol lands."""
