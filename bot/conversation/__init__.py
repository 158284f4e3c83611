"""The conversation: an event becomes an answer. ``events`` reads the event, ``access`` decides
who is served, ``registry`` turns the text or the press into a request, a flow (``flows/``)
answers it with a card from ``cards``; ``changes`` holds the rules of changes in Webex."""
