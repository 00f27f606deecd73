"""Build hook: pack the bundled exercises into the wheel, from the repository's folders.

``references/``, ``audio_samples/`` and ``examples/`` stay at the top of the repository (the
source of truth); a wheel carries each whole folder as ``transcribe/_bundled/<folder>``, where
``transcribe.bundled`` looks first. An editable install gets no copy: it reads the
repository's folders, so a file added there is seen at once.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FOLDERS = ("references", "audio_samples", "examples")


class BundledExercisesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return
        for folder in FOLDERS:
            build_data["force_include"][folder] = f"transcribe/_bundled/{folder}"
