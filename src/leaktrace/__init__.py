"""leaktrace: individually marked copies of sensitive documents, and tracing of leaks to the copy."""

from .errors import LeaktraceError
from .workspace import Workspace

__all__ = ["LeaktraceError", "Workspace"]
__version__ = "0.1.0"
