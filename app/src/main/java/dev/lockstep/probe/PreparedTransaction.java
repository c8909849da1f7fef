package dev.lockstep.probe;

import java.time.Instant;

/** A two-phase transaction waiting for COMMIT/ROLLBACK PREPARED; it holds its locks and the xmin horizon. */
public record PreparedTransaction(
        String gid, Instant prepared, String owner, String database, Long xidAge, double ageSeconds) {}
