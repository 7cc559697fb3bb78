"""Illustrative demo data: MPP Kabupaten Lahat and its Pelayanan Bergerak (see lahat.json)."""
