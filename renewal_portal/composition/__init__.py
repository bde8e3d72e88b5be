"""The top layer: what composes the core with cec and payments (the holder's home and
renewal page, the renewal admin, audit packets, the season dashboard and exports,
reminders, demo data, backups). Nothing below imports it; see ARCHITECTURE.md."""
