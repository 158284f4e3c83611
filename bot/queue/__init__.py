"""The durable event queue between the web edge and the conversation: the store (SQLite or
Redis), the queue itself, the workers' leases, and the workers."""
