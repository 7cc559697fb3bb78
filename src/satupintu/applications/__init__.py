"""Applications (permohonan): requests that take days to finish, with working-day deadlines."""
