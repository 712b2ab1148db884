"""Where flows register their questions and entry points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conversations.turn import Question, Turn

QUESTIONS: dict[str, Question] = {}
FLOWS: dict[str, Flow] = {}
# Placeholders in a queue that turn into questions only when reached (they depend on earlier answers).
MACROS: dict[str, Callable[[Turn, tuple[str, ...]], list[str]]] = {}


@dataclass(frozen=True)
class Flow:
    """A named part of the conversation that can be started from the menu or a command."""

    name: str
    label: str  # N_-marked, translated when shown
    start: Callable[[Turn], None]


def define(name: str, question_def: Question) -> None:
    """Register a question under `name`."""
    if name in QUESTIONS:
        raise ValueError(f"question {name!r} defined twice")
    QUESTIONS[name] = question_def


def flow(name: str, label: str) -> Callable[[Callable[[Turn], None]], Callable[[Turn], None]]:
    """Register the decorated function as the start of flow `name`."""

    def register(start: Callable[[Turn], None]) -> Callable[[Turn], None]:
        FLOWS[name] = Flow(name=name, label=label, start=start)
        return start

    return register


def define_macro(name: str, expand: Callable[[Turn, tuple[str, ...]], list[str]]) -> None:
    """Register a queue placeholder that expands into questions when it reaches the front."""
    MACROS[name] = expand
