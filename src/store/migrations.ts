/**
 * The history schema, one numbered step at a time. A step is never edited once released: a database
 * in the field has already run it, and `PRAGMA user_version` only records that it did, not what it
 * contained. Change the schema by appending a step.
 */
export interface Migration {
  /** 1, 2, 3 ... with no gaps; becomes `PRAGMA user_version` once the step has run. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'transfer sets, their images, blobs and parts; import and verify events',
    // STRICT tables so a wrong type from a caller fails here instead of being stored as text.
    // Timestamps are ISO-8601 UTC strings of one fixed shape, so comparing them as text orders them
    // in time.
    sql: `
      CREATE TABLE transfer_sets (
        set_id          TEXT PRIMARY KEY NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('export')),
        created_at      TEXT NOT NULL,
        workspace       TEXT NOT NULL,
        config_yaml     TEXT NOT NULL,
        operator        TEXT NOT NULL,
        host            TEXT NOT NULL,
        tool_version    TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
        total_bytes     INTEGER NOT NULL CHECK (total_bytes >= 0),
        base_set_ids    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(base_set_ids) AND json_type(base_set_ids) = 'array'),
        -- NULL when the export failed before the checksum manifest was written or signed.
        manifest_sha256 TEXT,
        key_fingerprint TEXT
      ) STRICT;

      CREATE TABLE set_images (
        set_id          TEXT NOT NULL REFERENCES transfer_sets (set_id) ON DELETE CASCADE,
        source_ref      TEXT NOT NULL,
        destination_ref TEXT NOT NULL,
        -- An image that failed or was blocked may never have been resolved to a digest.
        digest          TEXT,
        media_type      TEXT,
        size            INTEGER CHECK (size IS NULL OR size >= 0),
        status          TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'blocked')),
        error           TEXT
      ) STRICT;

      CREATE TABLE set_blobs (
        set_id TEXT NOT NULL REFERENCES transfer_sets (set_id) ON DELETE CASCADE,
        digest TEXT NOT NULL,
        size   INTEGER NOT NULL CHECK (size >= 0),
        part   TEXT NOT NULL,
        PRIMARY KEY (set_id, digest)
      ) STRICT;

      CREATE TABLE set_parts (
        set_id TEXT NOT NULL REFERENCES transfer_sets (set_id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        size   INTEGER NOT NULL CHECK (size >= 0),
        sha256 TEXT NOT NULL,
        PRIMARY KEY (set_id, name)
      ) STRICT;

      -- No foreign key to transfer_sets: the enclave station imports sets that were exported by a
      -- different station, so their rows live in another database.
      CREATE TABLE events (
        id                INTEGER PRIMARY KEY,
        kind              TEXT NOT NULL CHECK (kind IN ('import', 'verify')),
        set_id            TEXT NOT NULL,
        started_at        TEXT NOT NULL,
        finished_at       TEXT,
        registry          TEXT,
        operator          TEXT NOT NULL,
        host              TEXT NOT NULL,
        result            TEXT NOT NULL CHECK (result IN ('ok', 'failed')),
        details           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
        insecure_accepted INTEGER NOT NULL DEFAULT 0 CHECK (insecure_accepted IN (0, 1))
      ) STRICT;

      CREATE INDEX set_blobs_digest ON set_blobs (digest);
      CREATE INDEX set_images_digest ON set_images (digest);
      CREATE INDEX transfer_sets_workspace ON transfer_sets (workspace, created_at);
      CREATE INDEX events_set ON events (set_id, started_at);
    `,
  },
];
