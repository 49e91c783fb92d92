"""Custom Rasa dialogue policies (graph components named in ``config.yml`` by full path,
``bot.dialogue.rule_policy.RecentRulePolicy``); importing this package does no I/O."""
