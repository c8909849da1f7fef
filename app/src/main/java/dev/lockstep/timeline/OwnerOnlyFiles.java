package dev.lockstep.timeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files that hold keys or timelines are created owner-only from the first instant (the mode is passed to
 * open(2), so there is no window in which another user could open them), never chmod-ed afterwards.
 */
final class OwnerOnlyFiles {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnlyFiles() {}

    static FileAttribute<?>[] fileMode() {
        return POSIX
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
    }

    static FileAttribute<?>[] directoryMode() {
        return POSIX
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
                }
                : new FileAttribute<?>[0];
    }

    /** Creates the directory and any missing parents with mode 0700; existing ones are left as they are. */
    static void createDirectories(Path directory) throws IOException {
        if (directory != null && !Files.isDirectory(directory)) {
            Files.createDirectories(directory, directoryMode());
        }
    }

    /** Creates a new file (fails if it exists) with mode 0600 and the given content, forced to disk. */
    static void writeNew(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] mode = ownerOnly ? fileMode() : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(file, options, mode)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /** Makes a new directory entry durable (fsync(2) on the directory); a no-op where unsupported. */
    static void forceDirectory(Path directory) {
        if (directory == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open a directory for fsync; the file data itself is still forced.
        }
    }

    /** Permissions of the group or others on the file, empty when none or when the platform has no modes. */
    static Set<PosixFilePermission> groupOrOtherPermissions(Path file) throws IOException {
        if (!POSIX) {
            return Set.of();
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : Files.getPosixFilePermissions(file)) {
            if (!permission.name().startsWith("OWNER_")) {
                loose.add(permission);
            }
        }
        return loose;
    }

    static String octalMode(Path file) throws IOException {
        if (!POSIX) {
            return "unknown";
        }
        int mode = 0;
        for (PosixFilePermission permission : Files.getPosixFilePermissions(file)) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return String.format("%04o", mode);
    }
}
