"""The mobile service unit: enrol with the centre, run the front of house offline, sync."""
