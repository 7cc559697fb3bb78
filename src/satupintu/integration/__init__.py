"""Integration: client systems, API keys, signed webhooks and feeds for national platforms."""
