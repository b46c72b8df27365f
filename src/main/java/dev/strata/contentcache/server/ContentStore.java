package dev.strata.contentcache.server;

import dev.strata.registry.Digest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed files on disk, bounded by {@code maxBytes} with least-recently-used eviction.
 *
 * <p>Layout under the store's directory: {@code content/sha256/<hex>} holds committed content;
 * {@code tmp/} holds uploads in progress, emptied when the store opens. A content file exists only
 * once its bytes hashed right: an upload is written to {@code tmp/}, forced to disk, then renamed
 * into place (and the directory forced), so a crash leaves either the whole content or nothing.
 *
 * <p>Accounting: only committed content counts against {@code maxBytes} (uploads in progress do
 * not). Content that is pinned (being read) is never evicted; while everything left is pinned the
 * store may stay above its bound until the pins are released. The LRU order survives restarts
 * through the files' mtimes, which reads refresh at most once per {@link #TOUCH_INTERVAL}.
 */
public final class ContentStore {
  private static final Logger log = LoggerFactory.getLogger(ContentStore.class);
  private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

  /** How often a read writes its time to the content file's mtime (LRU order on restart). */
  static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

  /** What the store knows of one content. Guarded by the store's lock. */
  private static final class Entry {
    final long size;
    int pins;
    Instant lastTouch;

    Entry(long size, Instant lastTouch) {
      this.size = size;
      this.lastTouch = lastTouch;
    }
  }

  private final Path contentDir;
  private final Path tmpDir;
  private final long maxBytes;
  private final InstantSource clock;

  // access order: iteration starts at the least recently used content
  private final LinkedHashMap<Digest, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long storedBytes;
  private long evictions;

  private ContentStore(Path dir, long maxBytes, InstantSource clock) {
    this.contentDir = dir.resolve("content").resolve("sha256");
    this.tmpDir = dir.resolve("tmp");
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** Opens (or creates) the store in {@code dir}, recovering what was committed before. */
  public static ContentStore open(Path dir, long maxBytes, InstantSource clock) throws IOException {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("max bytes must be positive, was " + maxBytes);
    }
    ContentStore store = new ContentStore(dir, maxBytes, clock);
    store.recover();
    return store;
  }

  private record Found(Digest hash, long size, FileTime mtime) {}

  private void recover() throws IOException {
    Files.createDirectories(contentDir);
    Files.createDirectories(tmpDir);
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmpDir)) {
      for (Path leftover : leftovers) {
        Files.deleteIfExists(leftover); // an upload a crash or kill interrupted
      }
    }
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(contentDir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (HEX.matcher(name).matches() && Files.isRegularFile(file)) {
          found.add(
              new Found(
                  new Digest("sha256", name), Files.size(file), Files.getLastModifiedTime(file)));
        } else {
          log.warn("ignoring {}: not a content file", file);
        }
      }
    }
    found.sort(Comparator.comparing(Found::mtime));
    synchronized (this) {
      for (Found f : found) {
        entries.put(f.hash(), new Entry(f.size(), f.mtime().toInstant()));
        storedBytes += f.size();
      }
      evictIfNeeded(null); // the bound may have shrunk since the last run
    }
  }

  public long maxBytes() {
    return maxBytes;
  }

  public synchronized long storedBytes() {
    return storedBytes;
  }

  public synchronized int contentCount() {
    return entries.size();
  }

  /** How many contents were evicted to keep the bound since the store opened. */
  public synchronized long evictions() {
    return evictions;
  }

  Path pathOf(Digest hash) {
    return contentDir.resolve(hash.hex());
  }

  /** The content's size if it is stored; counts as a use for the LRU order. */
  public Optional<StoredContent> stat(Digest hash) {
    Entry entry;
    synchronized (this) {
      entry = entries.get(hash);
    }
    if (entry == null) {
      return Optional.empty();
    }
    touch(hash, entry);
    return Optional.of(new StoredContent(hash, entry.size));
  }

  /**
   * Opens the content for reading and keeps it from being evicted until the returned handle is
   * closed; empty when it is not stored.
   */
  public Optional<PinnedContent> pin(Digest hash) throws IOException {
    Entry entry;
    synchronized (this) {
      entry = entries.get(hash);
      if (entry == null) {
        return Optional.empty();
      }
      entry.pins++;
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(pathOf(hash), StandardOpenOption.READ);
    } catch (NoSuchFileException gone) {
      log.warn("content file {} vanished; forgetting it", pathOf(hash));
      unpin(entry);
      forget(hash, entry);
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      unpin(entry);
      throw e;
    }
    touch(hash, entry);
    return Optional.of(
        new PinnedContent(new StoredContent(hash, entry.size), channel, () -> unpin(entry)));
  }

  /**
   * Starts storing a content. {@code declaredSize} is the size the client announced ({@code <= 0}:
   * unknown); {@code expected} the hash the bytes must have, if the client named one.
   */
  public Upload newUpload(long declaredSize, Optional<Digest> expected)
      throws IOException, ContentTooLargeException {
    if (declaredSize > maxBytes) {
      throw new ContentTooLargeException(declaredSize, maxBytes);
    }
    if (expected.isPresent()) {
      Optional<PinnedContent> existing = pin(expected.get());
      if (existing.isPresent()) {
        return Upload.verifying(this, declaredSize, expected, existing.get());
      }
    }
    Path temp = Files.createTempFile(tmpDir, "upload-", "");
    return Upload.writing(this, declaredSize, expected, temp);
  }

  /** Moves a verified, forced upload into place (or drops it when the content is there already). */
  StoredContent commit(Path temp, StoredContent content) throws IOException {
    synchronized (this) {
      Entry existing = entries.get(content.hash());
      if (existing != null) {
        Files.deleteIfExists(temp); // another upload of the same content committed first
        return content;
      }
      move(temp, pathOf(content.hash()));
      entries.put(content.hash(), new Entry(content.size(), clock.instant()));
      storedBytes += content.size();
      evictIfNeeded(content.hash()); // never what the client was just told is stored
    }
    forceDirectory(contentDir); // the rename itself survives a crash
    return content;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private void unpin(Entry entry) {
    synchronized (this) {
      entry.pins--;
      evictIfNeeded(null); // what was pinned may have kept the store above its bound
    }
  }

  private synchronized void forget(Digest hash, Entry entry) {
    if (entries.remove(hash, entry)) {
      storedBytes -= entry.size;
    }
  }

  /** Writes the time of a use to the file's mtime, at most once per {@link #TOUCH_INTERVAL}. */
  private void touch(Digest hash, Entry entry) {
    Instant now = clock.instant();
    synchronized (this) {
      if (Duration.between(entry.lastTouch, now).compareTo(TOUCH_INTERVAL) < 0) {
        return;
      }
      entry.lastTouch = now;
    }
    try {
      Files.setLastModifiedTime(pathOf(hash), FileTime.from(now));
    } catch (IOException e) {
      log.debug("could not record the use of {}: {}", hash, e.toString());
    }
  }

  /** Evicts down to the bound, oldest first, sparing pinned content and {@code keep}. */
  // caller holds the lock
  private void evictIfNeeded(Digest keep) {
    Iterator<Map.Entry<Digest, Entry>> oldestFirst = entries.entrySet().iterator();
    while (storedBytes > maxBytes && oldestFirst.hasNext()) {
      Map.Entry<Digest, Entry> candidate = oldestFirst.next();
      if (candidate.getValue().pins > 0 || candidate.getKey().equals(keep)) {
        continue; // being read right now, or just committed
      }
      try {
        Files.deleteIfExists(pathOf(candidate.getKey()));
      } catch (IOException e) {
        log.warn("could not delete evicted content {}: {}", candidate.getKey(), e.toString());
      }
      oldestFirst.remove();
      storedBytes -= candidate.getValue().size;
      evictions++;
      log.debug("evicted {} ({} bytes)", candidate.getKey(), candidate.getValue().size);
    }
  }
}
