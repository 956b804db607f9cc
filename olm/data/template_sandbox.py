"""A Jinja sandbox with a budget: a chat template from a file can neither hang nor fill memory.

Jinja's immutable sandbox already stops a template from reaching Python internals, but not
from asking for work: ``{% for i in range(100000) %}{% for j in range(100000) %}`` loops
10**10 times, ``{{ 'a' * 100000000 * 100 }}`` asks for 10 GB, and ``{% set s = s ~ s %}``
doubles a string each turn. A template is data someone else wrote, so rendering it is
bounded like every other reader (:mod:`olm.core.limits`):

- every string, list or integer a template makes (``*``, ``+``, ``~``, ``%``, ``**``, a
  method or filter such as ``center``/``join``) is sized *before* it is made, and refused
  beyond :data:`~olm.core.limits.MAX_CHAT_CHARS`, and all it makes together beyond
  :data:`~olm.core.limits.MAX_CHAT_MADE`;
- every loop iteration and every call spends one step of
  :data:`~olm.core.limits.MAX_CHAT_STEPS`, and the render stops after
  :data:`~olm.core.limits.MAX_CHAT_SECONDS`;
- the text produced is counted as it is produced;
- ``{% include %}``, ``{% import %}``, ``{% from %}`` and ``{% extends %}`` are refused with
  their name: a chat template is one text, and nothing is loaded from anywhere.

Any failure is a :class:`TemplateLimitError` (an ``OLMError``) naming the rule.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from olm.core import limits
from olm.core.errors import OLMError

__all__ = ["BoundedSandbox", "TemplateLimitError", "render_bounded"]

# The statements that load another template, as the user writes them.
_LOADERS = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from",
            nodes.Extends: "extends"}
_INT_BITS = 4096  # integers a template computes stay below 2**4096
_WIDTH = re.compile(r"\d{8,}")  # a width or precision of 10**7 or more in a format string


class TemplateLimitError(OLMError):
    """A chat template asked for more than a template may: names the limit."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


class _Generator(CodeGenerator):
    """Compiles ``a ~ b`` to the environment's sized join instead of Jinja's ``str_join``."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.sized_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size, step and time budgets (one render at a time)."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}
        self.start()

    # -- budgets ---------------------------------------------------------------------------
    def start(self) -> None:
        """Reset the step, size and time budgets (called before each render)."""
        self.steps = self.made = 0
        self.deadline = time.monotonic() + limits.MAX_CHAT_SECONDS

    def step(self, n: int = 1) -> None:
        """Spend ``n`` steps; refuse once the step or time budget is spent."""
        self.steps += n
        if self.steps > limits.MAX_CHAT_STEPS:
            raise TemplateLimitError(f"the chat template takes more than "
                                     f"{limits.MAX_CHAT_STEPS:,} steps (loop iterations and calls)")
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise TemplateLimitError(f"the chat template takes longer than "
                                     f"{limits.MAX_CHAT_SECONDS:g} s to render")

    def counted(self, items: Iterable[Any]) -> Iterator[Any]:
        """``items``, spending one step per item (every ``{% for %}`` iterates this)."""
        for item in items:
            self.step()
            yield item

    def check_size(self, n: int, what: str) -> None:
        """Refuse a value of ``n`` characters or items before it is made, and count it
        against the total a render may make (so no template holds many huge values)."""
        if n > limits.MAX_CHAT_CHARS:
            raise TemplateLimitError(f"the chat template makes {what} of {n:,} characters or "
                                     f"items, more than the {limits.MAX_CHAT_CHARS:,} allowed")
        self.made += n
        if self.made > limits.MAX_CHAT_MADE:
            raise TemplateLimitError(f"the chat template makes more than "
                                     f"{limits.MAX_CHAT_MADE:,} characters or items in all")

    # -- what a template can compute -------------------------------------------------------
    def sized_join(self, parts: tuple) -> str:
        """``a ~ b ~ c`` with its length checked first."""
        texts = [p if isinstance(p, str) else str(p) for p in parts]
        self.check_size(sum(map(len, texts)), "a text joined with ~")
        return "".join(texts)

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        """``*``, ``+``, ``%`` and ``**`` with the size of their result checked first."""
        self.step()
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
        if op == "*":
            if ints and left.bit_length() + right.bit_length() > _INT_BITS:
                raise TemplateLimitError("the chat template computes a number that is too large")
            for seq, times in ((left, right), (right, left)):
                if _size(seq) and isinstance(times, int):
                    self.check_size(_size(seq) * max(times, 0), "a repeated text or list")
        elif op == "+":
            self.check_size(_size(left) + _size(right), "a text or list")
        elif op == "**":
            if ints and right > 0 and left not in (0, 1, -1) and \
                    left.bit_length() * right > _INT_BITS:
                raise TemplateLimitError("the chat template computes a number that is too large")
            if isinstance(right, (int, float)) and abs(right) > 10**6:
                raise TemplateLimitError("the chat template raises to a power that is too large")
        elif op == "%" and isinstance(left, str):
            self._check_format(left)
        return super().call_binop(context, op, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Every call spends a step; arguments that ask for huge results are refused."""
        __self.step()
        if isinstance(__obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (__self.counted(args[0]), *args[1:])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list, tuple)) or __obj is __self.globals.get("range"):
            __self._check_args(args, kwargs)  # "x".center(10**9), "ab".zfill(...)
        if isinstance(owner, str):
            if getattr(__obj, "__name__", "") == "join" and args:
                args = (__self._joinable(args[0], owner),)
            elif getattr(__obj, "__name__", "") in ("format", "format_map"):
                __self._check_format(owner)
        result = super().call(__context, __obj, *args, **kwargs)
        __self.check_size(_size(result), "a value")
        return result

    def _bounded_filter(self, name: str, func: Any) -> Any:
        env = self
        first = 2 if hasattr(func, "jinja_pass_arg") else 1  # the value filtered comes first

        def bounded(*args: Any, **kwargs: Any) -> Any:
            env.step()
            env._check_args(args[first:], kwargs)
            if name == "join":
                values = [a for a in args if isinstance(a, (list, tuple, str))]
                if values:
                    env._joinable(values[0], "")
            if name == "format" and args and isinstance(args[0], str):
                env._check_format(args[0])
            result = func(*args, **kwargs)
            env.check_size(_size(result), f"a value (filter {name!r})")
            return result

        for attr in ("jinja_pass_arg",):  # keep Jinja's context/environment marks
            if hasattr(func, attr):
                setattr(bounded, attr, getattr(func, attr))
        return bounded

    def _check_args(self, args: tuple, kwargs: dict) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and \
                    abs(value) > limits.MAX_CHAT_CHARS:
                raise TemplateLimitError(f"the chat template passes {value:,} to a function or "
                                         f"filter; at most {limits.MAX_CHAT_CHARS:,} is allowed")

    def _joinable(self, items: Any, sep: str) -> list:
        if not isinstance(items, (list, tuple, str)):
            items = list(self.counted(items))
        total = len(sep) * max(len(items) - 1, 0)
        total += sum(len(x) if isinstance(x, str) else len(str(x)) for x in items)
        self.check_size(total, "a joined text")
        return list(items)

    def _check_format(self, text: str) -> None:
        if _WIDTH.search(text):
            raise TemplateLimitError("the chat template formats with a width that is too large")


def _refuse_loaders_and_count_loops(tree: nodes.Template, env: BoundedSandbox) -> None:
    for kind, word in _LOADERS.items():
        found = next(iter(tree.find_all(kind)), None)
        if found is not None:
            raise TemplateLimitError(
                f"the chat template uses {{% {word} %}} (line {found.lineno}), which olm does "
                "not allow: a chat template is one text and loads nothing")
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [loop.iter], [], None,
                               None, lineno=loop.lineno)
        loop.iter.set_environment(env)


def render_bounded(env: BoundedSandbox, source: str, **context: Any) -> str:
    """Render template ``source`` within the budgets of :mod:`olm.data.template_sandbox`.

    Raises:
        TemplateLimitError: the template breaks a limit or uses a loader statement.
        jinja2.TemplateError: the template is malformed (the caller names it).
    """
    if len(source) > limits.MAX_CHAT_CHARS:
        raise TemplateLimitError(f"the chat template has {len(source):,} characters, more "
                                 f"than the {limits.MAX_CHAT_CHARS:,} allowed")
    tree = env.parse(source)
    _refuse_loaders_and_count_loops(tree, env)
    template = env.from_string(tree)
    env.start()
    out, length = [], 0
    for piece in template.generate(**context):
        length += len(piece)
        if length > limits.MAX_CHAT_CHARS:
            env.check_size(length, "a prompt")
        env.step()
        out.append(piece)
    return "".join(out)

