"""Size and count limits every card and markdown fallback stays within.

MARKDOWN_BUDGET_BYTES: the Messages API ("Create a Message", developer.webex.com/docs/api/v1/
messages/create-a-message) documents for ``text`` and ``markdown``: "The maximum message length
is 7439 bytes." We keep 439 bytes of headroom, counted as UTF-8 bytes of the markdown we build.

CARD_BUDGET_BYTES: Webex documents no size limit for a card attachment (the "Buttons and Cards"
guide lists none). The numbers people quote (25-28 KB per message) are Microsoft Teams / Bot
Framework limits for the whole payload; Webex posts of a similar size are reported to fail. We
stay far below them: 16,000 bytes of compact JSON (separators ``,`` ``:``, ``ensure_ascii=True``,
which is what ``requests``' ``json=`` sends and is never shorter than UTF-8). A card this size is
also about as much as an admin can read without scrolling for ever; what does not fit goes into
markdown continuation messages.

As the bot posts a card, each button also gets where the card is (``bot.core.buttons.placed``): at
most ``PLACE_BUDGET_BYTES`` (1,000) more per card, so a posted card stays under 17,000 bytes.

MAX_ACTIONS: our own rule, not a Webex one: a card row of more than five buttons wraps badly in
the Webex clients, and five is what Microsoft's hosts (Teams) allow in an action bar.

VALIDATE_AGAIN_MAX_NUMBERS: a "Validate again" button carries its numbers in ``data``; at most
100 E.164 numbers (~1.6 KB) keeps that button cheap. It matches NUMBOT_VALIDATE_BATCH's default.
"""
from __future__ import annotations

MARKDOWN_LIMIT_BYTES = 7439  # documented by Webex, see above
MARKDOWN_BUDGET_BYTES = MARKDOWN_LIMIT_BYTES - 439
CARD_BUDGET_BYTES = 16_000
MAX_ACTIONS = 5
VALIDATE_AGAIN_MAX_NUMBERS = 100
