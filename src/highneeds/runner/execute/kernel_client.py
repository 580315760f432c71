"""The client the pipeline talks to its kernels with: jupyter_client's own, ready as soon as the
kernel has answered.

jupyter_client's ``wait_for_ready`` asks the kernel for its info until the reply has come and a
message on IOPub shows that channel is subscribed (a SUB socket misses what is published
before it is; jupyter_client issue 593), then reads IOPub until it has been quiet for a while.
Papermill's client waits so for every notebook, and the run's read ahead for its code: three
times on the model's path. Every reader here takes only the messages that answer its own
requests (nbclient matches each output to its cell's request), so the messages left on
IOPub need no draining: :class:`QuickReadyClient` keeps the check and drops the quiet wait.

jupyter_client is imported with this module: import it only where a kernel is started.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

#: How long to wait for the kernel's reply to each request for its info, and then for a
#: message on IOPub, before asking again (jupyter_client's own values).
INFO_REPLY_WAIT = 1.0
IOPUB_WAIT = 0.2


class QuickReadyClient(AsyncKernelClient):
    """An asynchronous kernel client whose :meth:`wait_for_ready` returns once the kernel has
    replied to a request for its info and IOPub has delivered a message."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=INFO_REPLY_WAIT)
            except Empty:
                reply = None
            # Any reply to a request for its info will do: one to an earlier request (asked
            # again while the kernel was still starting) arrives before this one's, and would
            # otherwise be mistaken for no answer, for ever.
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=IOPUB_WAIT)
                except Empty:
                    pass  # not subscribed yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)  # the protocol version it speaks
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


#: The dotted name a kernel manager's ``client_class`` takes.
CLIENT_CLASS = f"{__name__}.{QuickReadyClient.__name__}"
