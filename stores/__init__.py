"""Rasa tracker and lock stores for this project, configured in endpoints.yml by module path."""
