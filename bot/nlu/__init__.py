"""Custom Rasa graph components and the pure text logic behind them.

Components are imported by Rasa from ``config.yml`` by their full path
(``bot.nlu.sentiment.SentimentAnalyzer``); importing this package does no I/O.
"""
