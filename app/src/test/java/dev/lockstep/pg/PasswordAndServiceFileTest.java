package dev.lockstep.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordAndServiceFileTest {
    @TempDir
    Path home;

    FakeEnvironment env;

    @BeforeEach
    void setUp() {
        env = new FakeEnvironment(home);
    }

    private Path pgpass(String content) throws IOException {
        return pgpass(home.resolve(".pgpass"), content, "rw-------");
    }

    private static Path pgpass(Path file, String content, String permissions) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Nested
    class PasswordFile {
        @Test
        void givesThePasswordOfTheFirstMatchingLine() throws IOException {
            pgpass("# comment\n" + "other:5432:*:*:nope\n"
                    + "db.example.com:5432:shop:alice:first\n"
                    + "db.example.com:5432:shop:alice:second\n");

            assertThat(env.parse("postgresql://alice@db.example.com/shop")
                            .password()
                            .reveal())
                    .isEqualTo("first");
        }

        @Test
        void matchesWildcardsAndTheDefaultPort() throws IOException {
            pgpass("*:5433:*:*:wrongport\n*:5432:*:alice:wild\n");

            assertThat(env.parse("host=anything user=alice dbname=x").password().reveal())
                    .isEqualTo("wild");
        }

        @Test
        void unescapesColonsAndBackslashesInFieldsAndPassword() throws IOException {
            pgpass("h:5432:we\\:ird:u\\\\ser:pa\\:ss\\\\word\n");

            assertThat(env.parse("host=h dbname=we:ird user=u\\\\ser")
                            .password()
                            .reveal())
                    .isEqualTo("pa:ss\\word");
        }

        @Test
        void ignoresCarriageReturnsAtLineEnds() throws IOException {
            pgpass("h:5432:db:u:crlf\r\n");

            assertThat(env.parse("host=h dbname=db user=u").password().reveal()).isEqualTo("crlf");
        }

        @Test
        void matchesLocalhostForTheDefaultSocketDirectory() throws IOException {
            pgpass("localhost:5432:db:u:socket\n");

            assertThat(env.parse("host=/var/run/postgresql dbname=db user=u")
                            .password()
                            .reveal())
                    .isEqualTo("socket");
            assertThat(env.parse("host=/srv/sockets dbname=db user=u").password())
                    .isNull();
        }

        @Test
        void ignoresAFileOthersCanReadAndSaysWhy() throws IOException {
            pgpass(home.resolve(".pgpass"), "*:*:*:*:exposed\n", "rw-r--r--");

            ConnectionSettings settings = env.parse("host=h");

            assertThat(settings.password()).isNull();
            assertThat(env.warnings)
                    .singleElement()
                    .asString()
                    .contains("has group or world access")
                    .doesNotContain("exposed");
        }

        @Test
        void readsTheFileThatPgpassfileOrPassfileNames() throws IOException {
            Path elsewhere = pgpass(home.resolve("elsewhere"), "*:*:*:*:fromvariable\n", "rw-------");
            Path keyword = pgpass(home.resolve("keyword"), "*:*:*:*:fromkeyword\n", "r--------");
            env.with("PGPASSFILE", elsewhere.toString());

            assertThat(env.parse("host=h").password().reveal()).isEqualTo("fromvariable");
            assertThat(env.parse("host=h passfile=" + keyword).password().reveal())
                    .isEqualTo("fromkeyword");
        }

        @Test
        void comesAfterTheConnStringAndPgpassword() throws IOException {
            pgpass("*:*:*:*:fromfile\n");

            assertThat(env.parse("host=h").password().reveal()).isEqualTo("fromfile");
            assertThat(env.with("PGPASSWORD", "fromenv")
                            .parse("host=h")
                            .password()
                            .reveal())
                    .isEqualTo("fromenv");
            assertThat(env.parse("host=h password=fromconn").password().reveal())
                    .isEqualTo("fromconn");
        }

        @Test
        void treatsAnEmptyPasswordAsNoneAndLooksInTheFile() throws IOException {
            pgpass("*:*:*:*:fromfile\n");

            assertThat(env.parse("postgresql://u:@h/db").password().reveal()).isEqualTo("fromfile");
        }
    }

    @Nested
    class ServiceFiles {
        private Path serviceFile(Path file, String content) throws IOException {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return file;
        }

        @Test
        void readsTheNamedSectionOfTheUsersServiceFile() throws IOException {
            serviceFile(
                    home.resolve(".pg_service.conf"),
                    "# services\n[other]\nhost=wrong\n\n[reporting]\nhost=reports.internal\nport=6543\n"
                            + "dbname=warehouse\nuser=analyst\n[after]\nhost=wrong\n");

            ConnectionSettings settings = env.parse("service=reporting");

            assertThat(settings.hosts()).containsExactly(new HostPort("reports.internal", 6543));
            assertThat(settings.database()).isEqualTo("warehouse");
            assertThat(settings.user()).isEqualTo("analyst");
            assertThat(settings.options()).containsEntry("service", "reporting");
        }

        @Test
        void takesTheServiceFromPgserviceAndTheFileFromPgservicefile() throws IOException {
            Path file = serviceFile(home.resolve("conf/services"), "[billing]\nhost=billing.internal\n");
            env.with("PGSERVICE", "billing").with("PGSERVICEFILE", file.toString());

            assertThat(env.parse("").host()).isEqualTo("billing.internal");
        }

        @Test
        void fallsBackToTheSystemServiceFile() throws IOException {
            serviceFile(home.resolve(".pg_service.conf"), "[other]\nhost=wrong\n");
            serviceFile(home.resolve("sysconf/pg_service.conf"), "[shared]\nhost=shared.internal\n");

            assertThat(env.parse("service=shared").host()).isEqualTo("shared.internal");
        }

        @Test
        void ranksConnStringOverServiceOverEnvironmentAsLibpqDoes() throws IOException {
            serviceFile(home.resolve(".pg_service.conf"), "[s]\nhost=servicehost\nport=6000\nuser=serviceuser\n");
            env.with("PGHOST", "envhost").with("PGPORT", "7000").with("PGDATABASE", "envdb");

            ConnectionSettings settings = env.parse("service=s port=8000");

            assertThat(settings.hosts()).containsExactly(new HostPort("servicehost", 8000));
            assertThat(settings.user()).isEqualTo("serviceuser");
            assertThat(settings.database()).isEqualTo("envdb");
        }

        @Test
        void saysWhenTheServiceIsNowhere() {
            assertThatThrownBy(() -> env.parse("service=missing"))
                    .hasMessageStartingWith("definition of service \"missing\" not found");
        }

        @Test
        void pointsAtAnUnknownKeywordByLine() throws IOException {
            Path file = serviceFile(home.resolve(".pg_service.conf"), "[s]\nhost=h\nhots=typo\n");

            assertThatThrownBy(() -> env.parse("service=s"))
                    .hasMessage("syntax error in service file \"" + file + "\", line 3: unknown keyword \"hots\"");
        }

        @Test
        void refusesANestedService() throws IOException {
            serviceFile(home.resolve(".pg_service.conf"), "[s]\nservice=t\n");

            assertThatThrownBy(() -> env.parse("service=s")).hasMessageStartingWith("nested service");
        }

        @Test
        void letsTheServiceGiveThePasswordBeforePgpassword() throws IOException {
            serviceFile(home.resolve(".pg_service.conf"), "[s]\npassword=fromservice\n");
            env.with("PGPASSWORD", "fromenv");

            assertThat(env.parse("service=s").password().reveal()).isEqualTo("fromservice");
        }
    }
}
