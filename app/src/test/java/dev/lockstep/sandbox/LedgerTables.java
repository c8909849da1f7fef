package dev.lockstep.sandbox;

/**
 * Migration tools' ledger tables as the tools create them on PostgreSQL (Flyway's createMetaDataTable.sql,
 * Liquibase's standard lock and changelog tables), for tests that plant a failed migration or a stuck lock.
 * Each lives in a schema of its own, dropped after the test so that no other test's run meets it.
 */
public final class LedgerTables {

    private LedgerTables() {}

    public static String[] flyway(String schema) {
        return new String[] {
            "drop schema if exists " + schema + " cascade",
            "create schema " + schema,
            "CREATE TABLE \"" + schema + "\".\"flyway_schema_history\" ("
                    + " \"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),"
                    + " \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,"
                    + " \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER,"
                    + " \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),"
                    + " \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL)",
            "ALTER TABLE \"" + schema + "\".\"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\""
                    + " PRIMARY KEY (\"installed_rank\")",
            "CREATE INDEX \"flyway_schema_history_s_idx\" ON \"" + schema + "\".\"flyway_schema_history\""
                    + " (\"success\")"
        };
    }

    /** A Flyway history row as Flyway writes one (type SQL). */
    public static String flywayRow(String schema, int rank, String version, String description, boolean success) {
        String script = "V" + version + "__" + description.replace(' ', '_') + ".sql";
        return "insert into " + schema + ".flyway_schema_history (installed_rank, version, description, type, script,"
                + " checksum, installed_by, execution_time, success) values (" + rank + ", '" + version + "', '"
                + description + "', 'SQL', '" + script + "', " + (1000 + rank) + ", 'deployer', 12, " + success + ")";
    }

    public static String[] liquibase(String schema) {
        return new String[] {
            "drop schema if exists " + schema + " cascade",
            "create schema " + schema,
            "CREATE TABLE " + schema + ".databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL,"
                    + " LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255),"
                    + " CONSTRAINT DATABASECHANGELOGLOCK_PKEY PRIMARY KEY (ID))",
            "INSERT INTO " + schema + ".databasechangeloglock (ID, LOCKED) VALUES (1, FALSE)",
            "CREATE TABLE " + schema + ".databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,"
                    + " FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL,"
                    + " ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35),"
                    + " DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20),"
                    + " CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))",
            "INSERT INTO " + schema + ".databasechangelog VALUES ('1', 'ana', 'db/changelog.xml', now() - interval"
                    + " '3 days', 1, 'EXECUTED', '9:0a1b', 'createTable tableName=account', '', NULL, '4.29.2', NULL,"
                    + " NULL, '1234567890')",
            "INSERT INTO " + schema + ".databasechangelog VALUES ('2', 'ana', 'db/changelog.xml', now() - interval"
                    + " '1 day', 2, 'EXECUTED', '9:0c2d', 'addColumn tableName=account', '', NULL, '4.29.2', NULL,"
                    + " NULL, '1234567891')"
        };
    }

    /** The lock as Liquibase takes it, by a host that is {@code lockedBy} ("host (address)"), granted a while ago. */
    public static String liquibaseLocked(String schema, String lockedBy, String grantedAgo) {
        return "UPDATE " + schema + ".databasechangeloglock SET LOCKED = TRUE, LOCKGRANTED = now() - interval '"
                + grantedAgo + "', LOCKEDBY = '" + lockedBy + "' WHERE ID = 1";
    }

    public static String drop(String schema) {
        return "drop schema if exists " + schema + " cascade";
    }
}
