package dev.lockstep.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionSettingsTest {
    @TempDir
    Path home;

    FakeEnvironment env;

    @BeforeEach
    void setUp() {
        env = new FakeEnvironment(home);
    }

    @Nested
    class Uris {
        @Test
        void readsEveryPartOfAUri() {
            ConnectionSettings settings = env.parse("postgresql://alice:s%40cr%3At@db.example.com:6432/shop"
                    + "?sslmode=require&application_name=billing&connect_timeout=7"
                    + "&options=-c%20search_path%3Dapp&target_session_attrs=read-write");

            assertThat(settings.host()).isEqualTo("db.example.com");
            assertThat(settings.port()).isEqualTo(6432);
            assertThat(settings.user()).isEqualTo("alice");
            assertThat(settings.password().reveal()).isEqualTo("s@cr:t");
            assertThat(settings.database()).isEqualTo("shop");
            assertThat(settings.sslMode()).isEqualTo("require");
            assertThat(settings.applicationName()).isEqualTo("billing");
            assertThat(settings.options())
                    .containsEntry("connect_timeout", "7")
                    .containsEntry("options", "-c search_path=app")
                    .containsEntry("target_session_attrs", "read-write");
            assertThat(settings.connectTimeoutSeconds()).isEqualTo(7);
        }

        @Test
        void acceptsThePostgresPrefix() {
            ConnectionSettings settings = env.parse("postgres://bob@h/db");

            assertThat(settings.user()).isEqualTo("bob");
            assertThat(settings.host()).isEqualTo("h");
            assertThat(settings.port()).isEqualTo(5432);
            assertThat(settings.password()).isNull();
        }

        @Test
        void readsSeveralHostsWithTheirOwnPorts() {
            ConnectionSettings settings = env.parse("postgresql://h1:5432,h2:5433,h3/db");

            assertThat(settings.hosts())
                    .containsExactly(new HostPort("h1", 5432), new HostPort("h2", 5433), new HostPort("h3", 5432));
        }

        @Test
        void readsIpv6LiteralsInBrackets() {
            ConnectionSettings settings = env.parse("postgresql://[::1]:5433,[2001:db8::7]/db");

            assertThat(settings.hosts()).containsExactly(new HostPort("::1", 5433), new HostPort("2001:db8::7", 5432));
            assertThat(settings.displayUri()).startsWith("postgresql://osuser@[::1]:5433,[2001:db8::7]:5432/db");
        }

        @Test
        void readsAUnixSocketDirectoryFromAnEncodedHostOrAHostParameter() {
            ConnectionSettings encoded = env.parse("postgresql://%2Fvar%2Frun%2Fpostgresql:5433/db");
            ConnectionSettings parameter = env.parse("postgresql:///db?host=/tmp&port=5434");

            assertThat(encoded.hosts()).containsExactly(new HostPort("/var/run/postgresql", 5433));
            assertThat(encoded.hosts().get(0).networkHost()).isEqualTo("localhost");
            assertThat(parameter.hosts()).containsExactly(new HostPort("/tmp", 5434));
        }

        @Test
        void takesSslTrueAsRequire() {
            assertThat(env.parse("postgresql://h/db?ssl=true").sslMode()).isEqualTo("require");
        }

        @Test
        void leavesEmptyPartsToTheEnvironment() {
            env.with("PGHOST", "envhost").with("PGDATABASE", "envdb").with("PGUSER", "envuser");

            ConnectionSettings settings = env.parse("postgresql://");

            assertThat(settings.host()).isEqualTo("envhost");
            assertThat(settings.database()).isEqualTo("envdb");
            assertThat(settings.user()).isEqualTo("envuser");
        }

        @Test
        void pointsAtAnUnknownParameter() {
            assertThatThrownBy(() -> env.parse("postgresql://h/db?sslmod=require"))
                    .isInstanceOf(LockstepException.class)
                    .hasMessage("unknown URI query parameter \"sslmod\" at position 19");
        }

        @Test
        void pointsAtBadPercentEncoding() {
            assertThatThrownBy(() -> env.parse("postgresql://h/d%zzb"))
                    .hasMessage("invalid percent-encoding in URI at position 17");
        }

        @Test
        void pointsAtAnUnclosedIpv6Bracket() {
            assertThatThrownBy(() -> env.parse("postgresql://[::1/db"))
                    .hasMessage("missing \"]\" after the IPv6 address that starts at position 14 in URI");
        }

        @Test
        void doesNotRepeatAPieceOfThePasswordInAnError() {
            assertThatThrownBy(() -> env.parse("postgresql://u:hunter2@h/db?hunter2"))
                    .hasMessageNotContaining("hunter2")
                    .hasMessageContaining("position 29");
        }
    }

    @Nested
    class KeyValueStrings {
        @Test
        void readsKeywordsWithSpacesAroundTheEqualsSign() {
            ConnectionSettings settings =
                    env.parse("host = db.internal port= 6000 dbname ='my db' user=carol application_name=x");

            assertThat(settings.host()).isEqualTo("db.internal");
            assertThat(settings.port()).isEqualTo(6000);
            assertThat(settings.database()).isEqualTo("my db");
            assertThat(settings.user()).isEqualTo("carol");
            assertThat(settings.applicationName()).isEqualTo("x");
        }

        @Test
        void unescapesBackslashesInQuotedAndPlainValues() {
            ConnectionSettings settings = env.parse("password='it\\'s a \\\\secret' dbname=a\\ b");

            assertThat(settings.password().reveal()).isEqualTo("it's a \\secret");
            assertThat(settings.database()).isEqualTo("a b");
        }

        @Test
        void acceptsAnEmptyQuotedValue() {
            assertThat(env.parse("dbname=shop application_name=''").applicationName())
                    .isEmpty();
        }

        @Test
        void pairsHostsWithPorts() {
            assertThat(env.parse("host=h1,h2 port=5432,5433").hosts())
                    .containsExactly(new HostPort("h1", 5432), new HostPort("h2", 5433));
            assertThat(env.parse("host=h1,h2 port=6000").hosts())
                    .containsExactly(new HostPort("h1", 6000), new HostPort("h2", 6000));
        }

        @Test
        void refusesMorePortsThanHosts() {
            assertThatThrownBy(() -> env.parse("host=h1,h2 port=1,2,3"))
                    .hasMessage("could not match 3 port numbers to 2 hosts");
        }

        @Test
        void pointsAtAnUnterminatedQuote() {
            assertThatThrownBy(() -> env.parse("host=h dbname=x password='abc"))
                    .isInstanceOf(LockstepException.class)
                    .satisfies(
                            e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.USAGE))
                    .hasMessage("unterminated quoted value in key=value string at position 26");
        }

        @Test
        void pointsAtAMissingEqualsSign() {
            assertThatThrownBy(() -> env.parse("host=h dbname"))
                    .hasMessage("missing \"=\" after \"dbname\" in key=value string at position 8");
        }

        @Test
        void pointsAtAnUnknownKeyword() {
            assertThatThrownBy(() -> env.parse("host=h colour=blue"))
                    .hasMessage("unknown connection option \"colour\" in key=value string at position 8");
        }

        @Test
        void doesNotRepeatAPieceOfThePasswordInAnError() {
            // an unquoted space splits the password and libpq would name its second half as a keyword
            assertThatThrownBy(() -> env.parse("password=open sesame=1"))
                    .hasMessage("unknown connection option a keyword in key=value string at position 15");
        }
    }

    @Nested
    class JdbcUrls {
        @Test
        void readsHostPortDatabaseAndProperties() {
            ConnectionSettings settings = env.parse("jdbc:postgresql://db1:6432/orders?user=dave&password=pw"
                    + "&sslmode=verify-ca&ApplicationName=etl&connectTimeout=3&currentSchema=app");

            assertThat(settings.hosts()).containsExactly(new HostPort("db1", 6432));
            assertThat(settings.database()).isEqualTo("orders");
            assertThat(settings.user()).isEqualTo("dave");
            assertThat(settings.password().reveal()).isEqualTo("pw");
            assertThat(settings.sslMode()).isEqualTo("verify-ca");
            assertThat(settings.applicationName()).isEqualTo("etl");
            assertThat(settings.options()).containsEntry("connect_timeout", "3").containsEntry("currentSchema", "app");
        }

        @Test
        void readsSeveralHostsAndIpv6() {
            assertThat(env.parse("jdbc:postgresql://a:1,[::1]:2,b/db").hosts())
                    .containsExactly(new HostPort("a", 1), new HostPort("::1", 2), new HostPort("b", 5432));
        }

        @Test
        void readsTheShortForms() {
            assertThat(env.parse("jdbc:postgresql:inventory").database()).isEqualTo("inventory");
            assertThat(env.parse("jdbc:postgresql://h/").database()).isEqualTo("osuser");
        }

        @Test
        void mapsDriverFlagsToLibpqKeywords() {
            ConnectionSettings settings = env.parse("jdbc:postgresql://h/db?ssl=true&targetServerType=secondary");

            // pgjdbc: ssl=true without sslmode verifies the certificate and the host name
            assertThat(settings.sslMode()).isEqualTo("verify-full");
            assertThat(settings.options()).containsEntry("target_session_attrs", "standby");
        }
    }

    @Nested
    class DatabaseNames {
        @Test
        void takesAPlainWordAsTheDatabase() {
            ConnectionSettings settings = env.parse("inventory");

            assertThat(settings.database()).isEqualTo("inventory");
            assertThat(settings.host()).isEqualTo("localhost");
        }
    }

    @Nested
    class Defaults {
        @Test
        void fallsBackToLocalhostThePortTheOsUserAndItsName() {
            ConnectionSettings settings = env.parse("");

            assertThat(settings.hosts()).containsExactly(new HostPort("localhost", 5432));
            assertThat(settings.user()).isEqualTo("osuser");
            assertThat(settings.database()).isEqualTo("osuser");
            assertThat(settings.sslMode()).isEqualTo("prefer");
            assertThat(settings.password()).isNull();
            assertThat(settings.applicationName()).isNull();
        }

        @Test
        void takesUnsetPartsFromTheEnvironment() {
            env.with("PGHOST", "eh")
                    .with("PGPORT", "7000")
                    .with("PGUSER", "eu")
                    .with("PGDATABASE", "ed")
                    .with("PGPASSWORD", "ep")
                    .with("PGSSLMODE", "disable")
                    .with("PGAPPNAME", "ea")
                    .with("PGCONNECT_TIMEOUT", "9")
                    .with("PGOPTIONS", "-c work_mem=64MB");

            ConnectionSettings settings = env.parse("");

            assertThat(settings.hosts()).containsExactly(new HostPort("eh", 7000));
            assertThat(settings.user()).isEqualTo("eu");
            assertThat(settings.database()).isEqualTo("ed");
            assertThat(settings.password().reveal()).isEqualTo("ep");
            assertThat(settings.sslMode()).isEqualTo("disable");
            assertThat(settings.applicationName()).isEqualTo("ea");
            assertThat(settings.connectTimeoutSeconds()).isEqualTo(9);
            assertThat(settings.options()).containsEntry("options", "-c work_mem=64MB");
        }

        @Test
        void letsTheConnStringWinOverTheEnvironment() {
            env.with("PGHOST", "eh").with("PGPORT", "7000").with("PGUSER", "eu").with("PGPASSWORD", "ep");

            ConnectionSettings settings = env.parse("postgresql://cu:cp@ch:7100/cd");

            assertThat(settings.hosts()).containsExactly(new HostPort("ch", 7100));
            assertThat(settings.user()).isEqualTo("cu");
            assertThat(settings.password().reveal()).isEqualTo("cp");
        }

        @Test
        void defaultsTheDatabaseToTheUserFromTheEnvironment() {
            assertThat(env.with("PGUSER", "eve").parse("host=h").database()).isEqualTo("eve");
        }

        @Test
        void honoursTheDeprecatedRequireSslVariableBelowPgsslmode() {
            assertThat(env.with("PGREQUIRESSL", "1").parse("").sslMode()).isEqualTo("require");
            assertThat(env.with("PGSSLMODE", "verify-full").parse("").sslMode()).isEqualTo("verify-full");
        }

        @Test
        void refusesAnUnknownSslMode() {
            assertThatThrownBy(() -> env.parse("sslmode=required"))
                    .hasMessageStartingWith("invalid sslmode \"required\"");
        }

        @Test
        void refusesAPortThatIsNotANumber() {
            assertThatThrownBy(() -> env.parse("port=54x2")).hasMessageStartingWith("invalid port number \"54x2\"");
        }
    }

    @Nested
    class Secrets {
        @Test
        void neverShowsThePassword() {
            ConnectionSettings settings =
                    env.parse("postgresql://alice:Tr0ub4dor@h:5433/db?sslpassword=KeyPass99&sslmode=require");

            assertThat(settings.displayUri()).isEqualTo("postgresql://alice@h:5433/db?sslmode=require");
            assertThat(settings.toString())
                    .doesNotContain("Tr0ub4dor")
                    .doesNotContain("KeyPass99")
                    .contains("postgresql://alice@h:5433/db");
            assertThat(settings.password()).hasToString("********");
            assertThat(settings.withApplicationName("x").toString()).doesNotContain("Tr0ub4dor");
        }

        @Test
        void comparesSecretsByValue() {
            assertThat(Secret.of("a")).isEqualTo(Secret.of("a")).isNotEqualTo(Secret.of("b"));
        }
    }

    @Test
    void replacesOnlyTheApplicationName() {
        ConnectionSettings settings = env.parse("postgresql://u@h/db?application_name=a");

        ConnectionSettings renamed = settings.withApplicationName("b");

        assertThat(renamed.applicationName()).isEqualTo("b");
        assertThat(renamed.hosts()).isEqualTo(settings.hosts());
        assertThat(renamed.user()).isEqualTo("u");
        assertThat(List.of(renamed.database(), renamed.sslMode())).containsExactly("db", "prefer");
    }
}
