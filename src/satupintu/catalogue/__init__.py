"""Catalogue: sites, mobile service events, agencies, agreements, counters, services, booths."""
