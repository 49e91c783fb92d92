"""Rasa input channels: the REST assist API (``assist``); the live chat surfaces follow."""
