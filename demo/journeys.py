"""Which states a program's applications pass through, read from the state machine and the program's rule profile.

The demo shows, for every program, one application waiting at each stage the program's procedure has. Nothing here
names a program or lists a program's stages: the route is the longest path of forward transitions
(``applications.workflow.TRANSITIONS`` with their sources under the profile) from 草稿 to the successful outcome, so
a stage added to the workflow or switched on in a profile shows up in the demo without a change here.
"""
from applications import workflow
from applications.models import State

#: outcomes that end an application without success; the route never goes through them
ENDINGS = frozenset(workflow.TERMINAL_STATES) - {workflow.PIPELINE[-1]}


def _edges(profile):
    """{state: [(transition name, target)]} of the transitions leaving each state on this program."""
    edges = {}
    for name, transition in workflow.TRANSITIONS.items():
        if transition.target in ENDINGS:
            continue
        for source in transition.sources(profile):
            edges.setdefault(State(source), []).append((name, State(transition.target)))
    return edges


def route(profile):
    """[(transition name, state reached)] from 草稿 to the program's successful outcome, through every stage the
    program has: the longest simple path of forward transitions (returns and loops are never longer)."""
    edges, goal = _edges(profile), State(workflow.PIPELINE[-1])
    best = []

    def walk(state, path, seen):
        nonlocal best
        if state == goal:
            if len(path) > len(best):
                best = list(path)
            return
        for name, target in edges.get(state, ()):
            if target not in seen:
                seen.add(target)
                path.append((name, target))
                walk(target, path, seen)
                path.pop()
                seen.discard(target)

    walk(State.DRAFT, [], {State.DRAFT})
    return best


def waiting_states(profile):
    """Every state an application of this program can wait in on its way, in order: 草稿, each state of ``route``
    and the side states one transition off it that still wait for someone (e.g. 退回修改, waiting for the applicant),
    each right after the state it leaves from. Returns [(state, steps)] where steps are the (transition, state)
    pairs that reach it from 草稿."""
    main = route(profile)
    edges = _edges(profile)
    on_route = {State.DRAFT} | {state for _name, state in main}
    result = [(State.DRAFT, [])]
    for i, (name, state) in enumerate(main):
        steps = main[:i + 1]
        result.append((state, steps))
        for side_name, side in edges.get(state, ()):
            if side not in on_route and side not in workflow.TERMINAL_STATES and all(s != side for s, _ in result):
                result.append((side, steps + [(side_name, side)]))
    return result
