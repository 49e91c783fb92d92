"""Names of message properties shared by the components (see DESIGN.md §4)."""

NORMALIZED_TEXT = "text_normalized"  # script-normalised copy of the text, same offsets
SENTIMENT = "sentiment"  # {"label": "negative"|"neutral"|"positive", "score": -1..1}
ESCALATION = "escalation"  # {"flag": bool, "cues": [str, ...]}
SENTIMENT_LABELS = ("negative", "neutral", "positive")
