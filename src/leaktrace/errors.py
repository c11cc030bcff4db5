"""Errors a user can cause. The CLI prints their message on one line and exits non-zero."""


class LeaktraceError(Exception):
    """Base class: the message says what was wrong and what to do."""


class WorkspaceError(LeaktraceError):
    """Missing, corrupted or mismatched workspace, database or key."""


class InputError(LeaktraceError):
    """A file or text that cannot be used: empty, binary, too large, malformed."""


class NotFoundError(LeaktraceError):
    """An unknown document, recipient or copy id."""


class ConflictError(LeaktraceError):
    """Something already exists: a duplicate recipient or document."""


class MarkingError(LeaktraceError):
    """A document cannot be marked as asked (too short, no sites in the chosen channels)."""


class LedgerAlteredError(WorkspaceError):
    """The ledger in the database no longer extends its last signed tree head: nothing is
    appended or signed on top of it."""
