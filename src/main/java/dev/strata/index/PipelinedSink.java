package dev.strata.index;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands a decompressed stream to another thread: the decompressing thread only copies each chunk
 * into a pooled buffer, and a worker runs the delegate (hashing, tar parsing). On two cores this
 * keeps inflate, not hashing, on the critical path. Events stay in order; memory is bounded by the
 * queue (a few chunks).
 */
final class PipelinedSink implements DecompressedSink, AutoCloseable {
  private static final int CHUNK = 256 * 1024;
  private static final int DEPTH = 8;

  /** A checkpoint, a chunk of data, or the end; a private carrier, never shared. */
  @SuppressWarnings("ArrayRecordComponent")
  private record Event(Checkpoint checkpoint, byte[] data, int length, boolean end) {}

  private static final Event END = new Event(null, null, 0, true);

  private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(DEPTH);
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
  private final Thread worker;
  private volatile Throwable failure;
  private boolean finished;

  PipelinedSink(DecompressedSink delegate) {
    this.worker =
        Thread.ofPlatform().daemon().name("strata-index-worker").start(() -> run(delegate));
  }

  @Override
  public void checkpoint(Checkpoint checkpoint) throws IOException {
    put(new Event(checkpoint, null, 0, false));
  }

  @Override
  public void data(byte[] buffer, int offset, int length) throws IOException {
    byte[] copy = free.poll();
    if (copy == null || copy.length < length) {
      copy = new byte[Math.max(length, CHUNK)];
    }
    System.arraycopy(buffer, offset, copy, 0, length);
    put(new Event(null, copy, length, false));
  }

  /** Waits until the worker has handled everything; rethrows what it failed with. */
  void finish() throws IOException {
    put(END);
    finished = true;
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while indexing");
    }
    rethrow();
  }

  private void put(Event event) throws IOException {
    rethrow();
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while indexing");
    }
  }

  private void rethrow() throws IOException {
    Throwable t = failure;
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t != null) {
      throw new IOException("indexing failed: " + t, t);
    }
  }

  private void run(DecompressedSink delegate) {
    try {
      while (true) {
        Event event = queue.take();
        if (event.end()) {
          return;
        }
        if (failure != null) {
          continue; // keep draining so the producer never blocks on a dead worker
        }
        try {
          if (event.checkpoint() != null) {
            delegate.checkpoint(event.checkpoint());
          } else {
            delegate.data(event.data(), 0, event.length());
            free.offer(event.data());
          }
        } catch (IOException | RuntimeException e) {
          failure = e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (!finished) {
      worker.interrupt();
    }
  }
}
