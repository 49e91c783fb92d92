"""Turning the NLU analysis (and, later, stage and policy) into what the agent sees."""
