"""The bottom layer: infrastructure every app may use (PDF rendering, stored documents,
downloads, money, id guards, admin bases, passwords, background runs). It imports no app:
the import-linter contract in pyproject.toml enforces it."""
