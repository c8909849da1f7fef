package dev.lockstep.pg;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The connection keywords libpq knows (PostgreSQL 18) and the environment variable behind each. */
final class Keywords {
    /** keyword → environment variable, or null when libpq has none. Order as in libpq's table. */
    static final Map<String, String> ENVIRONMENT = new LinkedHashMap<>();

    static {
        ENVIRONMENT.put("service", "PGSERVICE");
        ENVIRONMENT.put("user", "PGUSER");
        ENVIRONMENT.put("password", "PGPASSWORD");
        ENVIRONMENT.put("passfile", "PGPASSFILE");
        ENVIRONMENT.put("channel_binding", "PGCHANNELBINDING");
        ENVIRONMENT.put("connect_timeout", "PGCONNECT_TIMEOUT");
        ENVIRONMENT.put("dbname", "PGDATABASE");
        ENVIRONMENT.put("host", "PGHOST");
        ENVIRONMENT.put("hostaddr", "PGHOSTADDR");
        ENVIRONMENT.put("port", "PGPORT");
        ENVIRONMENT.put("client_encoding", "PGCLIENTENCODING");
        ENVIRONMENT.put("options", "PGOPTIONS");
        ENVIRONMENT.put("application_name", "PGAPPNAME");
        ENVIRONMENT.put("fallback_application_name", null);
        ENVIRONMENT.put("keepalives", null);
        ENVIRONMENT.put("keepalives_idle", null);
        ENVIRONMENT.put("keepalives_interval", null);
        ENVIRONMENT.put("keepalives_count", null);
        ENVIRONMENT.put("tcp_user_timeout", null);
        ENVIRONMENT.put("sslmode", "PGSSLMODE");
        ENVIRONMENT.put("sslnegotiation", "PGSSLNEGOTIATION");
        ENVIRONMENT.put("sslcompression", "PGSSLCOMPRESSION");
        ENVIRONMENT.put("sslcert", "PGSSLCERT");
        ENVIRONMENT.put("sslkey", "PGSSLKEY");
        ENVIRONMENT.put("sslcertmode", "PGSSLCERTMODE");
        ENVIRONMENT.put("sslpassword", null);
        ENVIRONMENT.put("sslrootcert", "PGSSLROOTCERT");
        ENVIRONMENT.put("sslcrl", "PGSSLCRL");
        ENVIRONMENT.put("sslcrldir", "PGSSLCRLDIR");
        ENVIRONMENT.put("sslsni", "PGSSLSNI");
        ENVIRONMENT.put("requirepeer", "PGREQUIREPEER");
        ENVIRONMENT.put("require_auth", "PGREQUIREAUTH");
        ENVIRONMENT.put("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION");
        ENVIRONMENT.put("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION");
        ENVIRONMENT.put("min_protocol_version", "PGMINPROTOCOLVERSION");
        ENVIRONMENT.put("max_protocol_version", "PGMAXPROTOCOLVERSION");
        ENVIRONMENT.put("gssencmode", "PGGSSENCMODE");
        ENVIRONMENT.put("krbsrvname", "PGKRBSRVNAME");
        ENVIRONMENT.put("gsslib", "PGGSSLIB");
        ENVIRONMENT.put("gssdelegation", "PGGSSDELEGATION");
        ENVIRONMENT.put("replication", null);
        ENVIRONMENT.put("target_session_attrs", "PGTARGETSESSIONATTRS");
        ENVIRONMENT.put("load_balance_hosts", "PGLOADBALANCEHOSTS");
    }

    /** Keywords whose values are secrets: never shown. */
    static final Set<String> SECRET = Set.of("password", "sslpassword");

    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private Keywords() {}

    static boolean known(String keyword) {
        return ENVIRONMENT.containsKey(keyword);
    }
}
