"""The outcome log: personal-data masking, the event stream, exports."""
