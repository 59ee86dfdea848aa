# ruff: noqa: RUF001  (full-width Chinese punctuation and the multiplication sign are the texts)
"""Everything the tracking page says, in each locale: labels, statuses in plain words, delivery
problems with what to do and carrier display names.

Texts are plain strings (no markup); the templates escape them like any other value. `{name}`
placeholders are filled with `str.format` before rendering.
"""

from __future__ import annotations

from typing import Literal

Locale = Literal["en", "zh-CN"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
DEFAULT_LOCALE: Locale = "en"
LANGUAGE_NAMES: dict[Locale, str] = {"en": "English", "zh-CN": "中文"}

LABELS: dict[Locale, dict[str, str]] = {
    "en": {
        "title": "Track your order",
        "language": "Language",
        "order": "Order",
        "placed": "Placed",
        "status": "Current status",
        "shipments": "Shipments",
        "shipment_heading": "Shipment {number} of {count}: {status}",
        "carrier": "Carrier",
        "tracking_number": "Tracking number",
        "shipped": "Shipped",
        "estimated_delivery": "Estimated delivery",
        "contains": "Contains",
        "history": "Tracking history",
        "newest_first": "(newest first)",
        "times_in": "Times are in {zone}.",
        "latest": "Latest",
        "no_checkpoints": "No scans from the carrier yet. This page updates as soon as there are.",
        "no_shipments": "Nothing has shipped yet. This page updates when it does.",
        "problem": "Delivery problem",
        "what_to_do": "What to do:",
        "order_items": "Items",
        "item": "Item",
        "quantity": "Quantity",
        "amount": "Amount",
        "total": "Total",
        "deliver_to": "Delivering to",
        "updates_to": "Updates are sent to",
        "email": "Email",
        "phone": "Phone",
        "list_separator": ", ",
    },
    "zh-CN": {
        "title": "订单跟踪",
        "language": "语言",
        "order": "订单号",
        "placed": "下单时间",
        "status": "当前状态",
        "shipments": "包裹",
        "shipment_heading": "包裹 {number}/{count}：{status}",
        "carrier": "承运商",
        "tracking_number": "运单号",
        "shipped": "发货时间",
        "estimated_delivery": "预计送达",
        "contains": "包含商品",
        "history": "物流详情",
        "newest_first": "（最新在前）",
        "times_in": "时间均为{zone}。",
        "latest": "最新",
        "no_checkpoints": "承运商暂未更新物流信息，有更新时本页会立即显示。",
        "no_shipments": "商品尚未发货，发货后本页会更新。",
        "problem": "配送异常",
        "what_to_do": "处理建议：",
        "order_items": "商品",
        "item": "商品",
        "quantity": "数量",
        "amount": "金额",
        "total": "合计",
        "deliver_to": "收货地",
        "updates_to": "通知发送至",
        "email": "邮箱",
        "phone": "手机",
        "list_separator": "、",
    },
}

ORDER_STATUS: dict[Locale, dict[str, tuple[str, str]]] = {
    "en": {
        "received": ("Order received", "We have your order and are checking stock."),
        "on_hold": ("Being reviewed", "We are checking a few details before preparing your order."),
        "rejected": (
            "Order not accepted",
            "We could not accept this order. Contact the shop with any questions.",
        ),
        "reserved": ("Waiting for payment", "Your items are set aside until your payment is confirmed."),
        "confirmed": ("Confirmed", "Your order is confirmed and being prepared for shipping."),
        "out_of_stock": (
            "Out of stock",
            "Some items ran out before we could set them aside. The shop will contact you.",
        ),
        "expired": (
            "Payment not received in time",
            "The items set aside for you were released because the payment did not arrive in time.",
        ),
        "cancelled": ("Cancelled", "This order has been cancelled."),
        "partially_shipped": ("Partly shipped", "Part of your order is on its way; the rest will follow."),
        "shipped": ("Shipped", "Your order has been handed to the carrier."),
        "in_transit": ("On its way", "Your parcel is moving through the carrier's network."),
        "out_for_delivery": ("Out for delivery", "Your parcel is on the delivery vehicle."),
        "delivered": ("Delivered", "Your order has been delivered."),
        "delivery_exception": (
            "Delivery problem",
            "Something has gone wrong with a delivery. See below for what to do.",
        ),
        "returned_to_sender": ("Returned", "Your parcel has been returned to us. The shop will contact you."),
    },
    "zh-CN": {
        "received": ("已收到订单", "我们已收到您的订单，正在确认库存。"),
        "on_hold": ("订单审核中", "我们正在核对订单信息，审核后将开始备货。"),
        "rejected": ("订单未被受理", "我们无法受理此订单，如有疑问请联系商家。"),
        "reserved": ("等待付款", "商品已为您预留，确认付款后即开始备货。"),
        "confirmed": ("订单已确认", "您的订单已确认，正在准备发货。"),
        "out_of_stock": ("商品缺货", "部分商品库存不足，商家会与您联系。"),
        "expired": ("付款超时", "由于未在规定时间内付款，为您预留的商品已释放。"),
        "cancelled": ("订单已取消", "此订单已取消。"),
        "partially_shipped": ("部分已发货", "部分商品已发出，其余商品将随后发货。"),
        "shipped": ("已发货", "您的订单已交给承运商。"),
        "in_transit": ("运输中", "您的包裹正在运输途中。"),
        "out_for_delivery": ("派送中", "您的包裹正在派送。"),
        "delivered": ("已签收", "您的订单已送达。"),
        "delivery_exception": ("配送异常", "包裹配送出现问题，请查看下方的处理建议。"),
        "returned_to_sender": ("已退回", "您的包裹已退回，商家会与您联系。"),
    },
}

TRACKING_STATUS: dict[Locale, dict[str, str]] = {
    "en": {
        "pending": "Waiting for the carrier",
        "info_received": "Label created",
        "in_transit": "In transit",
        "out_for_delivery": "Out for delivery",
        "attempt_fail": "Delivery attempt failed",
        "available_for_pickup": "Ready for pick-up",
        "delivered": "Delivered",
        "exception": "Problem with the parcel",
        "expired": "Carrier stopped tracking",
        "delivery_delayed": "Delayed",
        "on_hold": "On hold",
        "return_to_sender": "Returning to sender",
        "cancelled": "Cancelled by the carrier",
        "delivery_exception": "Delivery problem",
        "unknown": "Update from the carrier",
    },
    "zh-CN": {
        "pending": "等待承运商信息",
        "info_received": "已下单，待揽收",
        "in_transit": "运输中",
        "out_for_delivery": "派送中",
        "attempt_fail": "派送未成功",
        "available_for_pickup": "待取件",
        "delivered": "已签收",
        "exception": "包裹异常",
        "expired": "承运商已停止跟踪",
        "delivery_delayed": "延误",
        "on_hold": "暂扣",
        "return_to_sender": "退回中",
        "cancelled": "承运商已取消",
        "delivery_exception": "配送异常",
        "unknown": "物流更新",
    },
}

PROBLEM_STATUSES = frozenset(
    {
        "attempt_fail",
        "exception",
        "delivery_delayed",
        "on_hold",
        "delivery_exception",
        "return_to_sender",
        "cancelled",
    }
)
"""Canonical statuses of a shipment that has a problem to explain (docs/tracking-statuses.md)."""

PROBLEM_BY_REASON: dict[str, str] = {
    "stalled": "stalled",
    "late": "late",
    **dict.fromkeys(
        (
            "recipient_unavailable",
            "recipient_unreachable",
            "delivery_failed",
            "delivery_failure",
            "delivery_problem",
            "business_closed",
            "security_or_fee_issue",
            "pickup_missed",
        ),
        "not_delivered",
    ),
    **dict.fromkeys(("address_issue", "customer_moved", "outside_service_area"), "address"),
    "refused": "refused",
    **dict.fromkeys(("damaged", "lost", "destroyed", "disposed"), "damaged_or_lost"),
    **dict.fromkeys(
        (
            "customs_hold",
            "held",
            "held_for_payment",
            "missing_documents",
            "awaiting_information",
            "stuck_at_depot",
        ),
        "held",
    ),
    **dict.fromkeys(
        (
            "delayed",
            "weather",
            "missorted",
            "processing_delay",
            "external_delay",
            "late_flight",
            "unsigned_too_long",
            "no_update_too_long",
        ),
        "delayed",
    ),
    **dict.fromkeys(("returning", "returned"), "returning"),
    **dict.fromkeys(("cancelled", "waybill_cancelled", "cancelled_by_sender"), "cancelled"),
}
"""Reason code -> kind of problem; a reason not listed falls back to `PROBLEM_BY_STATUS`."""

PROBLEM_BY_STATUS: dict[str, str] = {
    "attempt_fail": "not_delivered",
    "delivery_delayed": "delayed",
    "on_hold": "held",
    "return_to_sender": "returning",
    "returned_to_sender": "returning",
    "cancelled": "cancelled",
}

PROBLEMS: dict[Locale, dict[str, tuple[str, str]]] = {
    "en": {
        "not_delivered": (
            "The carrier could not deliver your parcel.",
            "Carriers usually try again on the next working day. To choose a time or a pick-up point, "
            "contact {carrier} with tracking number {tracking_number}.",
        ),
        "address": (
            "There is a problem with the delivery address.",
            "Contact the shop with the correct address and order number {order_id}.",
        ),
        "refused": (
            "The parcel was refused at delivery.",
            "If you did not refuse it, contact the shop with order number {order_id} to have it sent again.",
        ),
        "damaged_or_lost": (
            "The carrier reports the parcel as damaged or lost.",
            "Contact the shop with order number {order_id}: you will get a replacement or a refund.",
        ),
        "held": (
            "The parcel is being held, for example at customs.",
            "The carrier may ask you for documents or duties: follow their instructions. For help, "
            "contact {carrier} with tracking number {tracking_number}.",
        ),
        "delayed": (
            "The carrier reports a delay.",
            "Nothing to do: your parcel is still on its way and this page updates as it moves.",
        ),
        "stalled": (
            "There has been no news from the carrier for a while.",
            "We are checking with the carrier; you do not need to do anything. This page updates as soon "
            "as there is news.",
        ),
        "late": (
            "Your parcel is later than expected.",
            "We are checking with the carrier. If it has not arrived within two days, contact the shop "
            "with order number {order_id}.",
        ),
        "returning": (
            "The parcel is being returned to the shop.",
            "Contact the shop with order number {order_id} to have it sent again or refunded.",
        ),
        "cancelled": (
            "The carrier cancelled this shipment.",
            "Contact the shop with order number {order_id}: a new shipment will be arranged.",
        ),
        "other": (
            "There is a problem with this delivery.",
            "Contact {carrier} with tracking number {tracking_number}, or the shop with order number "
            "{order_id}.",
        ),
    },
    "zh-CN": {
        "not_delivered": (
            "承运商未能成功派送您的包裹。",
            "承运商通常会在下一个工作日再次派送。如需预约时间或改为自提，请联系{carrier}并提供运单号 {tracking_number}。",
        ),
        "address": ("收货地址有问题。", "请联系商家提供正确的地址，并告知订单号 {order_id}。"),
        "refused": (
            "包裹在派送时被拒收。",
            "如非您本人拒收，请联系商家并提供订单号 {order_id}，以便重新寄送。",
        ),
        "damaged_or_lost": (
            "承运商报告包裹破损或丢失。",
            "请联系商家并提供订单号 {order_id}，我们将为您补发或退款。",
        ),
        "held": (
            "包裹被暂扣（例如海关查验）。",
            "承运商可能会要求您补充资料或缴纳税费，请按其要求处理。如需帮助，请联系{carrier}并提供运单号 {tracking_number}。",
        ),
        "delayed": ("承运商报告包裹延误。", "无需任何操作：包裹仍在运输途中，本页会随物流进度更新。"),
        "stalled": (
            "承运商已有一段时间未更新物流信息。",
            "我们正在向承运商核实，您无需任何操作；一有消息本页会立即更新。",
        ),
        "late": (
            "包裹已超过预计送达时间。",
            "我们正在向承运商核实。如两天内仍未送达，请联系商家并提供订单号 {order_id}。",
        ),
        "returning": ("包裹正在退回商家。", "请联系商家并提供订单号 {order_id}，以便重新寄送或退款。"),
        "cancelled": ("承运商已取消此运单。", "请联系商家并提供订单号 {order_id}，我们会重新安排发货。"),
        "other": (
            "此包裹的配送出现问题。",
            "请联系{carrier}（运单号 {tracking_number}），或联系商家（订单号 {order_id}）。",
        ),
    },
}

SHIPMENT_LINE = "{sku} × {quantity}"

WEEKDAYS: dict[Locale, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

NOT_FOUND: dict[Locale, tuple[str, str]] = {
    "en": (
        "We can't find this tracking page",
        "Check that the link is complete, exactly as it was sent to you. If it still does not open, "
        "contact the shop where you ordered.",
    ),
    "zh-CN": ("找不到此跟踪页面", "请确认链接完整，与您收到的完全一致。如仍无法打开，请联系您下单的商家。"),
}
