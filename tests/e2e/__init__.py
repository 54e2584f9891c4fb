"""End-to-end tests in real headless Chromium (a package, so its conftest does not shadow tests/conftest)."""
