package dev.strata.read;

import dev.strata.registry.Digest;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where a layer blob's compressed bytes come from: the registry, or a local copy. */
@FunctionalInterface
public interface BlobRanges {
  /** Exactly {@code length} bytes of the blob from {@code offset} (fewer only at its end). */
  InputStream open(long offset, long length) throws IOException;

  /** Ranges of a blob in a registry, one HTTP Range request each. */
  static BlobRanges registry(RegistryClient client, Repository repository, Digest blob) {
    return (offset, length) -> client.openBlobRange(repository, blob, offset, length);
  }

  /** Ranges of a local blob file (tests, benchmarks, `strata index` of a local file). */
  static BlobRanges file(Path blob) {
    return (offset, length) -> {
      FileChannel channel = FileChannel.open(blob, StandardOpenOption.READ);
      channel.position(offset);
      InputStream in = Channels.newInputStream(channel);
      return new java.io.FilterInputStream(in) {
        private long remaining = length;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (remaining <= 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, remaining));
          if (n > 0) {
            remaining -= n;
          }
          return n;
        }
      };
    };
  }
}
