package dev.lockstep.pg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A PgEnvironment for unit tests: given variables, a temporary home, OS user "osuser", warnings kept. */
final class FakeEnvironment {
    final Map<String, String> variables = new HashMap<>();
    final List<String> warnings = new ArrayList<>();
    final Path home;

    FakeEnvironment(Path home) {
        this.home = home;
        // keep the machine's /etc/postgresql-common out of the tests
        variables.put("PGSYSCONFDIR", home.resolve("sysconf").toString());
    }

    FakeEnvironment with(String name, String value) {
        variables.put(name, value);
        return this;
    }

    PgEnvironment environment() {
        return new PgEnvironment(variables::get, home, "osuser", warnings::add);
    }

    ConnectionSettings parse(String conn) {
        return ConnectionSettings.parse(conn, environment());
    }
}
