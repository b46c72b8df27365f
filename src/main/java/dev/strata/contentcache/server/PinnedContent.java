package dev.strata.contentcache.server;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stored content open for reading; the store does not evict it until this is closed. Closing
 * twice is harmless.
 */
public final class PinnedContent implements AutoCloseable {
  private final StoredContent content;
  private final FileChannel channel;
  private final Runnable unpin;
  private final AtomicBoolean closed = new AtomicBoolean();

  PinnedContent(StoredContent content, FileChannel channel, Runnable unpin) {
    this.content = content;
    this.channel = channel;
    this.unpin = unpin;
  }

  public StoredContent content() {
    return content;
  }

  /** Fills {@code target} with the bytes from {@code position} on. */
  public void readFully(ByteBuffer target, long position) throws IOException {
    long at = position;
    while (target.hasRemaining()) {
      int n = channel.read(target, at);
      if (n < 0) {
        throw new EOFException(
            "content " + content.hash() + " ends before " + content.size() + " bytes");
      }
      at += n;
    }
  }

  @Override
  public void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      try {
        channel.close();
      } finally {
        unpin.run();
      }
    }
  }
}
