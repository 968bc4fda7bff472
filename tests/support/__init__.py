"""Test support shared by every suite: settings scrubbing, Postgres databases, sandbox settings,
warehouse queries, gold snapshots and the dbt project's variables."""
