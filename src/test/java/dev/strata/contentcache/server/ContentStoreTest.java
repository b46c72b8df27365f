package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.registry.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static StoredContent put(ContentStore store, byte[] content) throws Exception {
    try (Upload upload = store.newUpload(content.length, Optional.of(Digest.sha256(content)))) {
      upload.write(ByteBuffer.wrap(content, 0, content.length / 2));
      upload.write(
          ByteBuffer.wrap(content, content.length / 2, content.length - content.length / 2));
      return upload.commit();
    }
  }

  private long filesIn(String sub) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(sub))) {
      return files.count();
    }
  }

  @Test
  void committedContentIsStoredWholeUnderItsHash() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    byte[] content = bytes(1000, 1);

    StoredContent stored = put(store, content);

    assertThat(stored).isEqualTo(new StoredContent(Digest.sha256(content), 1000));
    assertThat(Files.readAllBytes(dir.resolve("content/sha256/" + stored.hash().hex())))
        .isEqualTo(content);
    assertThat(store.stat(stored.hash())).contains(stored);
    assertThat(store.storedBytes()).isEqualTo(1000);
    assertThat(filesIn("tmp")).isZero();
  }

  @Test
  void anUploadWithoutExpectedHashIsNamedByWhatArrived() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    byte[] content = bytes(10, 2);
    try (Upload upload = store.newUpload(0, Optional.empty())) {
      upload.write(ByteBuffer.wrap(content));
      assertThat(upload.commit().hash()).isEqualTo(Digest.sha256(content));
    }
  }

  @Test
  void anUploadClosedWithoutCommitKeepsNothing() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    try (Upload upload = store.newUpload(100, Optional.empty())) {
      upload.write(ByteBuffer.wrap(bytes(50, 3)));
      assertThat(filesIn("tmp")).isOne();
    }
    assertThat(filesIn("tmp")).isZero();
    assertThat(filesIn("content/sha256")).isZero();
    assertThat(store.storedBytes()).isZero();
  }

  @Test
  void aHashMismatchKeepsNothing() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    byte[] content = bytes(100, 4);
    Digest other = Digest.sha256(bytes(100, 5));
    Upload upload = store.newUpload(100, Optional.of(other));
    upload.write(ByteBuffer.wrap(content));

    assertThatThrownBy(upload::commit)
        .isInstanceOf(HashMismatchException.class)
        .hasMessageContaining(other.toString())
        .hasMessageContaining(Digest.sha256(content).toString());
    assertThat(filesIn("tmp")).isZero();
    assertThat(filesIn("content/sha256")).isZero();
    assertThat(store.stat(other)).isEmpty();
    assertThat(store.stat(Digest.sha256(content))).isEmpty();
  }

  @Test
  void fewerOrMoreBytesThanDeclaredAreRefused() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    Upload shorter = store.newUpload(100, Optional.empty());
    shorter.write(ByteBuffer.wrap(bytes(99, 6)));
    assertThatThrownBy(shorter::commit).isInstanceOf(IllegalArgumentException.class);

    try (Upload longer = store.newUpload(100, Optional.empty())) {
      assertThatThrownBy(() -> longer.write(ByteBuffer.wrap(bytes(101, 6))))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(filesIn("tmp")).isZero();
    assertThat(store.contentCount()).isZero();
  }

  @Test
  void contentLargerThanTheBoundIsRefused() throws Exception {
    ContentStore store = ContentStore.open(dir, 1000, clock);
    assertThatThrownBy(() -> store.newUpload(1001, Optional.empty()))
        .isInstanceOf(ContentTooLargeException.class);
    try (Upload undeclared = store.newUpload(0, Optional.empty())) {
      undeclared.write(ByteBuffer.wrap(bytes(1000, 7)));
      assertThatThrownBy(() -> undeclared.write(ByteBuffer.wrap(bytes(1, 7))))
          .isInstanceOf(ContentTooLargeException.class);
    }
    assertThat(filesIn("tmp")).isZero();
    assertThat(store.contentCount()).isZero();
  }

  @Test
  void storingExistingContentVerifiesAndKeepsTheExistingFile() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    byte[] content = bytes(500, 8);
    StoredContent first = put(store, content);
    Path file = dir.resolve("content/sha256/" + first.hash().hex());
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

    try (Upload again = store.newUpload(500, Optional.of(first.hash()))) {
      again.write(ByteBuffer.wrap(content));
      assertThat(filesIn("tmp")).as("existing content is only hashed").isZero();
      assertThat(again.commit()).isEqualTo(first);
    }
    assertThat(Files.getLastModifiedTime(file).toInstant())
        .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));

    Upload wrong = store.newUpload(500, Optional.of(first.hash()));
    wrong.write(ByteBuffer.wrap(bytes(500, 9)));
    assertThatThrownBy(wrong::commit).isInstanceOf(HashMismatchException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(store.storedBytes()).isEqualTo(500);
  }

  @Test
  void twoUploadsOfOneContentCountItOnce() throws Exception {
    ContentStore store = ContentStore.open(dir, 1 << 20, clock);
    byte[] content = bytes(300, 10);
    Upload a = store.newUpload(300, Optional.empty());
    Upload b = store.newUpload(300, Optional.empty());
    a.write(ByteBuffer.wrap(content));
    b.write(ByteBuffer.wrap(content));
    a.commit();
    b.commit();
    assertThat(store.storedBytes()).isEqualTo(300);
    assertThat(filesIn("content/sha256")).isOne();
    assertThat(filesIn("tmp")).isZero();
  }

  @Test
  void theLeastRecentlyUsedContentIsEvictedFirstAndTheBoundHolds() throws Exception {
    ContentStore store = ContentStore.open(dir, 300, clock);
    StoredContent a = put(store, bytes(100, 11));
    StoredContent b = put(store, bytes(100, 12));
    StoredContent c = put(store, bytes(100, 13));
    assertThat(store.stat(a.hash())).isPresent(); // a is now more recent than b and c

    StoredContent d = put(store, bytes(100, 14));

    assertThat(store.stat(b.hash())).isEmpty();
    assertThat(Files.exists(dir.resolve("content/sha256/" + b.hash().hex()))).isFalse();
    assertThat(store.stat(a.hash())).isPresent();
    assertThat(store.stat(c.hash())).isPresent();
    assertThat(store.stat(d.hash())).isPresent();
    assertThat(store.storedBytes()).isEqualTo(300);
    assertThat(store.evictions()).isOne();

    put(store, bytes(250, 15)); // needs three of them gone
    assertThat(store.storedBytes()).isLessThanOrEqualTo(300);
    assertThat(store.contentCount()).isOne();
    assertThat(store.evictions()).isEqualTo(4);
  }

  @Test
  void pinnedContentIsNotEvictedUntilReleased() throws Exception {
    ContentStore store = ContentStore.open(dir, 200, clock);
    byte[] oldest = bytes(100, 16);
    StoredContent a = put(store, oldest);
    StoredContent b = put(store, bytes(100, 17));

    try (PinnedContent reading = store.pin(a.hash()).orElseThrow()) {
      store.stat(b.hash()); // b is the most recent; a is pinned
      StoredContent c = put(store, bytes(100, 18));
      assertThat(store.stat(a.hash())).as("pinned").isPresent();
      assertThat(store.stat(b.hash())).as("evicted in a's stead").isEmpty();
      put(store, bytes(150, 19)); // only a is left to evict, and it is pinned
      assertThat(store.stat(c.hash())).isEmpty();
      assertThat(store.storedBytes()).as("above the bound while pinned").isEqualTo(250);
      ByteBuffer read = ByteBuffer.allocate(100);
      reading.readFully(read, 0);
      assertThat(read.array()).isEqualTo(oldest);
    }
    assertThat(store.stat(a.hash())).as("evicted once released").isEmpty();
    assertThat(store.storedBytes()).isEqualTo(150);
  }

  @Test
  void aRestartRecoversCommittedContentAndDropsUploadsInProgress() throws Exception {
    ContentStore store = ContentStore.open(dir, 1000, clock);
    StoredContent a = put(store, bytes(100, 20));
    StoredContent b = put(store, bytes(200, 21));
    Upload interrupted = store.newUpload(0, Optional.empty());
    interrupted.write(ByteBuffer.wrap(bytes(50, 22))); // never committed: the process "dies"
    assertThat(filesIn("tmp")).isOne();

    ContentStore reopened = ContentStore.open(dir, 1000, clock);

    assertThat(reopened.stat(a.hash())).contains(a);
    assertThat(reopened.stat(b.hash())).contains(b);
    assertThat(reopened.storedBytes()).isEqualTo(300);
    assertThat(reopened.contentCount()).isEqualTo(2);
    assertThat(filesIn("tmp")).isZero();
  }

  @Test
  void aRestartRebuildsTheLruOrderFromModificationTimes() throws Exception {
    ContentStore store = ContentStore.open(dir, 1000, clock);
    StoredContent older = put(store, bytes(100, 23));
    StoredContent newer = put(store, bytes(100, 24));
    setMtime(newer, "2025-01-01T00:00:00Z");
    setMtime(older, "2025-06-01T00:00:00Z"); // used last

    ContentStore smaller = ContentStore.open(dir, 150, clock);

    assertThat(smaller.stat(older.hash())).isPresent();
    assertThat(smaller.stat(newer.hash())).isEmpty();
    assertThat(smaller.storedBytes()).isEqualTo(100);
  }

  @Test
  void aUseIsWrittenToTheModificationTimeAtMostOncePerInterval() throws Exception {
    ContentStore store = ContentStore.open(dir, 1000, clock);
    StoredContent a = put(store, bytes(10, 25));
    setMtime(a, "2025-01-01T00:00:00Z");
    clock.advance(ContentStore.TOUCH_INTERVAL.plusSeconds(1));

    store.stat(a.hash());

    assertThat(Files.getLastModifiedTime(fileOf(a)).toInstant()).isEqualTo(clock.instant());
    setMtime(a, "2025-01-01T00:00:00Z");
    store.stat(a.hash());
    assertThat(Files.getLastModifiedTime(fileOf(a)).toInstant())
        .as("within the interval")
        .isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
  }

  @Test
  void foreignFilesInTheContentDirectoryAreIgnored() throws Exception {
    Files.createDirectories(dir.resolve("content/sha256"));
    Files.writeString(dir.resolve("content/sha256/notes.txt"), "hello");
    ContentStore store = ContentStore.open(dir, 1000, clock);
    assertThat(store.contentCount()).isZero();
    assertThat(store.storedBytes()).isZero();
  }

  private Path fileOf(StoredContent content) {
    return dir.resolve("content/sha256/" + content.hash().hex());
  }

  private void setMtime(StoredContent content, String instant) throws IOException {
    Files.setLastModifiedTime(fileOf(content), FileTime.from(Instant.parse(instant)));
  }
}
