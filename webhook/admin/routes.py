"""The officers' dashboard: every page group's routes under /admin, in one router."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from webhook.admin import (
    broadcasts,
    businesses,
    help_requests,
    language,
    login,
    officers,
    overview,
    simulator,
    trainings,
)
from webhook.admin.policy import authorize

# Every dashboard route passes the policy check first (webhook/admin/policy.py).
router = APIRouter(dependencies=[Depends(authorize)])
for pages in (language, login, overview, businesses, broadcasts, trainings, help_requests, officers, simulator):
    router.include_router(pages.router)
