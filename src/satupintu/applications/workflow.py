"""Workflows of applications (permohonan): states, actions and who may take them.

Pure rules, no I/O. A workflow is configured per service as a plain dict (JSON), checked
by `parse_workflow`, and used through `allowed_actions` and `apply`.

Definition format::

    {
      "states": {
        "diterima": {"label": {"id": "Diterima", "en": "Received"}, "initial": true},
        "ditolak":  {"label": {...}, "terminal": true, "finished": true},
        ...
      },
      "actions": {
        "tolak": {
          "label": {"id": "Tolak", "en": "Reject"},
          "from": ["diterima", "diverifikasi"], "to": "ditolak",
          "roles": ["counter_officer", "agency_admin"],
          "note_required": true,        # a reason must be written
          "pauses_clock": false,        # the deadline clock stops while in the target state
          "return_to_origin": false     # go back to the state the application came from
        }
      }
    }

State flags: ``initial`` (an application may start here; at least one), ``terminal`` (no
action leaves it), ``finished`` (the service is delivered for the time standard: the clock
stops for good). Roles are the account roles (`accounts.models.Role` values) plus
``applicant`` for the citizen who filed the application.

The clock: an action with ``pauses_clock`` stops the deadline clock; the next action that
does not pause starts it again. All actions into one state must agree on ``pauses_clock``,
so "is the clock paused" is a property of the state (`clock_paused_in`).

Going back: an action with ``return_to_origin`` (the applicant resubmitting after a request
for corrections) returns to the state the application was in before it entered the
current state, when the caller passes it as ``origin``; otherwise it goes to ``to``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..errors import Conflict, DomainError, Errors, Forbidden
from ..roles import Role

APPLICANT = "applicant"
KNOWN_ROLES: frozenset[str] = frozenset({r.value for r in Role} | {APPLICANT})

OFFICER = Role.counter_officer.value
AGENCY_ADMIN = Role.agency_admin.value


@dataclass(frozen=True)
class State:
    name: str
    label_id: str
    label_en: str
    initial: bool = False
    terminal: bool = False
    finished: bool = False

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en


@dataclass(frozen=True)
class Action:
    name: str
    label_id: str
    label_en: str
    from_states: tuple[str, ...]
    to_state: str
    roles: frozenset[str]
    note_required: bool = False
    pauses_clock: bool = False
    return_to_origin: bool = False

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en


@dataclass(frozen=True)
class Workflow:
    states: dict[str, State]  # in definition order
    actions: dict[str, Action]  # in definition order

    @property
    def initial_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.initial]

    @property
    def initial_state(self) -> str:
        """Where a new application starts: the first initial state."""
        return self.initial_states[0]

    @property
    def terminal_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.terminal]

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain JSON-ready data; `parse_workflow(w.to_dict()) == w`."""
        return {
            "states": {
                s.name: {"label": {"id": s.label_id, "en": s.label_en}, "initial": s.initial,
                         "terminal": s.terminal, "finished": s.finished}
                for s in self.states.values()
            },
            "actions": {
                a.name: {"label": {"id": a.label_id, "en": a.label_en}, "from": list(a.from_states),
                         "to": a.to_state, "roles": sorted(a.roles), "note_required": a.note_required,
                         "pauses_clock": a.pauses_clock, "return_to_origin": a.return_to_origin}
                for a in self.actions.values()
            },
        }


# --- The default workflow -------------------------------------------------------------------

_STAFF = [OFFICER, AGENCY_ADMIN]

DEFAULT_WORKFLOW_DEFINITION: dict[str, Any] = {
    "states": {
        "diterima": {"label": {"id": "Diterima", "en": "Received"}, "initial": True},
        "diverifikasi": {"label": {"id": "Diverifikasi", "en": "Verified"}},
        "diproses": {"label": {"id": "Diproses", "en": "In process"}},
        "perlu_perbaikan": {"label": {"id": "Perlu perbaikan", "en": "Needs correction"}},
        "selesai": {"label": {"id": "Selesai, siap diambil", "en": "Finished, ready for pickup"},
                    "finished": True},
        "diambil": {"label": {"id": "Sudah diambil", "en": "Picked up"}, "terminal": True, "finished": True},
        "ditolak": {"label": {"id": "Ditolak", "en": "Rejected"}, "terminal": True, "finished": True},
    },
    "actions": {
        "verifikasi": {"label": {"id": "Verifikasi berkas", "en": "Verify documents"},
                       "from": ["diterima"], "to": "diverifikasi", "roles": _STAFF},
        "proses": {"label": {"id": "Proses", "en": "Process"},
                   "from": ["diverifikasi"], "to": "diproses", "roles": _STAFF},
        "selesaikan": {"label": {"id": "Selesaikan", "en": "Mark finished"},
                       "from": ["diproses"], "to": "selesai", "roles": _STAFF},
        "serahkan": {"label": {"id": "Serahkan ke pemohon", "en": "Hand over to applicant"},
                     "from": ["selesai"], "to": "diambil", "roles": _STAFF},
        "minta_perbaikan": {"label": {"id": "Minta perbaikan", "en": "Request correction"},
                            "from": ["diterima", "diverifikasi", "diproses"], "to": "perlu_perbaikan",
                            "roles": _STAFF, "note_required": True, "pauses_clock": True},
        "kirim_perbaikan": {"label": {"id": "Kirim perbaikan", "en": "Resubmit"},
                            "from": ["perlu_perbaikan"], "to": "diverifikasi",
                            "roles": [APPLICANT, OFFICER, AGENCY_ADMIN], "return_to_origin": True},
        "tolak": {"label": {"id": "Tolak", "en": "Reject"},
                  "from": ["diterima", "diverifikasi", "diproses", "perlu_perbaikan"], "to": "ditolak",
                  "roles": _STAFF, "note_required": True},
    },
}

# Plain label dicts for the web layer: name -> {"id": ..., "en": ...}
STATE_LABELS: dict[str, dict[str, str]] = {
    k: dict(v["label"]) for k, v in DEFAULT_WORKFLOW_DEFINITION["states"].items()}
ACTION_LABELS: dict[str, dict[str, str]] = {
    k: dict(v["label"]) for k, v in DEFAULT_WORKFLOW_DEFINITION["actions"].items()}


# --- Checking a definition ------------------------------------------------------------------

STATE_FLAGS = ("initial", "terminal", "finished")
ACTION_FLAGS = ("note_required", "pauses_clock", "return_to_origin")
SECTIONS = ("states", "actions")


def _labels(raw: Any, name: str, field: str, errors: Errors) -> tuple[str, str]:
    """The Indonesian and English labels of a state or action; its name, readable, when absent."""
    if raw is None:
        fallback = name.replace("_", " ").capitalize()
        return fallback, fallback
    if isinstance(raw, str):
        return raw, raw
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        errors.add(field, "Label harus berupa teks, atau {\"id\": ..., \"en\": ...} dengan label bahasa Indonesia.")
        return name, name
    label_id = raw["id"].strip()
    en = raw.get("en")
    return label_id, en.strip() if isinstance(en, str) and en.strip() else label_id


def _flag(spec: dict[str, Any], key: str, field: str, errors: Errors) -> bool:
    """A true/false setting of a state or action; false when absent or not a boolean."""
    value = spec.get(key, False)
    if not isinstance(value, bool):
        errors.add(f"{field}.{key}", "Nilai harus true atau false.")
        return False
    return value


def _flags(spec: dict[str, Any], keys: tuple[str, ...], field: str, errors: Errors) -> dict[str, bool]:
    """The named settings of a state or action, checked in the order given."""
    return {key: _flag(spec, key, field, errors) for key in keys}


def _sections(data: dict[Any, Any], field: str, errors: Errors) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The "states" and "actions" parts of a definition (empty where missing); other parts are errors."""
    raw_states, raw_actions = data.get("states"), data.get("actions")
    if not isinstance(raw_states, dict) or not raw_states:
        errors.add(f"{field}.states", "Alur kerja harus memiliki paling sedikit satu status.", "required")
        raw_states = {}
    if not isinstance(raw_actions, dict):
        errors.add(f"{field}.actions", "Bagian \"actions\" harus berupa objek nama tindakan -> definisi.",
                   "required")
        raw_actions = {}
    for key in data:
        if key not in SECTIONS:
            errors.add(f"{field}.{key}", f"Bagian \"{key}\" tidak dikenal; gunakan \"states\" dan \"actions\".")
    return raw_states, raw_actions


def _parse_state(name: Any, spec: Any, field: str, errors: Errors) -> State | None:
    """One state of the definition, or None when it cannot be read at all."""
    sfield = f"{field}.states.{name}"
    if not isinstance(name, str) or not name.strip():
        errors.add(f"{field}.states", "Nama status tidak boleh kosong.")
        return None
    spec = spec if spec is not None else {}
    if not isinstance(spec, dict):
        errors.add(sfield, "Definisi status harus berupa objek.")
        return None
    label_id, label_en = _labels(spec.get("label"), name, f"{sfield}.label", errors)
    state = State(name, label_id, label_en, **_flags(spec, STATE_FLAGS, sfield, errors))
    if state.initial and state.terminal:
        errors.add(sfield, f"Status \"{name}\" tidak boleh sekaligus status awal dan status akhir.")
    return state


def _parse_states(raw_states: dict[Any, Any], field: str, errors: Errors) -> dict[str, State]:
    """Every readable state, in definition order; at least one must be initial."""
    states: dict[str, State] = {}
    for name, spec in raw_states.items():
        state = _parse_state(name, spec, field, errors)
        if state is not None:
            states[name] = state
    if states and not any(s.initial for s in states.values()):
        errors.add(f"{field}.states", "Tandai paling sedikit satu status sebagai status awal (\"initial\": true).",
                   "required")
    return states


def _from_states(spec: dict[str, Any], name: str, states: dict[str, State], afield: str,
                 errors: Errors) -> list[str]:
    """The states an action starts from: one name or a list, each a known state that is not terminal."""
    from_raw = spec.get("from")
    if isinstance(from_raw, str):
        from_raw = [from_raw]
    if not isinstance(from_raw, list) or not from_raw or not all(isinstance(s, str) for s in from_raw):
        errors.add(f"{afield}.from", f"Tindakan \"{name}\" harus menyebut status asal (\"from\").", "required")
        from_raw = []
    for s in from_raw:
        if s not in states:
            errors.add(f"{afield}.from", f"Status asal \"{s}\" pada tindakan \"{name}\" tidak ada di daftar status.",
                       "unknown_state")
        elif states[s].terminal:
            errors.add(f"{afield}.from",
                       f"Status \"{s}\" adalah status akhir; tidak boleh ada tindakan dari status itu.",
                       "terminal_state")
    return from_raw


def _to_state(spec: dict[str, Any], name: str, states: dict[str, State], afield: str, errors: Errors) -> str:
    """The state an action leads to: a known state ("" when missing)."""
    to = spec.get("to")
    if not isinstance(to, str) or not to:
        errors.add(f"{afield}.to", f"Tindakan \"{name}\" harus menyebut status tujuan (\"to\").", "required")
        return ""
    if to not in states:
        errors.add(f"{afield}.to", f"Status tujuan \"{to}\" pada tindakan \"{name}\" tidak ada di daftar status.",
                   "unknown_state")
    return to


def _roles(spec: dict[str, Any], name: str, afield: str, errors: Errors) -> list[str]:
    """The roles that may take an action: a non-empty list of known roles."""
    roles_raw = spec.get("roles")
    if not isinstance(roles_raw, list) or not roles_raw or not all(isinstance(r, str) for r in roles_raw):
        errors.add(f"{afield}.roles", f"Tindakan \"{name}\" harus menyebut peran yang boleh melakukannya.",
                   "required")
        roles_raw = []
    for r in roles_raw:
        if r not in KNOWN_ROLES:
            errors.add(f"{afield}.roles",
                       f"Peran \"{r}\" tidak dikenal; gunakan salah satu dari: {', '.join(sorted(KNOWN_ROLES))}.",
                       "unknown_role")
    return roles_raw


def _parse_action(name: str, spec: Any, states: dict[str, State], field: str, errors: Errors) -> Action | None:
    """One action of the definition, or None when it is not an object."""
    afield = f"{field}.actions.{name}"
    if not isinstance(spec, dict):
        errors.add(afield, "Definisi tindakan harus berupa objek.")
        return None
    label_id, label_en = _labels(spec.get("label"), name, f"{afield}.label", errors)
    from_states = _from_states(spec, name, states, afield, errors)
    to = _to_state(spec, name, states, afield, errors)
    roles = _roles(spec, name, afield, errors)
    return Action(name, label_id, label_en, tuple(dict.fromkeys(from_states)), to, frozenset(roles),
                  **_flags(spec, ACTION_FLAGS, afield, errors))


def _parse_actions(raw_actions: dict[Any, Any], states: dict[str, State], field: str,
                   errors: Errors) -> dict[str, Action]:
    """Every readable action, in definition order."""
    actions: dict[str, Action] = {}
    for name, spec in raw_actions.items():
        action = _parse_action(name, spec, states, field, errors)
        if action is not None:
            actions[name] = action
    return actions


def _check_clock(actions: dict[str, Action], field: str, errors: Errors) -> None:
    """One answer per state to "is the clock paused here": all actions into it agree."""
    pausing: dict[str, set[bool]] = {}
    for a in actions.values():
        pausing.setdefault(a.to_state, set()).add(a.pauses_clock)
    for target, values in pausing.items():
        if len(values) > 1:
            errors.add(f"{field}.actions", f"Semua tindakan menuju status \"{target}\" harus sama dalam hal "
                                           "menghentikan jam (\"pauses_clock\").")


def reachable(states: dict[str, State], actions: dict[str, Action]) -> set[str]:
    """The states an application can get to from an initial state, by any sequence of actions."""
    seen = {s.name for s in states.values() if s.initial}
    queue = deque(seen)
    while queue:
        current = queue.popleft()
        for a in actions.values():
            if current in a.from_states and a.to_state in states and a.to_state not in seen:
                seen.add(a.to_state)
                queue.append(a.to_state)
    return seen


def _check_exits(states: dict[str, State], actions: dict[str, Action], field: str, errors: Errors) -> None:
    """Every non-terminal state has a way out, and some state is terminal."""
    for s in states.values():
        if not s.terminal and not any(s.name in a.from_states for a in actions.values()):
            errors.add(f"{field}.states.{s.name}",
                       f"Status \"{s.name}\" bukan status akhir tetapi tidak ada tindakan dari status itu; "
                       "tandai \"terminal\": true atau tambahkan tindakan.", "dead_end")
    if not any(s.terminal for s in states.values()):
        errors.add(f"{field}.states", "Tandai paling sedikit satu status sebagai status akhir (\"terminal\": true).",
                   "required")


def _check_reachable(states: dict[str, State], actions: dict[str, Action], field: str, errors: Errors) -> None:
    """Every state can be reached from an initial state (when there is one; its absence is reported already)."""
    if not any(s.initial for s in states.values()):
        return
    seen = reachable(states, actions)
    for name in states:
        if name not in seen:
            errors.add(f"{field}.states.{name}", f"Status \"{name}\" tidak dapat dicapai dari status awal.",
                       "unreachable")


def parse_workflow(data: Any, field: str = "workflow") -> Workflow:
    """Check a workflow definition and build it; raise ValidationFailed listing every problem,
    each naming its field, e.g. ``workflow.actions.tolak.to``."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add(field, "Alur kerja harus berupa objek dengan bagian \"states\" dan \"actions\".")
        errors.raise_if_any("Definisi alur kerja tidak valid.")
    raw_states, raw_actions = _sections(data, field, errors)
    states = _parse_states(raw_states, field, errors)
    actions = _parse_actions(raw_actions, states, field, errors)
    _check_clock(actions, field, errors)
    if states:
        _check_exits(states, actions, field, errors)
        _check_reachable(states, actions, field, errors)
    errors.raise_if_any("Definisi alur kerja tidak valid.")
    return Workflow(states, actions)


DEFAULT_WORKFLOW: Workflow = parse_workflow(DEFAULT_WORKFLOW_DEFINITION)


# --- Using a workflow ------------------------------------------------------------------------

def _state(workflow: Workflow, state: str) -> State:
    found = workflow.states.get(state)
    if found is None:
        raise DomainError("unknown_state", f"Status \"{state}\" tidak dikenal dalam alur kerja layanan ini.", "state")
    return found


def allowed_actions(workflow: Workflow, state: str, role: str | Role | None) -> list[Action]:
    """Actions this role may take on an application in this state, in definition order."""
    current = _state(workflow, state)
    role_name = role.value if isinstance(role, Role) else role
    return [a for a in workflow.actions.values()
            if current.name in a.from_states and role_name in a.roles]


def apply(workflow: Workflow, state: str, action: str, role: str | Role | None,
          note: str | None = None, origin: str | None = None) -> str:
    """The state after `role` takes `action` on an application in `state`.

    `origin` is the state the application was in before it entered `state`; it is used by
    actions with ``return_to_origin`` (resubmitting after corrections) and must be a state
    from which some action leads into `state`.
    """
    current = _state(workflow, state)
    act = workflow.actions.get(action)
    if act is None:
        raise DomainError("unknown_action", f"Tindakan \"{action}\" tidak dikenal dalam alur kerja layanan ini.",
                          "action")
    if current.name not in act.from_states:
        raise Conflict(
            "illegal_transition",
            f"Tindakan \"{act.label_id}\" tidak dapat dilakukan pada permohonan berstatus \"{current.label_id}\".",
            "action",
        )
    role_name = role.value if isinstance(role, Role) else role
    if role_name not in act.roles:
        error = Forbidden(f"Peran Anda tidak berwenang melakukan tindakan \"{act.label_id}\".")
        error.code, error.field = "role_not_allowed", "action"
        raise error
    if act.note_required and not (note or "").strip():
        raise DomainError("note_required", f"Alasan atau catatan wajib diisi untuk tindakan \"{act.label_id}\".",
                          "note")
    if act.return_to_origin and origin is not None:
        sources = {s for a in workflow.actions.values() if a.to_state == current.name for s in a.from_states}
        if origin not in workflow.states or origin not in sources:
            raise DomainError("invalid_origin",
                              f"Status asal \"{origin}\" tidak mungkin mendahului status \"{current.label_id}\".",
                              "origin")
        return origin
    return act.to_state


def action_towards(workflow: Workflow, state: str, target: str, role: str | Role | None) -> str:
    """The action that takes an application in `state` to the status `target`, for a caller that
    pushes a status rather than naming an action (an agency's system mirroring its own case).

    Unknown status: 422-style DomainError on ``status``; no action from here leads there:
    409 ``illegal_transition``; more than one action this role may take leads there (the
    workflow is ambiguous for a status push): 409 ``ambiguous_status``, naming the actions.
    A role that may take none of the actions leading there hears 403 from `apply` instead.
    """
    current = _state(workflow, state)
    goal = workflow.states.get(target)
    if goal is None:
        raise DomainError("unknown_state", f"Status \"{target}\" tidak dikenal dalam alur kerja layanan ini.",
                          "status")
    leading = [a for a in workflow.actions.values() if current.name in a.from_states and a.to_state == goal.name]
    if not leading:
        raise Conflict("illegal_transition", f"Permohonan berstatus \"{current.label_id}\" tidak dapat langsung "
                                             f"berpindah ke status \"{goal.label_id}\".", "status")
    role_name = role.value if isinstance(role, Role) else role
    mine = [a for a in leading if role_name in a.roles]
    if len(mine) > 1:
        raise Conflict("ambiguous_status", "Lebih dari satu tindakan menuju status ini; sebutkan tindakannya "
                                           f"(action): {', '.join(a.name for a in mine)}.", "status")
    return (mine or leading)[0].name


def clock_paused_in(workflow: Workflow, state: str) -> bool:
    """Whether the deadline clock stands still while an application is in this state."""
    _state(workflow, state)
    return any(a.pauses_clock for a in workflow.actions.values() if a.to_state == state)


def is_finished(workflow: Workflow, state: str) -> bool:
    """Whether the service counts as delivered (for the time standard) in this state."""
    return _state(workflow, state).finished


def is_terminal(workflow: Workflow, state: str) -> bool:
    return _state(workflow, state).terminal
