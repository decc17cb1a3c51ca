"""Generators of hostile and broken input for the reliability tests."""
