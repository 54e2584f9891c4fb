"""Background jobs: long work (imports, index rebuilds, scheduling) off the request, with stored progress.

A job's state lives in the ``jobs`` table, so any server process can report it; the work runs on a small
thread pool inside the process that accepted it (:mod:`matcher.jobs.runner`). What each kind reports as
progress is in :mod:`matcher.jobs.progress`; the engine's ``Jobs`` service starts jobs for callers.
"""

from matcher.jobs.model import INTERRUPTED, Job, JobKind, JobState, Outcome, Progress, Work
from matcher.jobs.runner import Runner, runner_for

__all__ = ["INTERRUPTED", "Job", "JobKind", "JobState", "Outcome", "Progress", "Runner", "Work", "runner_for"]
