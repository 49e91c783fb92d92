"""Everything Kefu Assist keeps in Redis, behind small async classes.

One module per kind of record: accounts and tokens, conversations, customer and order
profiles, grants and approvals. Key names live in :mod:`bot.store.keys`. Every id that
comes from outside is checked by :func:`bot.store.keys.check_id` before it becomes part
of a key.
"""
