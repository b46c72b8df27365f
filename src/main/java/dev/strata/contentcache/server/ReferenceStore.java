package dev.strata.contentcache.server;

import dev.strata.registry.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small named references, name → content hash, one file each: {@code refs/<sha256 of the name>}
 * holding the name and the hash on two lines. A client-chosen name never becomes a path, so no name
 * can escape the directory; the name inside the file guards against a corrupted or foreign file. A
 * put is written to a temporary file, forced and renamed: a reader sees the old or the new hash.
 * References are not bounded by the store's size (they are tiny) and outlive the content they name
 * (a client that follows one to evicted content gets NOT_FOUND, a miss like any other).
 */
public final class ReferenceStore {
  private static final Logger log = LoggerFactory.getLogger(ReferenceStore.class);
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path dir;

  private ReferenceStore(Path dir) {
    this.dir = dir;
  }

  /** Opens the references under {@code storeDir/refs}, deleting interrupted writes. */
  public static ReferenceStore open(Path storeDir) throws IOException {
    Path dir = storeDir.resolve("refs");
    Files.createDirectories(dir);
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
      for (Path leftover : leftovers) {
        Files.deleteIfExists(leftover);
      }
    }
    return new ReferenceStore(dir);
  }

  /** Points {@code name} at {@code hash}, replacing what it named before. */
  public void put(String name, Digest hash) throws IOException {
    Names.checkName("reference name", name);
    byte[] record = (name + "\n" + hash + "\n").getBytes(StandardCharsets.US_ASCII);
    Path temp = Files.createTempFile(dir, TEMP_PREFIX, "");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(record);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, fileOf(name), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, fileOf(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The hash {@code name} points at, if any. */
  public Optional<Digest> get(String name) throws IOException {
    Names.checkName("reference name", name);
    List<String> lines;
    try {
      lines = Files.readAllLines(fileOf(name), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.size() != 2 || !lines.get(0).equals(name)) {
      log.warn("reference file {} does not hold '{}'; ignoring it", fileOf(name), name);
      return Optional.empty();
    }
    return Optional.of(ContentHashes.parse(lines.get(1)));
  }

  private Path fileOf(String name) {
    byte[] nameHash = Digest.newSha256().digest(name.getBytes(StandardCharsets.US_ASCII));
    return dir.resolve(HexFormat.of().formatHex(nameHash));
  }
}
