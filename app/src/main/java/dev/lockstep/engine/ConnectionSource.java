package dev.lockstep.engine;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a new control session. The command line passes the pg package's bounded, labelled sessions; the
 * engine calls it again after losing a session, so it must open a fresh connection each time.
 */
@FunctionalInterface
interface ConnectionSource {
    Connection open() throws SQLException;
}
