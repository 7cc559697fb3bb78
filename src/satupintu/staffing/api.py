"""Staffing JSON routesapi (being built)."""

from fastapi import APIRouter

router = APIRouter()
