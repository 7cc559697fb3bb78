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

from ..accounts.models import Role
from ..errors import DomainError, Errors, Forbidden

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

def _labels(raw: Any, name: str, field: str, errors: Errors) -> tuple[str, str]:
    if raw is None:
        fallback = name.replace("_", " ").capitalize()
        return fallback, fallback
    if isinstance(raw, str):
        return raw, raw
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        errors.add(field, "Label harus berupa teks, atau {\"id\": ..., \"en\": ...} dengan label bahasa Indonesia.")
        return name, name
    label_id = raw["id"].strip()
    label_en = raw.get("en") if isinstance(raw.get("en"), str) and raw["en"].strip() else label_id
    return label_id, label_en.strip()


def _flag(spec: dict[str, Any], key: str, field: str, errors: Errors) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        errors.add(f"{field}.{key}", "Nilai harus true atau false.")
        return False
    return value


def parse_workflow(data: Any, field: str = "workflow") -> Workflow:
    """Check a workflow definition and build it; raise ValidationFailed listing every problem,
    each naming its field, e.g. ``workflow.actions.tolak.to``."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add(field, "Alur kerja harus berupa objek dengan bagian \"states\" dan \"actions\".")
        errors.raise_if_any("Definisi alur kerja tidak valid.")
    raw_states, raw_actions = data.get("states"), data.get("actions")
    if not isinstance(raw_states, dict) or not raw_states:
        errors.add(f"{field}.states", "Alur kerja harus memiliki paling sedikit satu status.", "required")
        raw_states = {}
    if not isinstance(raw_actions, dict):
        errors.add(f"{field}.actions", "Bagian \"actions\" harus berupa objek nama tindakan -> definisi.", "required")
        raw_actions = {}
    for key in data:
        if key not in ("states", "actions"):
            errors.add(f"{field}.{key}", f"Bagian \"{key}\" tidak dikenal; gunakan \"states\" dan \"actions\".")

    states: dict[str, State] = {}
    for name, spec in raw_states.items():
        sfield = f"{field}.states.{name}"
        if not isinstance(name, str) or not name.strip():
            errors.add(f"{field}.states", "Nama status tidak boleh kosong.")
            continue
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            errors.add(sfield, "Definisi status harus berupa objek.")
            continue
        label_id, label_en = _labels(spec.get("label"), name, f"{sfield}.label", errors)
        state = State(name, label_id, label_en, _flag(spec, "initial", sfield, errors),
                      _flag(spec, "terminal", sfield, errors), _flag(spec, "finished", sfield, errors))
        if state.initial and state.terminal:
            errors.add(sfield, f"Status \"{name}\" tidak boleh sekaligus status awal dan status akhir.")
        states[name] = state
    if states and not any(s.initial for s in states.values()):
        errors.add(f"{field}.states", "Tandai paling sedikit satu status sebagai status awal (\"initial\": true).", "required")

    actions: dict[str, Action] = {}
    for name, spec in raw_actions.items():
        afield = f"{field}.actions.{name}"
        if not isinstance(spec, dict):
            errors.add(afield, "Definisi tindakan harus berupa objek.")
            continue
        label_id, label_en = _labels(spec.get("label"), name, f"{afield}.label", errors)
        from_raw = spec.get("from")
        if isinstance(from_raw, str):
            from_raw = [from_raw]
        if not isinstance(from_raw, list) or not from_raw or not all(isinstance(s, str) for s in from_raw):
            errors.add(f"{afield}.from", f"Tindakan \"{name}\" harus menyebut status asal (\"from\").", "required")
            from_raw = []
        for s in from_raw:
            if s not in states:
                errors.add(f"{afield}.from", f"Status asal \"{s}\" pada tindakan \"{name}\" tidak ada di daftar status.", "unknown_state")
            elif states[s].terminal:
                errors.add(f"{afield}.from", f"Status \"{s}\" adalah status akhir; tidak boleh ada tindakan dari status itu.", "terminal_state")
        to = spec.get("to")
        if not isinstance(to, str) or not to:
            errors.add(f"{afield}.to", f"Tindakan \"{name}\" harus menyebut status tujuan (\"to\").", "required")
            to = ""
        elif to not in states:
            errors.add(f"{afield}.to", f"Status tujuan \"{to}\" pada tindakan \"{name}\" tidak ada di daftar status.", "unknown_state")
        roles_raw = spec.get("roles")
        if not isinstance(roles_raw, list) or not roles_raw or not all(isinstance(r, str) for r in roles_raw):
            errors.add(f"{afield}.roles", f"Tindakan \"{name}\" harus menyebut peran yang boleh melakukannya.", "required")
            roles_raw = []
        for r in roles_raw:
            if r not in KNOWN_ROLES:
                errors.add(f"{afield}.roles", f"Peran \"{r}\" tidak dikenal; gunakan salah satu dari: {', '.join(sorted(KNOWN_ROLES))}.", "unknown_role")
        actions[name] = Action(
            name, label_id, label_en, tuple(dict.fromkeys(from_raw)), to, frozenset(roles_raw),
            _flag(spec, "note_required", afield, errors), _flag(spec, "pauses_clock", afield, errors),
            _flag(spec, "return_to_origin", afield, errors),
        )

    # One answer per state to "is the clock paused here".
    pausing: dict[str, set[bool]] = {}
    for a in actions.values():
        pausing.setdefault(a.to_state, set()).add(a.pauses_clock)
    for target, values in pausing.items():
        if len(values) > 1:
            errors.add(f"{field}.actions", f"Semua tindakan menuju status \"{target}\" harus sama dalam hal menghentikan jam (\"pauses_clock\").")

    # Every non-terminal state needs a way out; every state must be reachable.
    if states:
        outgoing = {s: [a for a in actions.values() if s in a.from_states] for s in states}
        for s in states.values():
            if not s.terminal and not outgoing[s.name]:
                errors.add(f"{field}.states.{s.name}", f"Status \"{s.name}\" bukan status akhir tetapi tidak ada tindakan dari status itu; tandai \"terminal\": true atau tambahkan tindakan.", "dead_end")
        if not any(s.terminal for s in states.values()):
            errors.add(f"{field}.states", "Tandai paling sedikit satu status sebagai status akhir (\"terminal\": true).", "required")
        seen = {s.name for s in states.values() if s.initial}
        queue = deque(seen)
        while queue:
            current = queue.popleft()
            for a in outgoing.get(current, []):
                if a.to_state in states and a.to_state not in seen:
                    seen.add(a.to_state)
                    queue.append(a.to_state)
        if any(s.initial for s in states.values()):
            for name in states:
                if name not in seen:
                    errors.add(f"{field}.states.{name}", f"Status \"{name}\" tidak dapat dicapai dari status awal.", "unreachable")

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
        raise DomainError("unknown_action", f"Tindakan \"{action}\" tidak dikenal dalam alur kerja layanan ini.", "action")
    if current.name not in act.from_states:
        raise DomainError(
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
        raise DomainError("note_required", f"Alasan atau catatan wajib diisi untuk tindakan \"{act.label_id}\".", "note")
    if act.return_to_origin and origin is not None:
        sources = {s for a in workflow.actions.values() if a.to_state == current.name for s in a.from_states}
        if origin not in workflow.states or origin not in sources:
            raise DomainError("invalid_origin",
                              f"Status asal \"{origin}\" tidak mungkin mendahului status \"{current.label_id}\".", "origin")
        return origin
    return act.to_state


def clock_paused_in(workflow: Workflow, state: str) -> bool:
    """Whether the deadline clock stands still while an application is in this state."""
    _state(workflow, state)
    return any(a.pauses_clock for a in workflow.actions.values() if a.to_state == state)


def is_finished(workflow: Workflow, state: str) -> bool:
    """Whether the service counts as delivered (for the time standard) in this state."""
    return _state(workflow, state).finished


def is_terminal(workflow: Workflow, state: str) -> bool:
    return _state(workflow, state).terminal
