"""The console's words in each language (zh-CN first: the team's own), chosen by `?lang=` or
`Accept-Language`."""

from __future__ import annotations

from collections.abc import Mapping

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "运营控制台",
        "today": "今日概览",
        "review": "待审核订单",
        "search": "搜索",
        "search_label": "订单号、运单号、手机（+86…）或邮箱",  # noqa: RUF001
        "sign_in": "登录",
        "sign_out": "退出",
        "username": "用户名",
        "password": "密码",
        "sign_in_failed": "用户名或密码不正确。",
        "sign_in_expired": "表单已过期，请重试。",  # noqa: RUF001 - Chinese punctuation
        "forbidden": "您没有权限打开此页面。",
        "not_found": "未找到该订单。",
        "orders": "订单数",
        "on_time_rate": "准时率",
        "exception_rate": "异常率",
        "csat": "满意度",
        "complaints_opened": "新投诉",
        "complaints_overdue": "超时投诉",
        "trend": "近 30 天订单趋势",
        "alerts": "运营提醒",
        "no_alerts": "暂无提醒。",
        "no_held": "没有待审核的订单。",
        "reasons": "原因",
        "approve": "通过",
        "reject": "拒绝",
        "reviewed": "已记录审核结果。",
        "status": "状态",
        "timeline": "时间线",
        "shipments": "发货",
        "none": "无",
        "signed_in_as": "当前用户",
        "language": "English",
        "created": "下单时间",
        "total": "金额",
        "notifications": "已发送通知",
        "returns": "退货",
        "when": "时间",
        "message": "消息",
        "by": "操作者",
        "nav_cases": "工单",
        "nav_exceptions": "配送异常",
        "nav_returns": "退货",
        "nav_stock": "库存",
        "nav_alerts": "提醒",
        "nav_agents": "客服指标",
        "not_found_page": "未找到。",
        "next_page": "下一页",
    },
    "en": {
        "title": "Operations console",
        "today": "Today",
        "review": "Review queue",
        "search": "Search",
        "search_label": "Order, tracking no., phone (+86…), email",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "username": "Username",
        "password": "Password",
        "sign_in_failed": "Wrong username or password.",
        "sign_in_expired": "The form expired; please try again.",
        "forbidden": "You may not open this page.",
        "not_found": "No such order.",
        "orders": "Orders",
        "on_time_rate": "On-time rate",
        "exception_rate": "Exception rate",
        "csat": "CSAT",
        "complaints_opened": "New complaints",
        "complaints_overdue": "Overdue complaints",
        "trend": "Orders, last 30 days",
        "alerts": "Operations alerts",
        "no_alerts": "No alerts.",
        "no_held": "No orders are waiting for review.",
        "reasons": "Reasons",
        "approve": "Approve",
        "reject": "Reject",
        "reviewed": "The decision is recorded.",
        "status": "Status",
        "timeline": "Timeline",
        "shipments": "Shipments",
        "none": "None",
        "signed_in_as": "Signed in as",
        "language": "中文",
        "created": "Placed",
        "total": "Total",
        "notifications": "Notifications sent",
        "returns": "Returns",
        "when": "When",
        "message": "Message",
        "by": "By",
        "nav_cases": "Cases",
        "nav_exceptions": "Exceptions",
        "nav_returns": "Returns",
        "nav_stock": "Stock",
        "nav_alerts": "Alerts",
        "nav_agents": "Agents",
        "not_found_page": "Not found.",
        "next_page": "Next page",
    },
}


def choose_locale(requested: str | None, headers: Mapping[str, str]) -> str:
    """`?lang=` when it names a locale, else the first supported language of `Accept-Language`."""
    if requested in LOCALES:
        return requested  # type: ignore[return-value]
    accepted = next((value for name, value in headers.items() if name.lower() == "accept-language"), "")
    for part in accepted.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def other_locale(locale: str) -> str:
    return "en" if locale == "zh-CN" else "zh-CN"
