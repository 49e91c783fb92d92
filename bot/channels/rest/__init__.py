"""The routes of the REST assist API (``/webhooks/assist/…``, docs/openapi.yaml), by concern.

Each module adds its module-level handlers to the assist channel's blueprint
(bot/channels/assist.py) with ``add_routes(bp)``; a handler parses the request, calls
plain functions of the domain and the stores, and serialises the answer:

* :mod:`.session`: ``health`` and ``login``
* :mod:`.conversations`: the list, one conversation, ``claim`` and ``close``
* :mod:`.messages`: the customer's message (``webhook``), the agent's ``reply``, ``outcome``
* :mod:`.compensation`: ``compensation/grant``, the ``approvals`` and their decisions
* :mod:`.wire`: the JSON shapes the routes answer with (TypedDicts) and their serialisers
* :mod:`.refusals`: the domain's refusals as HTTP statuses and sentences, in one table

Who may call what: :mod:`bot.channels.staff`; telling the consoles and the customer's
widget: :mod:`bot.channels.notify`.
"""
