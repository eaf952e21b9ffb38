"""Custom Rasa graph components for this project, named in config.yml by module path."""
