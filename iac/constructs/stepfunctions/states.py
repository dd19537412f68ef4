"""The states of a Step Functions workflow, chained with `.next()`, rendered as the Amazon States Language.

States are plain objects, not constructs: a definition is a graph of them that a `StateMachine` checks
and writes into its template. Each state remembers the line of the user's code that created it (and each
`.next()` the line that made the transition), so every problem the graph check finds points there.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import Token
from iac.constructs.core.units import Duration, UnitError, convert_quantity
from iac.constructs.stepfunctions import _asl
from iac.errors import ConstructError

if TYPE_CHECKING:
    from iac.constructs.stepfunctions.conditions import Condition

#: ASL's null for InputPath/OutputPath/ResultPath: `result_path=DISCARD` keeps the state's input unchanged
#: (a result written nowhere), `input_path=DISCARD` gives the state `{}`, `output_path=DISCARD` passes `{}` on.
DISCARD: Any = type("Discard", (), {"__repr__": lambda self: "DISCARD"})()


class Errors:
    """The error names the States Language predefines (use them in `add_retry` / `add_catch`)."""

    ALL = "States.ALL"
    TIMEOUT = "States.Timeout"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"


def state_error(state: State | None, message: str, *, location: SourceLocation | None = None,
                hint: str | None = None, path: str | None = None) -> ConstructError:
    """A ConstructError about `state`, at the user's line (the state's own unless `location` says otherwise)."""
    return ConstructError(message, path=path, location=location or (state.location if state else caller_location()),
                          hint=hint)


def check_path(state: State, field: str, value: Any) -> Any:
    """A JSONPath field (InputPath, OutputPath, ResultPath): None leaves it out, DISCARD writes null."""
    if value is None:
        return value
    if value is DISCARD:
        if not _asl.field_accepts_null(state.type_name, "".join(word.title() for word in field.split("_"))):
            raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field} cannot be "
                                     "DISCARD here (the States Language schema takes only a path for it)",
                              location=caller_location())
        return value
    if not isinstance(value, str) or not _asl.path_pattern().search(value):
        raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field} must be a "
                                 f"JSONPath starting with '$' (such as '$.result'), got {value!r}")
    return value


def check_parameters(state: State, field: str, value: Any) -> dict[str, Any] | None:
    """A Parameters-like object: keys ending in ".$" take a path or an intrinsic function (a string)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field} must be a "
                                 f"dict, got {type(value).__name__}")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, Mapping):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise state_error(state, f"{state.type_name} state {state.name!r}: {field} key {key!r} at "
                                             f"{where or 'the top'} is not a string")
                if key.endswith(".$") and not (isinstance(item, str) and not isinstance(item, Token)):
                    raise state_error(state, f"{state.type_name} state {state.name!r}: {field}[{key!r}] ends in "
                                             f"'.$', so its value must be a path or an intrinsic function (a string, "
                                             f"such as '$.id'), got {item!r}",
                                      hint=f"drop the '.$' to pass {item!r} as it is")
                walk(item, f"{where}.{key}" if where else key)
        elif isinstance(node, list | tuple):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]")

    walk(value, "")
    return dict(value)


def seconds_of(state: State, field: str, value: Any, *, minimum: float | None) -> int | None:
    """A Duration or a number of seconds as a whole number of seconds, at least `minimum`."""
    if value is None:
        return None
    try:
        seconds = convert_quantity(value, "seconds")
    except UnitError as error:
        raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field}: {error}",
                          location=caller_location()) from None
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field} must be a "
                                 f"Duration or a whole number of seconds, got {value!r}", location=caller_location())
    if minimum is not None and seconds < minimum:
        raise state_error(state, f"invalid argument for {state.type_name} state {state.name!r}: {field} must be at "
                                 f"least {minimum:g} seconds, got {seconds}", location=caller_location())
    return seconds


def drop_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that are set (DISCARD becomes JSON null)."""
    return {key: (None if value is DISCARD else value) for key, value in fields.items() if value is not None}


# -- transitions and chains -------------------------------------------------------------------------

class Transition:
    """An edge of the graph: from a state to a state (or to a state's name), made at `location`."""

    def __init__(self, target: State | str, location: SourceLocation | None, label: str) -> None:
        self.target = target
        self.location = location
        self.label = label  # "Next", "Default", "Choices[0]", "Catch[0]"

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.name


class Chain:
    """A sequence of states: its first state, and the states the next `.next()` continues from.

    `a.next(b).next(c)` is a Chain that starts at `a` and continues from `c`.
    """

    def __init__(self, start: State, ends: Sequence[State], last: State | str) -> None:
        self._start = start
        self._ends = list(ends)
        self._last = last

    @staticmethod
    def start(state: State) -> Chain:
        """A chain of one state, to build on: `Chain.start(first).next(second)`."""
        if not isinstance(state, State):
            raise state_error(None, f"Chain.start takes a state, got {state!r}")
        return Chain(state, state.end_states, state)

    @property
    def start_state(self) -> State:
        return self._start

    @property
    def end_states(self) -> list[State]:
        return list(self._ends)

    def next(self, target: Chainable | str) -> Chain:
        """Go on to `target` (a state, a chain, or the name of a state of the same state machine)."""
        location = caller_location()
        if not self._ends:
            if isinstance(self._last, str):
                raise state_error(None, f"this chain cannot go on: it ends in a transition to {self._last!r}, "
                                        "a state named, not held", location=location,
                                  hint=f"continue from the state {self._last!r} itself")
            raise state_error(None, f"this chain cannot go on: it ends in {self._last.type_name} state "
                                    f"{self._last.name!r}, which has no Next", location=location,
                              hint="a Choice continues through when()/otherwise(); Succeed and Fail end the run")
        for end in self._ends:
            end._set_next(target, location)
        return _chain_after(self._start, target)


def _chain_after(start: State, target: Chainable | str) -> Chain:
    if isinstance(target, str):
        return Chain(start, [], target)
    return Chain(start, target.end_states, _last_of(target))


def _last_of(target: Chainable) -> State | str:
    return target._last if isinstance(target, Chain) else target


def start_of(target: Any, *, owner: State, what: str) -> State | str:
    """The state a transition goes to: a state, a chain's first state, or a name."""
    if isinstance(target, State | str):
        if isinstance(target, str) and not target:
            raise state_error(owner, f"{owner.type_name} state {owner.name!r}: {what} names no state ('')",
                              location=caller_location())
        return target
    if isinstance(target, Chain):
        return target.start_state
    raise state_error(owner, f"{owner.type_name} state {owner.name!r}: {what} must be a state, a chain or a state's "
                             f"name, got {type(target).__name__}", location=caller_location())


# -- states ----------------------------------------------------------------------------------------

class State:
    """What every state has: a name unique in its state machine, an optional comment, and where the user
    created it. Subclasses say how the state is written in the States Language."""

    type_name: ClassVar[str] = "State"

    def __init__(self, name: str, *, comment: str | None = None) -> None:
        self.location = caller_location()
        if not isinstance(name, str) or not _asl.state_name_pattern().fullmatch(name):
            raise state_error(self, f"invalid {self.type_name} state name {name!r}: a state name must match "
                                    f"{_asl.state_name_pattern().pattern!r} (the States Language schema)")
        if comment is not None and not isinstance(comment, str):
            raise state_error(self, f"{self.type_name} state {name!r}: comment must be a string, got {comment!r}")
        self.name = name
        self.comment = comment
        self.machine_path: str | None = None  # set when a StateMachine takes the state
        self.predecessors: list[tuple[State, Transition]] = []

    def __repr__(self) -> str:
        return f"<{self.type_name} {self.name!r}>"

    # chaining
    @property
    def start_state(self) -> State:
        return self

    @property
    def end_states(self) -> list[State]:
        """The states a `.next()` after this one continues from."""
        return []

    def next(self, target: Chainable | str) -> Chain:
        """Go on to `target` (a state, a chain, or the name of a state of the same state machine)."""
        self._set_next(target, caller_location())
        return _chain_after(self, target)

    def _set_next(self, target: Chainable | str, location: SourceLocation | None) -> None:
        raise state_error(self, f"{self.type_name} state {self.name!r} has no Next: it ends the run",
                          location=location)

    def _check_open(self, location: SourceLocation | None = None) -> None:
        if self.machine_path is not None:
            raise state_error(self, f"{self.type_name} state {self.name!r} already belongs to the state machine "
                                    f"{self.machine_path}: change a definition before the StateMachine takes it",
                              location=location or caller_location())

    def _link(self, target: Chainable | str, location: SourceLocation | None, label: str) -> Transition:
        start = start_of(target, owner=self, what=label)
        transition = Transition(start, location, label)
        if isinstance(start, State):
            start.predecessors.append((self, transition))
        return transition

    # the graph
    def transitions(self) -> list[Transition]:
        """Every edge out of this state (next, choices, default, catches)."""
        return []

    def branches(self) -> list[tuple[str, State]]:
        """The sub-graphs this state runs (a Parallel's branches, a Map's item processor): (label, start)."""
        return []

    @property
    def ends_run(self) -> bool:
        """True when the run (or branch) ends at this state."""
        return False

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError


class _Next(State):
    """A state that goes on to one next state, or ends the run when it has none (End: true)."""

    def __init__(self, name: str, *, comment: str | None = None) -> None:
        super().__init__(name, comment=comment)
        self._next: Transition | None = None

    @property
    def end_states(self) -> list[State]:
        return [self]

    def _set_next(self, target: Chainable | str, location: SourceLocation | None) -> None:
        self._check_open(location)
        if self._next is not None:
            where = f" (at {self._next.location})" if self._next.location else ""
            raise state_error(self, f"{self.type_name} state {self.name!r} already goes to "
                                    f"{self._next.target_name!r}{where}", location=location)
        self._next = self._link(target, location, "Next")

    def transitions(self) -> list[Transition]:
        return [self._next] if self._next is not None else []

    @property
    def ends_run(self) -> bool:
        return self._next is None

    def _flow(self) -> dict[str, Any]:
        return {"Next": self._next.target_name} if self._next is not None else {"End": True}


class Retry:
    """One retrier (`add_retry` makes them)."""

    def __init__(self, errors: list[str], interval: int | None, max_attempts: int | None, backoff_rate: float | None,
                 max_delay: int | None, jitter: str | None) -> None:
        self.errors = errors
        self.interval = interval
        self.max_attempts = max_attempts
        self.backoff_rate = backoff_rate
        self.max_delay = max_delay
        self.jitter = jitter

    def to_asl(self) -> dict[str, Any]:
        return drop_none({"ErrorEquals": self.errors, "IntervalSeconds": self.interval,
                          "MaxAttempts": self.max_attempts, "BackoffRate": self.backoff_rate,
                          "MaxDelaySeconds": self.max_delay, "JitterStrategy": self.jitter})


class _Resilient(_Next):
    """A state that can retry on errors and catch them (Task, Parallel, Map)."""

    def __init__(self, name: str, *, comment: str | None = None) -> None:
        super().__init__(name, comment=comment)
        self.retries: list[Retry] = []
        self.catches: list[tuple[Transition, list[str], Any]] = []

    def _errors(self, errors: Sequence[str], what: str, earlier: Sequence[list[str]]) -> list[str]:
        location = caller_location()
        if isinstance(errors, str) or not errors or not all(isinstance(e, str) and e for e in errors):
            raise state_error(self, f"{self.type_name} state {self.name!r}: {what} errors must be a non-empty list of "
                                    f"error names (such as [Errors.TIMEOUT]), got {errors!r}", location=location)
        errors = list(errors)
        if Errors.ALL in errors and len(errors) > 1:
            raise state_error(self, f"{self.type_name} state {self.name!r}: {Errors.ALL} must appear alone in a "
                                    f"{what}'s errors, got {errors!r}", location=location)
        if any(Errors.ALL in previous for previous in earlier):
            raise state_error(self, f"{self.type_name} state {self.name!r}: this {what} comes after one for "
                                    f"{Errors.ALL}, which matches every error, so it would never run",
                              location=location, hint=f"add the {what} for {Errors.ALL} last")
        return errors

    def add_retry(self, *, errors: Sequence[str] = (Errors.ALL,), interval: int | Duration | None = None,
                  max_attempts: int | None = None, backoff_rate: float | None = None,
                  max_delay: int | Duration | None = None, jitter: Literal["FULL", "NONE"] | None = None) -> Self:
        """Retry the state when it fails with one of `errors`: first after `interval` (Step Functions' default
        1 second), each wait `backoff_rate` times the last (default 2.0) up to `max_delay`, at most
        `max_attempts` times (default 3; 0 never retries); `jitter="FULL"` randomizes the waits.
        Retriers are tried in the order they were added. Returns the state, to chain more calls."""
        self._check_open()
        location = caller_location()
        error_names = self._errors(errors, "retrier", [r.errors for r in self.retries])
        # The States Language: IntervalSeconds and MaxDelaySeconds are positive integers, MaxAttempts a
        # non-negative integer, BackoffRate at least 1.0 (https://states-language.net/spec.html#retrying-after-error).
        seconds = seconds_of(self, "interval", interval, minimum=1)
        delay = seconds_of(self, "max_delay", max_delay, minimum=1)
        if max_attempts is not None and (not isinstance(max_attempts, int) or isinstance(max_attempts, bool)
                                         or max_attempts < 0):
            raise state_error(self, f"{self.type_name} state {self.name!r}: max_attempts must be a whole number, 0 or "
                                    f"more, got {max_attempts!r}", location=location)
        if backoff_rate is not None and (not isinstance(backoff_rate, int | float) or isinstance(backoff_rate, bool)
                                         or backoff_rate < 1.0):
            raise state_error(self, f"{self.type_name} state {self.name!r}: backoff_rate must be a number of at least "
                                    f"1.0, got {backoff_rate!r}", location=location)
        if jitter not in (None, "FULL", "NONE"):
            raise state_error(self, f"{self.type_name} state {self.name!r}: jitter must be 'FULL' or 'NONE', got "
                                    f"{jitter!r}", location=location)
        self.retries.append(Retry(error_names, seconds, max_attempts, backoff_rate, delay, jitter))
        return self

    def add_catch(self, handler: Chainable | str, *, errors: Sequence[str] = (Errors.ALL,),
                  result_path: str | None = None) -> Self:
        """When the state fails with one of `errors` (after its retries), go to `handler` with the error
        (Error and Cause) at `result_path` (default: the error replaces the input). Catchers are tried in
        the order they were added. Returns the state, to chain more calls."""
        self._check_open()
        location = caller_location()
        error_names = self._errors(errors, "catcher", [c[1] for c in self.catches])
        check_path(self, "result_path", result_path)
        transition = self._link(handler, location, f"Catch[{len(self.catches)}]")
        self.catches.append((transition, error_names, result_path))
        return self

    def transitions(self) -> list[Transition]:
        return super().transitions() + [catch[0] for catch in self.catches]

    def _resilience(self) -> dict[str, Any]:
        return drop_none({
            "Retry": [r.to_asl() for r in self.retries] or None,
            "Catch": [drop_none({"ErrorEquals": errors, "ResultPath": result_path, "Next": t.target_name})
                      for t, errors, result_path in self.catches] or None,
        })


class Pass(_Next):
    """Passes its input on, or a fixed `result`, or a reshaped `parameters` (ASL `Pass`).

    Args:
        name: the state's name, unique in the state machine.
        comment: a description of the state.
        result: a fixed value to pass on instead of the input (written at `result_path`).
        parameters: a new input built from the input: {"id.$": "$.order.id", "kind": "order"}.
        input_path: the part of the input the state sees ('$.order'); DISCARD gives it {}.
        result_path: where the result goes in the input ('$.result'); DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on ('$.result').
    """

    type_name = "Pass"

    def __init__(self, name: str, *, comment: str | None = None, result: Any = None,
                 parameters: Mapping[str, Any] | None = None, input_path: str | None = None,
                 result_path: str | None = None, output_path: str | None = None) -> None:
        super().__init__(name, comment=comment)
        self.result = result
        self.parameters = check_parameters(self, "parameters", parameters)
        self.input_path = check_path(self, "input_path", input_path)
        self.result_path = check_path(self, "result_path", result_path)
        self.output_path = check_path(self, "output_path", output_path)

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({"Type": "Pass", "Comment": self.comment, "InputPath": self.input_path,
                          "Parameters": self.parameters, "Result": self.result, "ResultPath": self.result_path,
                          "OutputPath": self.output_path, **self._flow()})


class Wait(_Next):
    """Waits for a time, or until a timestamp, then goes on (ASL `Wait`). Give exactly one of `seconds`,
    `seconds_path`, `timestamp` and `timestamp_path`.

    Args:
        name: the state's name, unique in the state machine.
        seconds: how long to wait: a Duration or a number of seconds (at most what the States Language
            schema allows).
        seconds_path: the path of the input holding the number of seconds ('$.delay').
        timestamp: the time to wait until, an ISO 8601 timestamp ('2026-12-31T00:00:00Z').
        timestamp_path: the path of the input holding the timestamp.
        comment: a description of the state.
        input_path: the part of the input the state sees.
        output_path: the part of the input passed on.
    """

    type_name = "Wait"

    def __init__(self, name: str, *, seconds: int | Duration | None = None, seconds_path: str | None = None,
                 timestamp: str | None = None, timestamp_path: str | None = None, comment: str | None = None,
                 input_path: str | None = None, output_path: str | None = None) -> None:
        super().__init__(name, comment=comment)
        given = [value for value in (seconds, seconds_path, timestamp, timestamp_path) if value is not None]
        if len(given) != 1:
            raise state_error(self, f"Wait state {name!r} needs exactly one of seconds=, seconds_path=, timestamp= "
                                    f"and timestamp_path=, got {len(given)}")
        self.seconds = seconds_of(self, "seconds", seconds, minimum=_asl.field_minimum("wait", "Seconds"))
        longest = _asl.field_maximum("wait", "Seconds")
        if self.seconds is not None and longest is not None and self.seconds > longest:
            raise state_error(self, f"invalid argument for Wait state {name!r}: seconds must be at most {longest} "
                                    f"(the States Language schema), got {self.seconds}")
        self.seconds_path = check_path(self, "seconds_path", seconds_path)
        self.timestamp_path = check_path(self, "timestamp_path", timestamp_path)
        if timestamp is not None and not isinstance(timestamp, str):
            raise state_error(self, f"invalid argument for Wait state {name!r}: timestamp must be an ISO 8601 string, "
                                    f"got {timestamp!r}")
        self.timestamp = timestamp
        self.input_path = check_path(self, "input_path", input_path)
        self.output_path = check_path(self, "output_path", output_path)

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({"Type": "Wait", "Comment": self.comment, "Seconds": self.seconds,
                          "SecondsPath": self.seconds_path, "Timestamp": self.timestamp,
                          "TimestampPath": self.timestamp_path, "InputPath": self.input_path,
                          "OutputPath": self.output_path, **self._flow()})


class Succeed(State):
    """Ends the run (or the branch) successfully, with its input as the output (ASL `Succeed`).

    Args:
        name: the state's name, unique in the state machine.
        comment: a description of the state.
    """

    type_name = "Succeed"

    @property
    def ends_run(self) -> bool:
        return True

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({"Type": "Succeed", "Comment": self.comment})


class Fail(State):
    """Ends the run (or the branch) as failed, with an error name and a cause (ASL `Fail`).

    Args:
        name: the state's name, unique in the state machine.
        error: the error name the run fails with ('OrderRejected'); a catcher of an enclosing Parallel
            or Map matches it.
        cause: a human-readable explanation.
        error_path: the path of the input holding the error name (instead of `error`).
        cause_path: the path of the input holding the cause (instead of `cause`).
        comment: a description of the state.
    """

    type_name = "Fail"

    def __init__(self, name: str, *, error: str | None = None, cause: str | None = None,
                 error_path: str | None = None, cause_path: str | None = None, comment: str | None = None) -> None:
        super().__init__(name, comment=comment)
        for field, literal, path in (("error", error, error_path), ("cause", cause, cause_path)):
            if literal is not None and path is not None:
                raise state_error(self, f"Fail state {name!r}: give {field}= or {field}_path=, not both")
            if literal is not None and not isinstance(literal, str):
                raise state_error(self, f"Fail state {name!r}: {field} must be a string, got {literal!r}")
        self.error = error
        self.cause = cause
        self.error_path = check_path(self, "error_path", error_path)
        self.cause_path = check_path(self, "cause_path", cause_path)

    @property
    def ends_run(self) -> bool:
        return True

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({"Type": "Fail", "Comment": self.comment, "Error": self.error, "ErrorPath": self.error_path,
                          "Cause": self.cause, "CausePath": self.cause_path})


class Choice(State):
    """Goes to the first state whose condition holds, else to the `otherwise` state (ASL `Choice`).

        Choice("Paid?").when(Condition.string_equals("$.status", "PAID"), ship).otherwise(wait)

    A Choice has no Next of its own: each branch goes on from its own state. With no `otherwise`, a run
    that matches no condition fails with States.NoChoiceMatched.

    Args:
        name: the state's name, unique in the state machine.
        comment: a description of the state.
        input_path: the part of the input the conditions and the next state see.
        output_path: the part of the input passed on.
    """

    type_name = "Choice"

    def __init__(self, name: str, *, comment: str | None = None, input_path: str | None = None,
                 output_path: str | None = None) -> None:
        super().__init__(name, comment=comment)
        self.input_path = check_path(self, "input_path", input_path)
        self.output_path = check_path(self, "output_path", output_path)
        self.choices: list[tuple[Condition, Transition]] = []
        self.default: Transition | None = None

    def when(self, condition: Condition, target: Chainable | str) -> Choice:
        """Go to `target` when `condition` holds (conditions are tried in the order they were added)."""
        from iac.constructs.stepfunctions.conditions import Condition

        self._check_open()
        location = caller_location()
        if not isinstance(condition, Condition):
            raise state_error(self, f"Choice state {self.name!r}: when() takes a Condition (such as "
                                    f"Condition.string_equals('$.status', 'PAID')), got {condition!r}",
                              location=location)
        self.choices.append((condition, self._link(target, location, f"Choices[{len(self.choices)}]")))
        return self

    def otherwise(self, target: Chainable | str) -> Choice:
        """Go to `target` when no condition holds (the Choice's Default)."""
        self._check_open()
        location = caller_location()
        if self.default is not None:
            raise state_error(self, f"Choice state {self.name!r} already goes to {self.default.target_name!r} "
                                    f"otherwise (at {self.default.location})", location=location)
        self.default = self._link(target, location, "Default")
        return self

    def next(self, target: Chainable | str) -> Chain:
        raise state_error(self, f"Choice state {self.name!r} has no Next: each branch goes on from its own state",
                          location=caller_location(), hint="use .when(condition, state) and .otherwise(state)")

    def transitions(self) -> list[Transition]:
        return [transition for _, transition in self.choices] + ([self.default] if self.default else [])

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({
            "Type": "Choice", "Comment": self.comment, "InputPath": self.input_path, "OutputPath": self.output_path,
            "Choices": [{**condition.to_asl(), "Next": transition.target_name}
                        for condition, transition in self.choices],
            "Default": self.default.target_name if self.default else None,
        })


class Parallel(_Resilient):
    """Runs branches at the same time and goes on with the list of their outputs (ASL `Parallel`). A
    branch is its own graph: its states cannot go to states outside it.

        Parallel("Both").branch(check_stock).branch(charge_card).next(ship)

    Args:
        name: the state's name, unique in the state machine.
        branches: the branches (a state or a chain each); more with `branch()`.
        comment: a description of the state.
        parameters: the input each branch gets, built from the state's input.
        input_path: the part of the input the branches see.
        result_selector: reshapes the list of outputs: {"stock.$": "$[0]", "charge.$": "$[1]"}.
        result_path: where the result goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
    """

    type_name = "Parallel"

    def __init__(self, name: str, *, branches: Sequence[Chainable] = (), comment: str | None = None,
                 parameters: Mapping[str, Any] | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None) -> None:
        super().__init__(name, comment=comment)
        self._branches: list[State] = []
        self.parameters = check_parameters(self, "parameters", parameters)
        self.result_selector = check_parameters(self, "result_selector", result_selector)
        self.input_path = check_path(self, "input_path", input_path)
        self.result_path = check_path(self, "result_path", result_path)
        self.output_path = check_path(self, "output_path", output_path)
        for branch in branches:
            self.branch(branch)

    def branch(self, definition: Chainable) -> Parallel:
        """Add a branch: a state or a chain, run from its first state."""
        self._check_open()
        start = start_of(definition, owner=self, what="a branch")
        if isinstance(start, str):
            raise state_error(self, f"Parallel state {self.name!r}: a branch is a state or a chain, not a name "
                                    f"({start!r})", location=caller_location())
        self._branches.append(start)
        return self

    def branches(self) -> list[tuple[str, State]]:
        return [(f"branch {index + 1} of Parallel state {self.name!r}", start)
                for index, start in enumerate(self._branches)]

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({
            "Type": "Parallel", "Comment": self.comment, "InputPath": self.input_path, "Parameters": self.parameters,
            "Branches": [render_branch(start) for start in self._branches],
            "ResultSelector": self.result_selector, "ResultPath": self.result_path, "OutputPath": self.output_path,
            **self._resilience(), **self._flow(),
        })


class Map(_Resilient):
    """Runs `item_processor` for each item of a list in the input, and goes on with the list of results
    (ASL `Map`, inline mode). The item processor is its own graph, like a Parallel branch.

        Map("Each order", items_path="$.orders", max_concurrency=5, item_processor=process_order)

    Args:
        name: the state's name, unique in the state machine.
        item_processor: what runs for each item: a state or a chain.
        items_path: the path of the list in the input (default: the input itself, '$').
        item_selector: the input each iteration gets: {"order.$": "$$.Map.Item.Value", "batch.$": "$.batch"}.
        max_concurrency: how many items run at once (0, the default, means as many as possible).
        comment: a description of the state.
        input_path: the part of the input the state sees.
        result_selector: reshapes the list of results.
        result_path: where the results go in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
    """

    type_name = "Map"

    def __init__(self, name: str, *, item_processor: Chainable, items_path: str | None = None,
                 item_selector: Mapping[str, Any] | None = None, max_concurrency: int | None = None,
                 comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None) -> None:
        super().__init__(name, comment=comment)
        start = start_of(item_processor, owner=self, what="item_processor")
        if isinstance(start, str):
            raise state_error(self, f"Map state {name!r}: item_processor is a state or a chain, not a name "
                                    f"({start!r})")
        self.item_processor = start
        self.items_path = check_path(self, "items_path", items_path)
        self.item_selector = check_parameters(self, "item_selector", item_selector)
        least = _asl.field_minimum("map", "MaxConcurrency")
        if max_concurrency is not None and (not isinstance(max_concurrency, int) or isinstance(max_concurrency, bool)
                                            or (least is not None and max_concurrency < least)):
            raise state_error(self, f"invalid argument for Map state {name!r}: max_concurrency must be a whole number "
                                    f"of at least {least or 0:g}, got {max_concurrency!r}")
        self.max_concurrency = max_concurrency
        self.input_path = check_path(self, "input_path", input_path)
        self.result_selector = check_parameters(self, "result_selector", result_selector)
        self.result_path = check_path(self, "result_path", result_path)
        self.output_path = check_path(self, "output_path", output_path)

    def branches(self) -> list[tuple[str, State]]:
        return [(f"the item processor of Map state {self.name!r}", self.item_processor)]

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({
            "Type": "Map", "Comment": self.comment, "InputPath": self.input_path, "ItemsPath": self.items_path,
            "ItemSelector": self.item_selector, "MaxConcurrency": self.max_concurrency,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **render_branch(self.item_processor)},
            "ResultSelector": self.result_selector, "ResultPath": self.result_path, "OutputPath": self.output_path,
            **self._resilience(), **self._flow(),
        })


#: What a transition may go to, a Parallel branch or a Map item processor be: a state or a chain.
Chainable = State | Chain


def close_names(name: str, names: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
