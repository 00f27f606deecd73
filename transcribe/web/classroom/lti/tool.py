"""The LTI tool of one server: its keys, the platforms' keysets, the score sender, wired in.

``install(services)`` (called by ``classroom.app.setup``) makes the tool's key on the first
start, puts the tool on ``services.lti``, hooks the workspace's submissions (``on_submit``:
a new attempt queues its note for Moodle) and has the lifespan run the sender's thread.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .keys import ToolKeys
from .launch import Keysets
from .scores import Sender, queue_attempt


@dataclass
class Tool:
    keys: ToolKeys
    keysets: Keysets
    sender: Sender


def install(services) -> Tool:
    keys = ToolKeys(services.settings.work_dir)
    keys.ensure()
    tool = Tool(keys, Keysets(), Sender(services.sessions, keys))
    services.lti = tool
    services.on_submit.append(functools.partial(queue_attempt, services.sessions, tool.sender))
    services.background.append(tool.sender)
    return tool
