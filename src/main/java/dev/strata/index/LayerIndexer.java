package dev.strata.index;

import dev.strata.index.gzip.GzipCheckpointer;
import dev.strata.index.tar.TarFormatException;
import dev.strata.index.tar.TarStreamParser;
import dev.strata.index.zstd.ZstdSpans;
import dev.strata.registry.Digest;
import dev.strata.registry.DigestMismatchException;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a layer's index in one streaming pass over its blob: decompress, parse tar headers as they
 * go by, place checkpoints, hash every span, and check the blob against the layer digest and the
 * uncompressed stream against the diff ID. Memory stays bounded whatever the layer size: only the
 * current chunk, one tar header and the entry list are held.
 */
public final class LayerIndexer {
  public static final long DEFAULT_SPAN_TARGET = 1L << 20;

  /** Hears about the pass while it runs: progress, and the uncompressed bytes (to publish them). */
  public interface Observer {
    Observer NONE = new Observer() {};

    /** Total blob bytes read so far. */
    default void compressedProgress(long bytesRead) {}

    /** The uncompressed stream, in order. Must not keep {@code buffer}. */
    default void uncompressed(byte[] buffer, int offset, int length) throws IOException {}

    /**
     * Whether to hand over each span whole as it completes (to fill a span cache in the same pass).
     * Costs one span of memory.
     */
    default boolean wantsSpans() {
      return false;
    }

    /**
     * Span {@code index} complete. Not yet verified against the layer digest (the pass may still
     * fail); whoever serves it must check it against the index's span digest.
     */
    default void span(int index, byte[] bytes) throws IOException {}

    /** One observer that tells every one of {@code observers}, in order. */
    static Observer all(Observer... observers) {
      List<Observer> list = List.of(observers);
      return new Observer() {
        @Override
        public void compressedProgress(long bytesRead) {
          list.forEach(o -> o.compressedProgress(bytesRead));
        }

        @Override
        public void uncompressed(byte[] buffer, int offset, int length) throws IOException {
          for (Observer o : list) {
            o.uncompressed(buffer, offset, length);
          }
        }

        @Override
        public boolean wantsSpans() {
          return list.stream().anyMatch(Observer::wantsSpans);
        }

        @Override
        public void span(int index, byte[] bytes) throws IOException {
          for (Observer o : list) {
            if (o.wantsSpans()) {
              o.span(index, bytes);
            }
          }
        }
      };
    }
  }

  private final long spanTarget;

  public LayerIndexer(long spanTarget) {
    if (spanTarget < 64 * 1024) {
      throw new IllegalArgumentException("span target below 64 KiB: " + spanTarget);
    }
    this.spanTarget = spanTarget;
  }

  /**
   * Indexes {@code blob}, the layer's compressed bytes from the start, reading it to the end.
   *
   * @throws UnsupportedLayerException for a media type or tar that strata refuses
   * @throws DigestMismatchException when the blob or its uncompressed stream is not what the
   *     manifest and config promise; nothing may be stored then
   */
  public LayerIndex index(LayerDescriptor layer, InputStream blob, Observer observer)
      throws IOException {
    Compression compression = Compression.of(layer.mediaType());
    String what = "layer " + layer.digest().shortHex() + " (#" + layer.index() + ")";
    CountingInputStream counted = new CountingInputStream(blob, observer);
    InputStream verified = new VerifyingInputStream(counted, layer.digest(), layer.size(), what);
    Pass pass = new Pass(observer);
    long uncompressedSize;
    try (PipelinedSink pipeline = new PipelinedSink(pass)) {
      uncompressedSize =
          switch (compression) {
            case NONE -> PlainSpans.run(verified, spanTarget, pipeline);
            case GZIP -> GzipCheckpointer.run(verified, spanTarget, asGzipSink(pipeline));
            case ZSTD -> ZstdSpans.run(verified, spanTarget, pipeline);
          };
      verified.transferTo(OutputStream.nullOutputStream()); // to the end: verifies the digest
      pipeline.finish();
      pass.parser.finish();
    } catch (TarFormatException e) {
      throw new UnsupportedLayerException(what + ": " + e.getMessage());
    }
    pass.finishSpan();
    Digest diffId = layer.diffId().sameAlgorithm(pass.diffIdHasher);
    if (!diffId.equals(layer.diffId())) {
      throw new DigestMismatchException(what + " uncompressed (diff ID)", layer.diffId(), diffId);
    }
    return new LayerIndex(
        LayerIndex.CURRENT_VERSION,
        layer.digest(),
        layer.diffId(),
        layer.mediaType(),
        compression,
        counted.count,
        uncompressedSize,
        spanTarget,
        pass.checkpoints,
        pass.spanDigests,
        pass.entries);
  }

  private static GzipCheckpointer.Sink asGzipSink(DecompressedSink sink) {
    return new GzipCheckpointer.Sink() {
      @Override
      public void data(byte[] buffer, int offset, int length) throws IOException {
        sink.data(buffer, offset, length);
      }

      @Override
      public void checkpoint(Checkpoint checkpoint) throws IOException {
        sink.checkpoint(checkpoint);
      }
    };
  }

  /** The state of one pass: what the decompressed stream feeds (on the pipeline's worker). */
  private static final class Pass implements DecompressedSink {
    final List<Checkpoint> checkpoints = new ArrayList<>();
    final List<Digest> spanDigests = new ArrayList<>();
    final List<IndexEntry> entries = new ArrayList<>();
    final MessageDigest diffIdHasher = Digest.newSha256();
    final TarStreamParser parser;
    final Observer observer;
    MessageDigest spanHasher;
    final java.io.ByteArrayOutputStream spanBytes;

    Pass(Observer observer) {
      this.observer = observer;
      this.spanBytes = observer.wantsSpans() ? new java.io.ByteArrayOutputStream() : null;
      this.parser = new TarStreamParser(entries::add);
    }

    @Override
    public void checkpoint(Checkpoint checkpoint) throws IOException {
      finishSpan();
      checkpoints.add(checkpoint);
      spanHasher = Digest.newSha256();
    }

    void finishSpan() throws IOException {
      if (spanBytes != null && !checkpoints.isEmpty()) {
        observer.span(checkpoints.size() - 1, spanBytes.toByteArray());
        spanBytes.reset();
      }
      if (spanHasher != null) {
        spanDigests.add(
            new Digest("sha256", java.util.HexFormat.of().formatHex(spanHasher.digest())));
        spanHasher = null;
      }
    }

    @Override
    public void data(byte[] buffer, int offset, int length) throws IOException {
      if (spanHasher == null) {
        throw new IllegalStateException("data before the first checkpoint");
      }
      diffIdHasher.update(buffer, offset, length);
      spanHasher.update(buffer, offset, length);
      parser.feed(buffer, offset, length);
      observer.uncompressed(buffer, offset, length);
      if (spanBytes != null) {
        spanBytes.write(buffer, offset, length);
      }
    }
  }

  private static final class CountingInputStream extends FilterInputStream {
    private final Observer observer;
    long count;

    CountingInputStream(InputStream in, Observer observer) {
      super(in);
      this.observer = observer;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        observer.compressedProgress(count);
      }
      return n;
    }
  }
}
