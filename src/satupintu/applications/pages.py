"""Application pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
