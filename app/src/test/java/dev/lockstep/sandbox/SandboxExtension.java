package dev.lockstep.sandbox;

import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real PostgreSQL primary and streaming standby ({@link Sandbox}), started once per test
 * run and shared by every test class that uses it; stopped when the run ends.
 *
 * <pre>{@code
 * @ExtendWith(SandboxExtension.class)
 * class ReplicationProbeTest {
 *
 *     @Test
 *     void readsLagFromTheStandby(Sandbox sandbox) throws SQLException {
 *         try (Connection primary = sandbox.connectPrimary()) { ... }
 *         String standbyUri = sandbox.standbyUri();          // postgresql://postgres@127.0.0.1:PORT/postgres
 *     }
 *
 *     @Test
 *     void worksOnTheOldestSupportedMajor(@PgMajor(13) Sandbox pg13) { ... }   // started on first use
 * }
 * }</pre>
 *
 * <p>A {@code Sandbox} parameter can be taken by test methods, lifecycle methods ({@code @BeforeAll
 * static void setUp(Sandbox sandbox)}) and constructors. Without {@link PgMajor} it is the default major
 * (17); {@code @PgMajor(13)} or {@code @PgMajor(18)} gives a sandbox of that major, also started once per
 * run, lazily (their binaries come from {@code app/target/pg-binaries}, which the build fills).
 *
 * <p>The sandbox is shared: a test leaves it as it found it. Create tables with names of your own (or
 * drop them at the end), resume a paused replay and start a stopped standby in {@code finally}. Useful
 * helpers: {@link Sandbox#createLoginRole}, {@link Sandbox#requirePassword} (a "wrong password" case),
 * {@link Sandbox#stopStandby}/{@link Sandbox#startStandby} ("standby unreachable"),
 * {@link Sandbox#awaitStandbyReplay}. The demo tables are not loaded; call {@link DemoData#load} in a
 * database of your own if a test needs them ({@code CREATE DATABASE} and a JDBC URL with that name).
 *
 * <p>No postgres process outlives the run: the sandboxes sit in the root store and are closed with it,
 * and each sandbox also has a JVM shutdown hook as a backstop.
 */
public final class SandboxExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SandboxExtension.class);
    private static final ConcurrentHashMap<Integer, Object> LOCKS = new ConcurrentHashMap<>();

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Sandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        int major = parameterContext
                .findAnnotation(PgMajor.class)
                .map(PgMajor::value)
                .orElseGet(PgBinariesLocator::defaultMajor);
        return sandbox(extensionContext, major);
    }

    /** The run's sandbox of that major, started on first use. */
    public static Sandbox sandbox(ExtensionContext context, int major) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        synchronized (LOCKS.computeIfAbsent(major, key -> new Object())) {
            // Sandbox is AutoCloseable: the root store closes it when the run ends.
            return store.getOrComputeIfAbsent(
                    "pg" + major, key -> Sandbox.start(SandboxConfig.defaults().withPgMajor(major)), Sandbox.class);
        }
    }
}
