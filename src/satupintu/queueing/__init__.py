"""Queue: tickets, bookings, calling order, counter operations, referrals."""
