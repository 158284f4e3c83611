"""What every change flow shares: the rules checked before any of it runs, the once-only claim
of a confirmation, and Cancel.

A change flow's answer is wrapped in :func:`guarded`: changes must be on and the person a full
administrator at this moment (``Changes.check_allowed``), and a ``Refused`` anywhere in the flow
becomes the refusal card, so no flow can forget either. A confirmation pressed a second time (a
double press, another instance, a re-delivery as a new event) is answered by the first press
only: :func:`claim` stops the flow and the event posts nothing.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cards
from bot.conversation.changes import Refused, Sealed
from bot.conversation.flows import FlowContext
from bot.core import buttons
from bot.core.models import Reply

KINDS = (buttons.CHANGE_ADD, buttons.CHANGE_ASSIGN, buttons.CHANGE_REMOVE, buttons.CHANGE_ACTIVATE)
USED = Reply(markdown="that confirmation was used already", silent=True)


class Used(Exception):
    """The confirmation was claimed by an earlier press: that press answers."""


def guarded(answer: Callable[[Any, FlowContext], Reply]) -> Callable[[Any, FlowContext], Reply]:
    @functools.wraps(answer)
    def checked(request: Any, ctx: FlowContext) -> Reply:
        try:
            if ctx.changes is None:
                raise Refused("Changes cannot be made from here.")
            ctx.changes.check_allowed()
            return answer(request, ctx)
        except Used:
            return USED
        except Refused as refused:
            return cards.change_refused_reply(str(refused))

    return checked


def claim(ctx: FlowContext, sealed: Sealed) -> None:
    """Claim the confirmation before changing anything; ``Used`` when it was claimed already."""
    assert ctx.changes is not None
    if not ctx.changes.once(sealed):
        raise Used()


@dataclass(frozen=True)
class CancelChange:
    """Cancel on a confirmation card: the confirmation is used up and nothing changes."""

    sealed: dict
    kind: str


def from_card(inputs: dict, action: str, region: str) -> CancelChange:
    return CancelChange(sealed=dict(inputs), kind=buttons.text(inputs.get(buttons.KEY_KIND), 20))


def _cancel(request: CancelChange, ctx: FlowContext) -> Reply:
    assert ctx.changes is not None
    if request.kind not in KINDS:
        raise Refused("That confirmation was not made by this bot, or was changed. Nothing was changed.")
    sealed = ctx.changes.open(request.kind, request.sealed)
    return cards.change_cancelled_reply(used_already=not ctx.changes.once(sealed))


answer = guarded(_cancel)
