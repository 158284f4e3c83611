"""The only way out to Webex: the client (every call, its retries and errors), the service app
token, and the 429 pauses every worker shares."""
