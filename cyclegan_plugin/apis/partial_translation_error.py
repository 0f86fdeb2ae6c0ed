"""The error that translate_images ends with when it skipped inputs."""

from typing import List, Tuple


def reason_with_path(path: str, reason: str) -> str:
    """``reason``, prefixed with ``path`` unless it names it already.

    Args:
        path (str): The input file.
        reason (str): Why it was not translated; most image errors already
            name their file.

    Returns:
        str: A reason that names the file once.
    """
    return reason if repr(path) in reason else f'{path!r}: {reason}'


class PartialTranslationError(RuntimeError):
    """Some inputs could not be translated; all the others were written.

    Args:
        written (list[str]): The files written.
        failed (list[tuple[str, str]]): ``(input file, reason)`` of each
            input that was not translated.
    """

    def __init__(self, written: List[str], failed: List[Tuple[str, str]]) -> None:
        self.written = list(written)
        self.failed = list(failed)
        reasons = '; '.join(
            reason_with_path(path, reason) for path, reason in self.failed
        )
        super().__init__(
            f'{len(self.written)} translated, {len(self.failed)} failed: {reasons}'
        )
