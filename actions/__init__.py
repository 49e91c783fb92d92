"""rasa-sdk actions: thin glue that turns bot/ domain logic into events."""
