"""Kefu Assist (客服助手): agent-assist for live customer-service chats in Traditional Chinese."""

__version__ = "0.1.0"
