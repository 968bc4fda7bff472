"""Test support shared by every suite: settings scrubbing, Postgres databases, sandbox settings,
warehouse queries, gold snapshots, the dbt project's variables, and the CLI as a child process
with its check that no secret leaks."""
