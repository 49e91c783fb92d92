"""Names of message properties shared by the components (docs/design.md#parse-output)."""

NORMALIZED_TEXT = "text_normalized"  # script-normalised copy of the text, same offsets
SENTIMENT = "sentiment"  # {"label": "negative"|"neutral"|"positive", "score": -1..1}
ESCALATION = "escalation"  # {"flag": bool, "cues": [str, ...]}
SENTIMENT_LABELS = ("negative", "neutral", "positive")
SENTENCE_VECTORS = "kefu_sentence_vectors"  # (2, 512): the whole text, its verdict clause
COMPLAINT = "complaint"  # {"is_complaint", "probability", "type", "confidence", "uncertain", …}
COMPLAINT_INTENTS = (
    "complaint_defect",
    "complaint_price_error",
    "complaint_special_request",
    "complaint_miscommunication",
    "complaint_demanding",
    "complaint_escalation",
)
# Intents that move the conversation on and keep their name even in a complaint message:
# the dialogue needs to know that an order number was given or an offer accepted.
CONVERSATION_MOVES = (
    "request_refund",
    "request_exchange",
    "inform_order",
    "ask_status",
    "inform_impact",
    "accept_offer",
    "reject_offer",
)
