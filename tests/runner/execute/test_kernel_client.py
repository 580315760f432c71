"""The kernel client is ready once the kernel has replied and IOPub delivers, with no pause."""

from __future__ import annotations

import asyncio
from collections import deque
from queue import Empty
from typing import Any

import pytest

from highneeds.runner.execute.kernel_client import QuickReadyClient


class FakeChannel:
    """A channel whose ``get_msg`` hands out queued messages, raising ``Empty`` for ``None``;
    with ``endless`` set, one more message every time once the queue is spent."""

    def __init__(self, *messages: dict[str, Any] | None, endless: bool = False) -> None:
        self.messages, self.endless, self.reads = deque(messages), endless, 0

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        self.reads += 1
        await asyncio.sleep(0)  # as a real channel does: a wait that may be cut short
        if self.messages:
            message = self.messages.popleft()
        elif self.endless:
            message = {"msg_type": "status", "parent_header": {"msg_id": "other"}}
        else:
            message = None
        if message is None:
            raise Empty
        return message


def info_reply(request: str) -> dict[str, Any]:
    return {
        "msg_type": "kernel_info_reply",
        "parent_header": {"msg_id": request},
        "content": {"protocol_version": "5.5"},
    }


class ScriptedClient(QuickReadyClient):
    """The client with its channels, requests and liveness scripted."""

    def __init__(self, shell: FakeChannel, iopub: FakeChannel, alive: bool = True) -> None:
        super().__init__()
        self._shell, self._iopub, self._alive, self.requests = shell, iopub, alive, 0

    @property
    def shell_channel(self) -> Any:  # type: ignore[override]
        return self._shell

    @property
    def iopub_channel(self) -> Any:  # type: ignore[override]
        return self._iopub

    def kernel_info(self) -> str:  # type: ignore[override]
        self.requests += 1
        return f"info-{self.requests}"

    async def is_alive(self) -> bool:  # type: ignore[override]
        return self._alive


def test_ready_without_waiting_for_iopub_to_go_quiet() -> None:
    """IOPub never falls silent here: jupyter_client's own wait would read it for ever."""
    iopub = FakeChannel(endless=True)
    client = ScriptedClient(FakeChannel(info_reply("info-1")), iopub)
    asyncio.run(asyncio.wait_for(client.wait_for_ready(timeout=5), timeout=5))
    assert client.requests == 1
    assert iopub.reads == 1  # the one message that shows IOPub is subscribed


def test_asks_again_until_iopub_delivers() -> None:
    """No IOPub message after the first reply: the channel may not be subscribed yet."""
    iopub = FakeChannel(None, {"msg_type": "status", "parent_header": {"msg_id": "info-2"}})
    client = ScriptedClient(FakeChannel(info_reply("info-1"), info_reply("info-2")), iopub)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.requests == 2


def test_a_kernel_slow_to_start_answers_an_earlier_request_and_is_ready() -> None:
    """No reply within the first wait (the kernel still starting): asked again, the kernel then
    answers each request in turn, so the reply read next is to the first one. It shows the
    kernel is up; waiting for a reply to the latest request would wait for ever."""
    iopub = FakeChannel(endless=True)
    client = ScriptedClient(FakeChannel(None, info_reply("info-1"), info_reply("info-2")), iopub)
    asyncio.run(asyncio.wait_for(client.wait_for_ready(timeout=5), timeout=5))
    assert client.requests == 2
    assert iopub.reads == 1


def test_a_reply_of_another_kind_is_not_taken_for_readiness() -> None:
    other = {"msg_type": "execute_reply", "parent_header": {"msg_id": "x"}, "content": {}}
    iopub = FakeChannel(endless=True)
    client = ScriptedClient(FakeChannel(other, info_reply("info-2")), iopub)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.requests == 2
    assert iopub.reads == 1  # read only once a reply to a request for its info came


def test_a_dead_kernel_is_an_error() -> None:
    client = ScriptedClient(FakeChannel(None), FakeChannel(), alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        asyncio.run(client.wait_for_ready(timeout=5))


def test_a_kernel_that_never_replies_times_out() -> None:
    client = ScriptedClient(FakeChannel(None, None, None), FakeChannel())
    with pytest.raises(RuntimeError, match="didn't respond in 0 seconds"):
        asyncio.run(client.wait_for_ready(timeout=0))
