"""Factories and fakes shared by the tests."""
