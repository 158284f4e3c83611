"""Reading what admins send: numbers in text (``parsing``, with ``phonenumbers``), the bot's
mention, and attached files (``spreadsheet``). Pure: no Webex, no store."""
