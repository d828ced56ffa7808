"""What citebot does with a Discord message (new, edited or deleted), slash command or button click.

The command table runs off the event loop (asyncio.to_thread) so the gateway heartbeat never stalls;
anything that goes wrong becomes an apology with a reference id in chat and a traceback in the log.
The typing indicator runs beside the answer, never in front of it; replies go out through Delivery
(retries, fallbacks); the Ledger remembers claims and answers across restarts.

An edited question that was answered gets its answer edited in place; an edit that adds the mention is
answered like a new question; a deleted question's answer is taken down, a one-line note left in its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot import messages
from bot.adapters.discord.delivery import Delivery, Undelivered
from bot.adapters.discord.ledger import Answered, Ledger
from bot.adapters.discord.markdown import one_line, truncate
from bot.adapters.discord.render import Outgoing, add_note, render
from bot.core.commands import CommandTable
from bot.core.models import Notice, Origin, Reply
from bot.core.replies import apology, new_reference
from bot.settings import DiscordSettings

log = logging.getLogger(__name__)

QUICK_REPLY_S = 2.0  # Discord drops an interaction not answered within 3 s: defer after this long
CHOICE_LIMIT = 100  # characters in an autocomplete choice's name and value
PLATFORM = "discord"
REMEMBERED_MESSAGES = 10_000  # message id -> conversation, for following reply chains
TYPING_EVERY_S = 8.0  # Discord shows "typing…" for about 10 s after each POST
DECORATION_TIMEOUT_S = 5.0  # one typing call may take this long (rate limits included), then is dropped
SWEEP_S = 60.0  # backend postgres: how often a replica looks for answers a stopped replica was sending
SWEEP_TASK = "citebot discord held-answer sweep"  # the task's name (tests' settle waits for all but it)


class Responder:
    def __init__(
        self,
        table: CommandTable,
        settings: DiscordSettings,
        ledger: Ledger | None = None,
        delivery: Delivery | None = None,
    ) -> None:
        self.table = table
        self.allowed_channels = frozenset(settings.allowed_channels)
        self.ledger = ledger or Ledger(None, getattr(table, "claims", None))
        self.delivery = delivery or Delivery()
        self._redelivered = False
        self.sweep_s = SWEEP_S
        self.sweep: asyncio.Task[None] | None = None
        self._conversation_of: OrderedDict[int, str] = OrderedDict()

    # -- messages ----------------------------------------------------------------------------------------
    async def on_message(self, message: discord.Message, me: discord.ClientUser) -> None:
        """A mention or a DM is a question (or `/command`); the answer goes back as a reply."""
        arrived = time.monotonic()
        if not self.addressed(message, me):
            return
        if not await self._first_to_claim(message.id):
            log.info("skipping a repeat delivery of message %s", message.id)
            return
        await self._answer(message, me, Stages(arrived))

    async def on_edit(self, message: discord.Message, me: discord.ClientUser) -> None:
        """An edited message: its answer edited in place if it had one (and the question changed); an edit
        that makes it a question (adds the mention) answered like a new one."""
        arrived = time.monotonic()
        if not self.addressed(message, me):
            return
        earlier = await self._keep(self.ledger.answered, message.id)
        text = strip_mentions(message.content, me.id, _self_role_id(message))
        if earlier is not None:
            if earlier.question_digest == Answered.digest(text):
                return  # an embed unfurled, a pin: not a new question
            await self._answer(message, me, Stages(arrived), earlier=earlier)
        elif await self._first_to_claim(message.id):
            await self._answer(message, me, Stages(arrived))

    async def on_delete(self, channel: Any, message_id: int) -> None:
        """A deleted question: its answer is taken down, leaving a one-line note in its place (the first
        message edited to the note, any further parts deleted), as the Slack adapter does."""
        earlier = await self._keep(self.ledger.answered, message_id)
        if earlier is None:
            return
        note = [Outgoing(content=messages.QUESTION_DELETED)]
        try:
            await self.delivery.replace(channel, earlier.answer_ids, note)
        except discord.NotFound:
            pass  # the answer is gone already
        except Exception as error:
            log.warning("could not take down the answer to deleted message %s: %s", message_id, error)
            return
        await self._keep(self.ledger.forget, message_id)
        log.info(
            "question %s was deleted; took its answer down (%d messages)", message_id, len(earlier.answer_ids)
        )

    async def _answer(
        self,
        message: discord.Message,
        me: discord.ClientUser,
        stages: Stages,
        earlier: Answered | None = None,
    ) -> None:
        """Answer (or re-answer) a question; the typing indicator beside it; one log line with the timings."""
        stages.mark("claim")
        text = strip_mentions(message.content, me.id, _self_role_id(message))
        typing = asyncio.create_task(_keep_typing(message.channel))
        try:
            reply, outgoing = await self._reply_for(message, text)
            stages.mark("answer", getattr(reply, "timings_ms", None))
            if message.attachments:
                outgoing = add_note(outgoing, messages.ATTACHMENTS_NOT_READ)
            if earlier is not None:
                outgoing = add_note(outgoing, messages.ANSWER_UPDATED)
                ids = await self._replace(message, earlier, outgoing)
            else:
                ids = await self._deliver(message, outgoing)
            stages.mark("deliver")
        except Undelivered:
            return  # logged, with the asker and a reference id
        finally:
            typing.cancel()
        self._remember(self.conversation(message), message.id, *ids)
        answered = Answered(message.channel.id, tuple(ids), Answered.digest(text))
        await self._keep(self.ledger.record, message.id, answered)
        log.info(
            "%s message %s from user %s in %.0f ms (%s)",
            "re-answered edited" if earlier is not None else "answered",
            message.id,
            message.author.id,
            stages.total_ms(),
            stages,
        )

    async def _deliver(self, message: discord.Message, outgoing: list[Outgoing]) -> list[int]:
        """Reply, holding the answer in the ledger meanwhile: should the process stop before Discord takes
        it (an outage, a restart), the next start delivers it (redeliver)."""
        held = [o.to_json() for o in outgoing]
        await self._keep(self.ledger.hold, message.id, message.channel.id, message.author.id, held)
        try:
            sent = await self.delivery.reply(message, outgoing)
        except Undelivered:
            await self._keep(self.ledger.delivered, message.id)  # given up on, and logged
            raise
        await self._keep(self.ledger.delivered, message.id)
        return [m.id for m in sent]

    async def _keep(self, call: Callable[..., Any], *args: Any) -> Any:
        """A ledger call off the event loop; should the state file fail, answering goes on (logged, None)."""
        try:
            return await asyncio.to_thread(call, *args)
        except Exception as error:
            log.warning("the Discord state file could not be used (%s: %s)", call.__name__, error)
            return None

    async def redeliver(self, client: discord.Client) -> None:
        """Answers that were on their way when the bot last stopped: delivered now, once per process. With
        a shared database (backend postgres) also every `sweep_s` after, for the answers a replica was still
        sending when it stopped (the ledger leaves them to it for its in_flight_s)."""
        if self._redelivered:
            return
        self._redelivered = True
        await self._redeliver_held(client)
        if self.ledger.shared:
            self.sweep = asyncio.create_task(self._keep_sweeping(client), name=SWEEP_TASK)

    def stop(self) -> None:
        """The client is closing: no more sweeps."""
        if self.sweep is not None:
            self.sweep.cancel()

    async def _keep_sweeping(self, client: discord.Client) -> None:
        while not client.is_closed():
            await asyncio.sleep(self.sweep_s)
            if client.is_closed():
                return
            try:
                await self._redeliver_held(client)
            except Exception as error:  # the next sweep tries again
                log.warning("looking for held Discord answers failed (%s: %s)", type(error).__name__, error)

    async def _redeliver_held(self, client: discord.Client) -> None:
        ready, expired = await self._keep(self.ledger.pending) or ([], [])
        for held in expired:  # too old to be useful: the asker is told to ask again
            reference = new_reference()
            log.warning(
                "the answer to user %s's message %s in channel %s expired undelivered after %.0f s (reference %s)",
                held.user_id,
                held.question_id,
                held.channel_id,
                held.age_s,
                reference,
            )
            question = client.get_partial_messageable(held.channel_id).get_partial_message(held.question_id)
            with contextlib.suppress(Undelivered):
                notice = [Outgoing(content=messages.discord_answer_expired(reference))]
                await self.delivery.resend(question, held.user_id, notice)
        for held in ready:
            question = client.get_partial_messageable(held.channel_id).get_partial_message(held.question_id)
            outgoing = [Outgoing.from_json(m) for m in held.messages]
            try:
                ids = await self.delivery.resend(question, held.user_id, outgoing)
            except Undelivered:
                continue
            await asyncio.to_thread(
                self.ledger.record, held.question_id, Answered(held.channel_id, tuple(ids), "")
            )
            log.info("delivered the answer to message %s held over a restart", held.question_id)

    async def _reply_for(self, message: discord.Message, text: str) -> tuple[Reply | None, list[Outgoing]]:
        """The table's reply to the question (None if even that failed) and its rendering."""
        try:
            thread = self.conversation(message)
            origin = origin_of(message.channel, message.channel.id, message.author.id, thread)
            reply = await self.call(self.table.dispatch, text, origin)
            return reply, render(reply)
        except Exception:
            return None, render(apology(log, "answering message %s failed", message.id))

    async def _replace(
        self, message: discord.Message, earlier: Answered, outgoing: list[Outgoing]
    ) -> list[int]:
        try:
            return await self.delivery.replace(message.channel, earlier.answer_ids, outgoing)
        except discord.NotFound:  # the old answer was deleted meanwhile: answer afresh
            return [m.id for m in await self.delivery.reply(message, outgoing)]
        except Exception as error:
            raise self.delivery.undelivered(message, error) from None

    async def _first_to_claim(self, message_id: int) -> bool:
        """The first delivery of a message claims it (across restarts and replicas); later ones are skipped.
        When the claim cannot be stored the message is answered: a possible duplicate beats silence."""
        first = await self._keep(self.ledger.first_time, f"discord:message:{message_id}")
        return first is not False

    def conversation(self, message: discord.Message) -> str:
        """Which conversation a message belongs to: its DM or thread, else the reply chain it continues.

        A reply to one of the bot's answers (or to a question) continues that exchange; any other
        mention in a channel starts a new conversation of its own.
        """
        if isinstance(message.channel, discord.DMChannel):
            return "dm"
        if isinstance(message.channel, discord.Thread):
            return f"thread:{message.channel.id}"
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            known = self._conversation_of.get(reference.message_id)
            if known:
                return known
            replied = reference.resolved
            if isinstance(replied, discord.Message) and replied.reference is not None:
                earlier = replied.reference.message_id  # the question the bot's answer replied to
                if earlier is not None:
                    return self._conversation_of.get(earlier, f"message:{earlier}")
        return f"message:{message.id}"

    def _remember(self, conversation: str, *message_ids: int) -> None:
        for message_id in message_ids:
            self._conversation_of[message_id] = conversation
            self._conversation_of.move_to_end(message_id)
        while len(self._conversation_of) > REMEMBERED_MESSAGES:
            self._conversation_of.popitem(last=False)

    def addressed(self, message: discord.Message, me: discord.ClientUser) -> bool:
        """Only people (never bots, never itself), only DMs or mentions, only in allowed channels."""
        if message.author.bot or message.author.id == me.id:
            return False
        if isinstance(message.channel, discord.DMChannel):
            return True
        role_id = _self_role_id(message)
        mentioned = any(user.id == me.id for user in message.mentions) or (
            role_id is not None and any(role.id == role_id for role in message.role_mentions)
        )
        return mentioned and self.allows(message.channel.id, getattr(message.channel, "parent_id", None))

    def allows(self, channel_id: int | None, parent_id: int | None = None) -> bool:
        """Every channel when none are configured; a thread counts as its parent channel."""
        return not self.allowed_channels or bool({channel_id, parent_id} & self.allowed_channels)

    # -- slash commands and buttons ----------------------------------------------------------------------
    async def command(
        self, interaction: discord.Interaction, name: str, argument: str, *, ephemeral: bool, slow: bool
    ) -> None:
        """Run a table command. `slow` ones defer at once (thinking…); others only if not done in 2 s."""
        stages = Stages(time.monotonic())
        try:
            if not self._interaction_allowed(interaction):
                notice = render(Notice(messages.CHANNEL_NOT_ALLOWED))
                await self.delivery.respond(interaction, notice, ephemeral=True)
                return
            origin = interaction_origin(interaction)
            if slow:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            work = asyncio.ensure_future(self.call(self.table.run, name, argument, origin))
            if not slow:
                done, _ = await asyncio.wait({work}, timeout=QUICK_REPLY_S)
                if not done:
                    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            reply = await work
            stages.mark("answer", getattr(reply, "timings_ms", None))
            await self.delivery.respond(interaction, render(reply), ephemeral=ephemeral)
            stages.mark("deliver")
            log.info(
                "answered /%s (interaction %s) from user %s in %.0f ms (%s)",
                name,
                interaction.id,
                interaction.user.id,
                stages.total_ms(),
                stages,
            )
        except Undelivered:
            return  # logged, with the asker and a reference id
        except Exception:
            await self.apologise(
                interaction, apology(log, "/%s failed (interaction %s)", name, interaction.id)
            )

    async def vote(self, interaction: discord.Interaction, vote: str, answer_id: str) -> None:
        """A 👍/👎 click: stored with the clicker's id, thanked privately."""
        try:
            origin = interaction_origin(interaction)
            notice = await self.call(self.table.vote, answer_id, vote, origin)
            await self.delivery.respond(interaction, render(notice), ephemeral=True)
        except Undelivered:
            return
        except Exception:
            await self.apologise(interaction, apology(log, "vote on %s failed", answer_id))

    async def complete_source(
        self, current: str, interaction: discord.Interaction
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete for `/source id:`: ids and titles containing what was typed, of the sources the
        interaction's channel may see (never raises)."""
        try:
            origin = interaction_origin(interaction)
            pairs = await asyncio.to_thread(self.table.complete, current, 25, origin)
        except Exception:
            apology(log, "autocomplete for %r failed", current)  # logged; autocomplete shows nothing
            return []
        return [
            app_commands.Choice(name=truncate(one_line(label), CHOICE_LIMIT) or key, value=key)
            for key, label in pairs
            if 0 < len(key) <= CHOICE_LIMIT
        ]

    async def apologise(self, interaction: discord.Interaction, notice: Notice) -> None:
        await _best_effort(self.delivery.respond(interaction, render(notice), ephemeral=True))

    # -- the table, off the event loop -------------------------------------------------------------------
    async def call(self, function: Callable[..., Reply], *args: Any) -> Reply:
        """A table call in a worker thread; if it raises anyway, an apology with a reference id."""
        try:
            return await asyncio.to_thread(function, *args)
        except Exception:
            return apology(log, "%s failed", getattr(function, "__name__", function))

    def _interaction_allowed(self, interaction: discord.Interaction) -> bool:
        channel = interaction.channel
        if isinstance(channel, discord.DMChannel):
            return True
        return self.allows(interaction.channel_id, getattr(channel, "parent_id", None))


def origin_of(channel: Any, channel_id: int | None, user_id: int, thread: str = "") -> Origin:
    """Where a request came from: its channel (a DM is `direct`; a thread names its channel as `parent`,
    whose sources it sees unless `channels:` lists the thread itself)."""
    parent = getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None
    return Origin(
        PLATFORM,
        str(channel_id or ""),
        str(user_id),
        thread,
        direct=isinstance(channel, discord.DMChannel)
        or getattr(channel, "type", None) == discord.ChannelType.private,  # a PartialMessageable DM
        parent=str(parent or ""),
    )


def interaction_origin(interaction: discord.Interaction) -> Origin:
    """The origin of a slash command, click or autocomplete."""
    return origin_of(interaction.channel, interaction.channel_id, interaction.user.id)


def strip_mentions(content: str, user_id: int, role_id: int | None = None) -> str:
    """The question without the bot's own mention(s) (`<@id>`, `<@!id>`, its managed role)."""
    pattern = rf"<@!?{user_id}>" + (rf"|<@&{role_id}>" if role_id is not None else "")
    return re.sub(pattern, " ", content).strip()


def _self_role_id(message: discord.Message) -> int | None:
    """Typing @citebot sometimes inserts the bot's managed role rather than the bot itself."""
    guild = message.guild
    role = guild.self_role if guild is not None and guild.me is not None else None
    return role.id if role is not None else None


async def _best_effort(sending: Any) -> None:
    """Sending the apology itself may fail (no permission, interaction expired): log, never raise."""
    try:
        await sending
    except Undelivered:
        return  # logged once already
    except Exception:
        log.warning("could not send the apology", exc_info=True)


async def _keep_typing(channel: Any) -> None:
    """ "citebot is typing…" until cancelled: best effort, each call bounded, never in the answer's way."""
    while True:
        try:
            async with asyncio.timeout(DECORATION_TIMEOUT_S):
                await channel.typing()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a 429, a 403, a timeout: the answer matters, the indicator does not
            log.debug("typing indicator in %s skipped: %s", getattr(channel, "id", "?"), error)
        await asyncio.sleep(TYPING_EVERY_S)


class Stages:
    """Milliseconds from the event's arrival to each named stage; prints as
    `claim 2 ms, embed 9 ms, search 30 ms, compose 12 ms, answer 5 ms, deliver 80 ms`."""

    def __init__(self, arrived: float) -> None:
        self.arrived = arrived
        self.last = arrived
        self.marks: list[tuple[str, float]] = []

    def mark(self, name: str, parts: dict[str, float] | None = None) -> None:
        """The time since the last mark, as `name`; `parts` (the engine's embed/search/compose ms) are
        listed before it and taken out of it."""
        now = time.monotonic()
        spent = (now - self.last) * 1000
        for part, ms in (parts or {}).items():
            self.marks.append((part, ms))
            spent -= ms
        self.marks.append((name, max(spent, 0.0)))
        self.last = now

    def total_ms(self) -> float:
        return (self.last - self.arrived) * 1000

    def __str__(self) -> str:
        return ", ".join(f"{name} {ms:.0f} ms" for name, ms in self.marks)
