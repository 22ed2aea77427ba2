-- pekko-persistence-jdbc 1.1.1's H2 schema (schema/h2/h2-create-schema.sql in its jar), less the
-- durable-state table Reckon does not use, with IF NOT EXISTS everywhere so that it runs on every start,
-- and payloads as VARBINARY instead of BLOB: H2 keeps a BLOB of more than 256 bytes in its separate LOB
-- store, which costs every write of a ~3 KB result a second structure (the same bytes reach the same
-- JDBC getBytes/setBytes).
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" VARBINARY NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" VARBINARY,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id","sequence_number")
);
CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON PUBLIC."event_journal" ("ordering");
CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_event_journal
      FOREIGN KEY("event_id")
      REFERENCES "event_journal"("ordering")
      ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" VARBINARY NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" VARBINARY,
    PRIMARY KEY("persistence_id","sequence_number")
);
-- Reckon's read side: one row per run with its latest status, written by the run's entity, so that
-- listings read one table instead of recovering every run from the journal.
CREATE TABLE IF NOT EXISTS PUBLIC."reckon_runs" (
    "run_id" VARCHAR(64) PRIMARY KEY,
    "started_at" BIGINT NOT NULL,
    "ended_at" BIGINT,
    "state" VARCHAR(16) NOT NULL,
    "status" VARCHAR NOT NULL
);
