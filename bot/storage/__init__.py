"""The database: engines, tables, migrations, the region list and segment queries; imports no other part of `bot`."""
