"""SatuPintu: one door to every public service of a Mal Pelayanan Publik."""

__version__ = "0.1.0"
