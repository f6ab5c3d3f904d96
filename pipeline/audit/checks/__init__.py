"""Check kinds. Each takes the audit context and its spec from the reference file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.audit.checks.bodies import check_body, check_reward_forms, check_state_rewards
from pipeline.audit.checks.identity import check_movement, check_period, check_relation
from pipeline.audit.checks.targets import check_target, check_targets_present
from pipeline.audit.checks.timeline import check_review, check_yearly_report
from pipeline.audit.context import AuditContext
from pipeline.audit.models import CheckResult

CheckFn = Callable[[AuditContext, Any], CheckResult | None]

CHECKS: dict[str, CheckFn] = {
    "relation": check_relation,
    "movement": check_movement,
    "period": check_period,
    "targets_present": check_targets_present,
    "target": check_target,
    "review": check_review,
    "yearly_report": check_yearly_report,
    "body": check_body,
    "reward_forms": check_reward_forms,
    "state_rewards": check_state_rewards,
}
