"""Feedback: the SKM satisfaction survey and its index, complaints (pengaduan)."""
