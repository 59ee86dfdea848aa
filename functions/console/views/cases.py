"""Cases (docs/console.md, Cases): the queue (p1 first, then by due time, with a countdown from the
console's clock), one case with its whole timeline, and the moves of `service.domain.cases`
(assign, reply, internal note, resolve, close, reopen) through the `CaseDesk` port. `by` on the
case's timeline is the operator's username; a move the case's status does not allow is the
domain's 409, shown as a page that changes nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from console.cases_queue import Filters, complaint_query, filter_links, queue_href, queue_row
from console.pages import Page, page
from console.sessions import AGENT
from console.views import Request, Route
from service.domain.case_states import ASSIGNABLE, can_move
from service.models.records import ComplaintStatus
from shared.errors import DomainError
from shared.observability import logger

TEXT_MAX = 2000  # the storefront's COMMENT_MAX: replies, notes, resolutions, reasons
ASSIGNEE_MAX = 200
CURSOR_MAX = 2048
ACTIONS = ("assign", "reply", "note", "resolve", "close", "reopen")

WORDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "case_queue": "工单",
        "case_heading": "工单",
        "case_not_done": "操作未完成",
        "case_back": "返回工单",
        "case_not_found": "未找到该工单。",
        "case_text_required": "请填写内容。",
        "case_text_too_long": "内容过长（最多 2000 字）。",  # noqa: RUF001 - Chinese punctuation
        "case_assignee_required": "请填写处理人。",
        "case_open_queue": "默认队列",
        "case_status_open": "新建",
        "case_status_in_progress": "处理中",
        "case_status_resolved": "已解决",
        "case_status_closed": "已关闭",
        "case_status_reopened": "已重新打开",
        "case_filter_status": "状态",
        "case_priority": "优先级",
        "case_all": "全部",
        "case_filter_more": "筛选",
        "case_mine": "分配给我",
        "case_overdue_only": "已超时",
        "case_no_cases": "没有符合条件的工单。",
        "case_next_page": "下一页",
        "case_first_page": "第一页",
        "case_open": "打开工单",
        "case_order": "订单",
        "case_customer": "客户",
        "case_category": "类别",
        "case_status": "状态",
        "case_assignee": "处理人",
        "case_unassigned": "未分配",
        "case_due": "回复期限",
        "case_description": "描述",
        "case_reasons": "优先级原因",
        "case_resolution": "解决方案",
        "case_timeline": "时间线",
        "case_internal": "内部备注",
        "case_to_customer": "已发送给客户",
        "case_entry_opened": "创建",
        "case_entry_merged": "追加投诉",
        "case_entry_assigned": "分配",
        "case_entry_note": "备注",
        "case_entry_reply": "回复",
        "case_entry_resolved": "解决",
        "case_entry_closed": "关闭",
        "case_entry_reopened": "重新打开",
        "case_actions": "操作",
        "case_assign_me": "分配给我",
        "case_assign_to": "分配给（用户名）",  # noqa: RUF001 - Chinese punctuation
        "case_assign": "分配",
        "case_reply_label": "回复客户（客户会收到此消息）",  # noqa: RUF001 - Chinese punctuation
        "case_send_reply": "发送回复",
        "case_note_label": "内部备注（客户看不到）",  # noqa: RUF001 - Chinese punctuation
        "case_add_note": "添加备注",
        "case_resolution_label": "解决方案（会发送给客户）",  # noqa: RUF001 - Chinese punctuation
        "case_resolve": "标记为已解决",
        "case_close": "关闭工单",
        "case_reopen_label": "重新打开的原因",
        "case_reopen": "重新打开",
        "case_done_assign": "已分配。",
        "case_done_reply": "回复已发送。",
        "case_done_note": "备注已添加。",
        "case_done_resolve": "工单已解决，已通知客户。",  # noqa: RUF001 - Chinese punctuation
        "case_done_close": "工单已关闭。",
        "case_done_reopen": "工单已重新打开。",
        "case_due_in": "剩余 {span}",
        "case_overdue_by": "已超时 {span}",
        "case_days": "{n} 天",
        "case_hours": "{n} 小时",
        "case_minutes": "{n} 分钟",
        "case_category_delivery_delay": "配送延误",
        "case_category_damage": "商品损坏",
        "case_category_wrong_item": "发错商品",
        "case_category_missing_item": "商品缺失",
        "case_category_service_attitude": "服务态度",
        "case_category_other": "其他",
    },
    "en": {
        "case_queue": "Cases",
        "case_heading": "Case",
        "case_not_done": "Not done",
        "case_back": "Back to the case",
        "case_not_found": "No such case.",
        "case_text_required": "Write the text first.",
        "case_text_too_long": "The text is too long (2000 characters at most).",
        "case_assignee_required": "Name the operator to assign.",
        "case_open_queue": "Default queue",
        "case_status_open": "Open",
        "case_status_in_progress": "In progress",
        "case_status_resolved": "Resolved",
        "case_status_closed": "Closed",
        "case_status_reopened": "Reopened",
        "case_filter_status": "Status",
        "case_priority": "Priority",
        "case_all": "All",
        "case_filter_more": "Filters",
        "case_mine": "Assigned to me",
        "case_overdue_only": "Overdue",
        "case_no_cases": "No cases match.",
        "case_next_page": "Next page",
        "case_first_page": "First page",
        "case_open": "Open case",
        "case_order": "Order",
        "case_customer": "Customer",
        "case_category": "Category",
        "case_status": "Status",
        "case_assignee": "Assignee",
        "case_unassigned": "Unassigned",
        "case_due": "Response due",
        "case_description": "Description",
        "case_reasons": "Priority reasons",
        "case_resolution": "Resolution",
        "case_timeline": "Timeline",
        "case_internal": "Internal note",
        "case_to_customer": "Sent to the customer",
        "case_entry_opened": "Opened",
        "case_entry_merged": "Complaint added",
        "case_entry_assigned": "Assigned",
        "case_entry_note": "Note",
        "case_entry_reply": "Reply",
        "case_entry_resolved": "Resolved",
        "case_entry_closed": "Closed",
        "case_entry_reopened": "Reopened",
        "case_actions": "Actions",
        "case_assign_me": "Assign to me",
        "case_assign_to": "Assign to (username)",
        "case_assign": "Assign",
        "case_reply_label": "Reply to the customer (they receive this message)",
        "case_send_reply": "Send reply",
        "case_note_label": "Internal note (the customer never sees it)",
        "case_add_note": "Add note",
        "case_resolution_label": "Resolution (sent to the customer)",
        "case_resolve": "Resolve",
        "case_close": "Close case",
        "case_reopen_label": "Why reopen",
        "case_reopen": "Reopen",
        "case_done_assign": "Assigned.",
        "case_done_reply": "The reply is sent.",
        "case_done_note": "The note is added.",
        "case_done_resolve": "The case is resolved; the customer is told.",
        "case_done_close": "The case is closed.",
        "case_done_reopen": "The case is reopened.",
        "case_due_in": "due in {span}",
        "case_overdue_by": "overdue by {span}",
        "case_days": "{n} d",
        "case_hours": "{n} h",
        "case_minutes": "{n} min",
        "case_category_delivery_delay": "Delivery delay",
        "case_category_damage": "Damaged",
        "case_category_wrong_item": "Wrong item",
        "case_category_missing_item": "Missing item",
        "case_category_service_attitude": "Service attitude",
        "case_category_other": "Other",
    },
}
NOTICES = {action: f"case_done_{action}" for action in ACTIONS}


def _plausible(complaint_id: str) -> bool:
    return (
        complaint_id.startswith("cmp_")
        and len(complaint_id) <= 64
        and all(c.isalnum() or c == "_" for c in complaint_id)
    )


def _refused(request: Request, status: int, code: str, message: str) -> Page:
    """The 4xx page of a refused request with its reason (the domain's, or the form's); nothing
    changed."""
    complaint_id = request.segment(1)
    return page(
        "cases_error.html",
        status,
        request.operator,
        request.locale,
        request.services,
        "/console/cases",
        "case_not_done",
        words=WORDS,
        message=message,
        code=code,
        back=f"/console/cases/{complaint_id}?lang={request.locale}" if _plausible(complaint_id) else None,
    )


def _domain_error(request: Request, error: DomainError) -> Page:
    return _refused(request, error.http_status, error.code, error.message)


def _form_error(request: Request, status: int, key: str) -> Page:
    return _refused(request, status, key, WORDS[request.locale][key])


def queue(request: Request) -> Page:
    """GET /console/cases (the queue) and GET /console/cases/{complaint_id} (one case)."""
    if len(request.parts) == 2:
        return case_page(request)
    if len(request.parts) > 2:
        return _form_error(request, 404, "case_not_found")
    t = WORDS[request.locale]
    filters = Filters.of(request.query)
    cursor = (request.query.get("cursor") or "")[:CURSOR_MAX] or None
    now = request.services.clock.now()
    try:
        found, next_cursor = request.services.cases.queue(
            complaint_query(filters, request.operator.username, now, cursor)
        )
    except DomainError as error:  # a cursor this page did not give
        return _domain_error(request, error)
    params = filters.params()
    return page(
        "cases.html",
        200,
        request.operator,
        request.locale,
        request.services,
        "/console/cases",
        "case_queue",
        words=WORDS,
        language_query="&" + urlencode(params) if params else "",
        rows=[queue_row(case, now, t) for case in found],
        groups=filter_links(filters, request.locale, t),
        next_href=queue_href(request.locale, {**params, "cursor": next_cursor}) if next_cursor else None,
        first_href=queue_href(request.locale, params) if cursor else None,
    )


def case_page(request: Request) -> Page:
    complaint_id = request.segment(1)
    if not _plausible(complaint_id):
        return _form_error(request, 404, "case_not_found")
    try:
        case, timeline = request.services.cases.case(complaint_id)
    except DomainError as error:
        return _domain_error(request, error)
    t = WORDS[request.locale]
    done = request.query.get("done") or ""
    return page(
        "cases_case.html",
        200,
        request.operator,
        request.locale,
        request.services,
        f"/console/cases/{complaint_id}",
        "case_heading",
        words=WORDS,
        heading=f"{t['case_heading']} {complaint_id}",
        notice=t[NOTICES[done]] if done in NOTICES else None,
        row=queue_row(case, request.services.clock.now(), t),
        timeline=list(reversed(timeline)),
        may={
            "assign": case.status in ASSIGNABLE,
            "resolve": can_move(case.status, ComplaintStatus.RESOLVED),
            "close": can_move(case.status, ComplaintStatus.CLOSED),
            "reopen": can_move(case.status, ComplaintStatus.REOPENED),
        },
    )


def act(request: Request) -> Page:
    """POST /console/cases/{complaint_id}/{action}: one move, then 303 back to the case (PRG)."""
    complaint_id, action = request.segment(1), request.segment(2)
    if len(request.parts) != 3 or not _plausible(complaint_id) or action not in ACTIONS:
        return _form_error(request, 404, "case_not_found")
    by = request.operator.username
    desk = request.services.cases
    text = request.field("text", TEXT_MAX + 1)
    if action in ("reply", "note", "resolve") and not text:
        return _form_error(request, 400, "case_text_required")
    if len(text) > TEXT_MAX:
        return _form_error(request, 400, "case_text_too_long")
    # the rendered form's CSRF nonce: a double submit of one form sends one message, adds one note
    key = f"console:{request.field('nonce', 64)}"
    try:
        if action == "assign":
            assignee = by if request.field("to") == "me" else request.field("assignee", ASSIGNEE_MAX + 1)
            if not assignee or len(assignee) > ASSIGNEE_MAX:
                return _form_error(request, 400, "case_assignee_required")
            desk.assign(complaint_id, assignee, by)
        elif action == "reply":
            desk.reply(complaint_id, text, by, key)
        elif action == "note":
            desk.note(complaint_id, text, by, key)
        elif action == "resolve":
            desk.resolve(complaint_id, text, by)
        elif action == "close":
            desk.close(complaint_id, by)
        else:
            desk.reopen(complaint_id, text or None, by)
    except DomainError as error:
        logger.info(
            "console case move refused",
            extra={"complaint_id": complaint_id, "action": action, "code": error.code},
        )
        return _domain_error(request, error)
    logger.info(
        "console case move",
        extra={"complaint_id": complaint_id, "action": action, "role": request.operator.role},
    )
    location = f"/console/cases/{complaint_id}?" + urlencode({"lang": request.locale, "done": action})
    return Page(303, "", request.locale, location=location)


ROUTES = (
    Route("GET", "cases", (AGENT,), queue),
    Route("POST", "cases", (AGENT,), act),
)
