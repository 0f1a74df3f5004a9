"""E-mail notifications for facility people: certificate changes and the weekly digest."""
