"""Benchmarks behind ``planscan bench …``: numbers for notes, never assertions in tests."""
