package dev.strata.contentcache.server;

import dev.strata.registry.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One content being stored: bytes are hashed as they arrive and written to a temporary file; {@link
 * #commit()} verifies and moves it into the store, {@link #close()} without a commit drops
 * everything. When the expected content is stored already, the bytes are only hashed (the existing
 * file is kept, pinned until the upload ends). Not thread-safe: one stream feeds one upload.
 */
public final class Upload implements AutoCloseable {
  private final ContentStore store;
  private final long declaredSize;
  private final Optional<Digest> expected;
  private final MessageDigest hasher = Digest.newSha256();
  // either (temp, channel) are set, or existing is: the other side is null
  private final Path temp;
  private final FileChannel channel;
  private final PinnedContent existing;
  private long received;
  private boolean finished;

  private Upload(
      ContentStore store,
      long declaredSize,
      Optional<Digest> expected,
      Path temp,
      FileChannel channel,
      PinnedContent existing) {
    this.store = store;
    this.declaredSize = declaredSize;
    this.expected = expected;
    this.temp = temp;
    this.channel = channel;
    this.existing = existing;
  }

  static Upload writing(ContentStore store, long declaredSize, Optional<Digest> expected, Path temp)
      throws IOException {
    FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
    return new Upload(store, declaredSize, expected, temp, channel, null);
  }

  static Upload verifying(
      ContentStore store, long declaredSize, Optional<Digest> expected, PinnedContent existing) {
    return new Upload(store, declaredSize, expected, null, null, existing);
  }

  public long received() {
    return received;
  }

  /** Appends {@code data}; refuses bytes beyond the declared size or the store's bound. */
  public void write(ByteBuffer data) throws IOException, ContentTooLargeException {
    received += data.remaining();
    if (received > store.maxBytes()) {
      throw new ContentTooLargeException(received, store.maxBytes());
    }
    if (declaredSize > 0 && received > declaredSize) {
      throw new IllegalArgumentException(
          "received more than the declared size of " + declaredSize + " bytes");
    }
    hasher.update(data.duplicate());
    if (channel != null) {
      while (data.hasRemaining()) {
        channel.write(data);
      }
    }
  }

  /** Verifies what was received and keeps it; on any failure nothing is kept. */
  public StoredContent commit() throws IOException, HashMismatchException {
    if (finished) {
      throw new IllegalStateException("upload already finished");
    }
    try {
      if (declaredSize > 0 && received != declaredSize) {
        throw new IllegalArgumentException(
            "received " + received + " bytes, the header declared " + declaredSize);
      }
      Digest actual = new Digest("sha256", HexFormat.of().formatHex(hasher.digest()));
      if (expected.isPresent() && !expected.get().equals(actual)) {
        throw new HashMismatchException(expected.get(), actual);
      }
      StoredContent content = new StoredContent(actual, received);
      if (channel == null || temp == null) {
        return content; // already stored: the bytes were only verified
      }
      channel.force(true);
      channel.close();
      StoredContent committed = store.commit(temp, content);
      finished = true;
      return committed;
    } finally {
      close();
    }
  }

  /** Drops the upload unless it was committed. */
  @Override
  public void close() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    try {
      if (channel != null) {
        channel.close();
      }
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    } finally {
      if (existing != null) {
        existing.close();
      }
    }
  }
}
