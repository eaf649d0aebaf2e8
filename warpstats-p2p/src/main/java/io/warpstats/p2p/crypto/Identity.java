package io.warpstats.p2p.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;

/**
 * The node's identity key, kept in its data directory as {@code identity.key}: one line
 * {@code ed25519:<64 hex chars of the seed>}, file mode 0600 (where the file system has POSIX
 * permissions). Created atomically on first use (written to a temporary file, then moved), so a
 * crash never leaves a half-written key; an existing file is never overwritten.
 */
public final class Identity {
    /** The key file's name inside the data directory. */
    public static final String FILE_NAME = "identity.key";
    private static final String PREFIX = "ed25519:";

    private Identity() {}

    /** Loads the key of {@code dataDir}, creating the directory and the key if missing. */
    public static PrivateKey loadOrCreate(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) return load(file);
        PrivateKey key = PrivateKey.generate();
        Path tmp = Files.createTempFile(dataDir, ".identity", ".tmp");
        try {
            setOwnerOnly(tmp);
            Files.writeString(tmp, PREFIX + HexFormat.of().formatHex(key.seed()) + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                return load(file); // another process won the race
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (Files.exists(file) && !load(file).equals(key)) return load(file);
        return key;
    }

    /** Loads an existing key file; fails with a clear message if it is malformed. */
    public static PrivateKey load(Path file) throws IOException {
        if (Files.size(file) > 1024) throw new IOException("identity file too large: " + file);
        String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!s.startsWith(PREFIX) || s.length() != PREFIX.length() + 64) {
            throw new IOException("malformed identity file " + file + " (expected ed25519:<64 hex>)");
        }
        try {
            return PrivateKey.fromSeed(HexFormat.of().parseHex(s.substring(PREFIX.length())));
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed identity file " + file, e);
        }
    }

    private static void setOwnerOnly(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: rely on the directory's permissions
        }
    }
}
