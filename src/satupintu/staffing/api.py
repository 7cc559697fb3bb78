"""Staffing JSON routes under /api/v1: officers, the roster and its check, roster generation,
the counters plan, the arrival forecast and the capacity recommendation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ..scope import Actor
from ..web.paging import PageDep, paginate
from ..web.security import AgencyManagerDep, ManagerDep, require_api_actor
from . import service
from .service import (
    AssignmentIn,
    AssignmentOut,
    CapacityOut,
    ForecastOut,
    GenerateIn,
    GenerateOut,
    OfficerIn,
    OfficerOut,
    PlanIn,
    PlanOut,
    RosterCheckOut,
)

router = APIRouter(tags=["staffing"])
ActorDep = Annotated[Actor, Depends(require_api_actor)]
Days = Annotated[int, Query(ge=1, le=service.MAX_DAYS, description="1 for a day, 7 for a week")]


def _start(request: Request, site: str, start: date | None) -> date:
    return start or service.week_start(service.site_today(request.app.state.db, site))


@router.get("/sites/{site}/staffing/officers", response_model=list[OfficerOut], summary="Officers of a site")
def officers(request: Request, response: Response, page: PageDep,
             site: str, actor: ActorDep, agency: str | None = None,
             include_inactive: bool = False) -> list[OfficerOut]:
    items = service.list_officers(request.app.state.db, actor, site, agency, include_inactive)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/staffing/officers", response_model=OfficerOut, status_code=201,
             summary="Add an officer (site manager, or the agency's admin)")
def create_officer(request: Request, site: str, data: OfficerIn, actor: AgencyManagerDep) -> OfficerOut:
    return service.create_officer(request.app.state.db, actor, site, data)


@router.put("/sites/{site}/staffing/officers/{officer_id}", response_model=OfficerOut,
            summary="Change an officer: services, limits, workdays, days off")
def update_officer(request: Request, site: str, officer_id: uuid.UUID, data: OfficerIn,
                   actor: AgencyManagerDep) -> OfficerOut:
    return service.update_officer(request.app.state.db, actor, site, officer_id, data)


@router.delete("/sites/{site}/staffing/officers/{officer_id}", status_code=204,
               summary="Deactivate an officer and remove their future assignments")
def deactivate_officer(request: Request, site: str, officer_id: uuid.UUID, actor: AgencyManagerDep) -> None:
    service.deactivate_officer(request.app.state.db, actor, site, officer_id)


@router.get("/sites/{site}/staffing/assignments", response_model=list[AssignmentOut],
            summary="The saved roster of a day or a week (start defaults to this week's Monday)")
def assignments(request: Request, response: Response, page: PageDep,
                site: str, actor: ActorDep, start: date | None = None,
                days: Days = 7) -> list[AssignmentOut]:
    items = service.list_assignments(request.app.state.db, actor, site, _start(request, site, start), days)
    return paginate(request, response, items, page)


@router.post("/sites/{site}/staffing/assignments", response_model=AssignmentOut, status_code=201,
             summary="Add one assignment: an officer at a counter on a day from start to end (HH:MM)")
def add_assignment(request: Request, site: str, data: AssignmentIn, actor: ManagerDep) -> AssignmentOut:
    return service.add_assignment(request.app.state.db, actor, site, data)


@router.put("/sites/{site}/staffing/assignments", summary="Replace the saved roster of a day or a week")
def replace_assignments(request: Request, site: str, data: list[AssignmentIn], actor: ManagerDep, start: date,
                        days: Days = 7) -> dict[str, int]:
    return {"saved": service.replace_assignments(request.app.state.db, actor, site, start, days, data)}


@router.delete("/sites/{site}/staffing/assignments/{assignment_id}", status_code=204,
               summary="Remove one assignment")
def delete_assignment(request: Request, site: str, assignment_id: uuid.UUID, actor: ManagerDep) -> None:
    service.delete_assignment(request.app.state.db, actor, site, assignment_id)


@router.get("/sites/{site}/staffing/roster-check", response_model=RosterCheckOut,
            summary="Every minute range where an open counter has no officer, an officer is double-booked, works "
                    "past a limit or without a break, or serves a service they may not serve")
def roster_check(request: Request, site: str, actor: ActorDep, start: date | None = None,
                 days: Days = 7) -> RosterCheckOut:
    return service.check(request.app.state.db, actor, site, _start(request, site, start), days)


@router.post("/sites/{site}/staffing/roster/generate", response_model=GenerateOut,
             summary="Generate a roster with CP-SAT from the plan and the officers; status 'infeasible' lists the "
                     "reasons (code and message). With save=true the result replaces the saved roster.")
async def generate(request: Request, site: str, data: GenerateIn, actor: ManagerDep) -> GenerateOut:
    # The solver runs for seconds: keep it off the event loop.
    return await run_in_threadpool(service.generate, request.app.state.db, actor, site, data)


@router.get("/sites/{site}/staffing/plan", response_model=PlanOut,
            summary="Counters to keep open per agency, weekday and hour")
def plan(request: Request, site: str, actor: ActorDep) -> PlanOut:
    return service.get_plan(request.app.state.db, actor, site)


@router.put("/sites/{site}/staffing/plan", response_model=PlanOut,
            summary="Replace the plan of the agencies named in the rows")
def set_plan(request: Request, site: str, data: PlanIn, actor: ManagerDep) -> PlanOut:
    return service.set_plan(request.app.state.db, actor, site, data)


@router.get("/sites/{site}/staffing/forecast", response_model=ForecastOut,
            summary="Forecast arrivals per agency, weekday and hour from the queue's own history")
def forecast(request: Request, site: str, actor: ActorDep, as_of: date | None = None,
             weeks: Annotated[int, Query(ge=1, le=12)] = 4) -> ForecastOut:
    return service.forecast(request.app.state.db, actor, site, as_of, weeks)


@router.get("/sites/{site}/staffing/capacity", response_model=CapacityOut,
            summary="Counters recommended per agency and hour (Erlang C) with simulated waits before and after")
async def capacity(request: Request, site: str, actor: ActorDep,
                   weekday: Annotated[int | None, Query(ge=0, le=6)] = None,
                   target_wait: Annotated[float, Query(ge=1, le=240)] = 15.0,
                   target_level: Annotated[float, Query(gt=0, lt=1)] = 0.8,
                   weeks: Annotated[int, Query(ge=1, le=12)] = 4, as_of: date | None = None) -> CapacityOut:
    return await run_in_threadpool(service.capacity, request.app.state.db, actor, site, weekday, target_wait,
                                   target_level, weeks, as_of)
