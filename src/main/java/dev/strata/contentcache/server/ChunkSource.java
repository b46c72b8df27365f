package dev.strata.contentcache.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The bytes of one GetContent range, handed out a chunk at a time. */
interface ChunkSource extends AutoCloseable {
  /** The largest chunk sent in one message (well under gRPC's default 4 MiB message limit). */
  int CHUNK_BYTES = 1 << 20;

  boolean hasNext();

  ByteString next() throws IOException;

  @Override
  void close() throws IOException;

  /** A range already in memory; the array must never change (it is sent without a copy). */
  static ChunkSource of(byte[] bytes) {
    return new ChunkSource() {
      private int position;

      @Override
      public boolean hasNext() {
        return position < bytes.length;
      }

      @Override
      public ByteString next() {
        int n = Math.min(CHUNK_BYTES, bytes.length - position);
        ByteString chunk = UnsafeByteOperations.unsafeWrap(bytes, position, n);
        position += n;
        return chunk;
      }

      @Override
      public void close() {}
    };
  }

  /** A range read from a pinned content file chunk by chunk; closing releases the pin. */
  static ChunkSource of(PinnedContent content, long offset, long length) {
    return new ChunkSource() {
      private long position = offset;
      private final long end = offset + length;

      @Override
      public boolean hasNext() {
        return position < end;
      }

      @Override
      public ByteString next() throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, end - position)];
        content.readFully(ByteBuffer.wrap(chunk), position);
        position += chunk.length;
        return UnsafeByteOperations.unsafeWrap(chunk); // nobody else holds the array
      }

      @Override
      public void close() throws IOException {
        content.close();
      }
    };
  }
}
