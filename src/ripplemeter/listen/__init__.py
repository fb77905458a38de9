"""Listening: topic queries, collectors (stream and resume), share of voice, alerts and their delivery."""
