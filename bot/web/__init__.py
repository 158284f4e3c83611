"""The web edge, where a request enters: the Flask app (``POST /webhook``, ``/healthz``,
``/readyz``, ``/metrics``), the webhook signature, and the registration of the bot's webhooks."""
