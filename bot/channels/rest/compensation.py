"""Compensation: ``compensation/grant``, the ``approvals`` and their decisions.

The domain (bot/assist/compensation.py) checks the policy and spends the budget; these
handlers read the request, log the outcome events, tell the consoles, and say the
domain's refusals as bot/channels/rest/refusals.py has them.
"""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.assist import compensation
from bot.assist.compensation import BeyondAuthority, CompensationRefused
from bot.channels.http import ApiError, field_choice, field_id, read_json
from bot.channels.notify import notify_staff
from bot.channels.rest.refusals import refusal
from bot.channels.rest.wire import ApprovalList, approval_view, grant_view
from bot.channels.staff import ABOVE_THE_LOWEST, conversation_for, requires, staff_route
from bot.log.outcomes import stable_id
from bot.services import Services
from bot.store.accounts import Account

APPROVAL_STATUSES = ("pending", "approved", "denied")
DECISIONS = ("approve", "deny")
# an approval always goes to a role above the one asking, so the least role never decides
APPROVERS_ONLY = ABOVE_THE_LOWEST


async def _approval_changed(
    request: Request, services: Services, cid: str, approval_id: str, status: str
) -> None:
    """The consoles and the supervisors' approval queue refresh on this."""
    record = await services.conversations.get(cid)
    await notify_staff(
        request.app,
        {
            "conversation_id": cid,
            "status": record.status if record else None,
            "agent": record.agent if record else None,
            "approval": {"id": approval_id, "status": status},
        },
    )


@staff_route
async def grant(request: Request, services: Services, account: Account) -> HTTPResponse:
    body = read_json(request)
    cid = field_id(body, "conversation_id")
    option_id = field_id(body, "option_id")
    key = field_id(body, "idempotency_key")
    await conversation_for(services, account, cid)
    option = await services.conversations.option(cid, option_id)
    if option is None:
        raise ApiError(404, f"這個對話沒有提出過補償方案 {option_id}")
    case = await services.conversations.case(cid) or {}
    common = {"conversation_id": cid, "agent": account.username, "option_id": option_id}
    try:
        granted = await compensation.request_grant(
            grants=services.grants,
            policy=services.policy,
            account=account,
            cid=cid,
            option=option,
            case=case,
            idempotency_key=key,
        )
    except BeyondAuthority as refused:
        opened = refused.opened
        await _approval_changed(request, services, cid, opened.approval_id, "pending")
        await services.outcomes.append(
            {
                **common,
                "id": stable_id("approval_requested", opened.approval_id),
                "action": "approval_requested",
                "cost": int(option["cost"]),
                "approval_id": opened.approval_id,
                "approver": opened.approver,
                "reason": opened.reason,
            }
        )
        raise refusal(refused) from None
    except CompensationRefused as refused:
        raise refusal(refused) from None
    await services.outcomes.append(
        {
            **common,
            "id": stable_id("granted", cid, option_id),
            "action": "granted",
            "cost": granted.cost,
        }
    )
    return response.json(grant_view(granted))


@requires(APPROVERS_ONLY, "核准清單只開放給可核准的主管與資深客服")
async def approvals(request: Request, services: Services, account: Account) -> HTTPResponse:
    status = request.args.get("status")
    if status not in (None, *APPROVAL_STATUSES):
        raise ApiError(400, "status 必須是 pending / approved / denied")
    rows = [
        approval
        for approval in await services.grants.approvals()
        if compensation.may_decide(services.policy, account, approval)
        and (status is None or approval.status == status)
    ]
    answer: ApprovalList = {"approvals": [approval_view(approval) for approval in rows]}
    return response.json(answer)


@requires(APPROVERS_ONLY, "您沒有核准權限")
async def decide(
    request: Request, services: Services, account: Account, approval_id: str
) -> HTTPResponse:
    approval_id = field_id({"approval_id": approval_id}, "approval_id")
    decision = field_choice(read_json(request), "decision", DECISIONS)
    approval = await services.grants.approval(approval_id)
    if approval is None:
        raise ApiError(404, f"找不到核准申請 {approval_id}")
    try:
        decided = await compensation.decide(
            grants=services.grants,
            policy=services.policy,
            account=account,
            approval=approval,
            decision=decision,
        )
    except CompensationRefused as refused:
        raise refusal(refused) from None
    await _approval_changed(request, services, decided.conversation_id, approval_id, decided.status)
    await services.outcomes.append(
        {
            "id": stable_id("decided", approval_id),
            "action": "approved" if decided.status == "approved" else "denied",
            "conversation_id": decided.conversation_id,
            "agent": account.username,
            "option_id": decided.option_id,
            "cost": decided.cost,
            "approval_id": approval_id,
            "requested_by": decided.requested_by,
        }
    )
    return response.json(approval_view(decided))


def add_routes(bp: Blueprint) -> None:
    bp.add_route(grant, "/compensation/grant", methods=["POST"])
    bp.add_route(approvals, "/approvals", methods=["GET"])
    bp.add_route(decide, "/approvals/<approval_id>", methods=["POST"])
