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


#: the endings a decision on the merits reaches: 不予受理, 未入围, 未获奖 (the committee's or the government's),
#: 撤销奖励. Withdrawal and disqualification can happen at any stage and are not shown this way.
UNSUCCESSFUL = (State.REJECTED, State.NOT_FINALIST, State.NOT_AWARDED, State.REVOKED)


def outcomes(profile):
    """The applications the demo ends otherwise than with success, read from the state machine like
    ``waiting_states``: [(state, steps)] where steps reach it from 草稿 along ``route``.

    - each return that asks for corrections (a transition with a reason that does not end the application) taken
      at the last stage of the route it leaves from, unless ``waiting_states`` already has that very journey
      (the recommender's 退回修改): the secretariat's return during its eligibility review;
    - each ending of ``UNSUCCESSFUL`` at the first and at the last stage of the route it leaves from: 未入围 at
      material review where the program eliminates there (巩义 第十七条（五）) and after the last review stage;
      未获奖 by the committee's vote and by the government's decision;
    - 撤销奖励 only where the document provides for it (the transition's sources read the profile)."""
    main = route(profile)
    states = [State.DRAFT] + [state for _name, state in main]
    reach = {state: main[:i] for i, state in enumerate(states)}  # steps from 草稿 to each state of the route
    waiting = [steps for _state, steps in waiting_states(profile)]
    result = []
    for name, transition in workflow.TRANSITIONS.items():
        target = State(transition.target)
        returns = transition.reason_required and target not in workflow.TERMINAL_STATES
        if not (returns or target in UNSUCCESSFUL):
            continue
        sources = [s for s in states if s in transition.sources(profile)]
        if not sources:
            continue
        chosen = sources[-1:] if returns else list(dict.fromkeys([sources[0], sources[-1]]))
        for source in chosen:
            steps = reach[source] + [(name, target)]
            if steps not in waiting:
                result.append((target, steps))
    return result
