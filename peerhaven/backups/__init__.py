"""Encrypted backups of the database and private uploads, and restoring them (`manage.py backup`,
`manage.py restore`)."""
