package dev.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.strata.read.BlobRanges;
import dev.strata.read.BlobSpanTier;
import dev.strata.read.ImageContent;
import dev.strata.read.SpanReader;
import dev.strata.read.TieredSpans;
import dev.strata.registry.Digest;
import dev.strata.registry.DigestMismatchException;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LayerIndexerTest {
  private static final long SPAN = 64 * 1024;
  @TempDir Path dir;

  /** A tar of files with mixed content: text, random bytes, zeros; about 3 MB. */
  static Map<String, byte[]> files(long seed) {
    Random random = new Random(seed);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      byte[] content = new byte[random.nextInt(150_000)];
      switch (i % 3) {
        case 0 -> random.nextBytes(content);
        case 1 -> {
          byte[] words = "lorem ipsum dolor sit amet consectetur ".getBytes(StandardCharsets.UTF_8);
          for (int j = 0; j < content.length; j++) {
            content[j] = words[(j * 7 + random.nextInt(3)) % words.length];
          }
        }
        default -> {} // zeros
      }
      files.put("dir" + (i % 4) + "/file-" + i + ".bin", content);
    }
    return files;
  }

  static byte[] tar(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static byte[] compress(Compression compression, byte[] tar) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (compression) {
      case NONE -> out.write(tar);
      case GZIP -> {
        // two members, as concatenating producers write them
        int half = tar.length / 2;
        for (byte[] part :
            new byte[][] {Arrays.copyOf(tar, half), Arrays.copyOfRange(tar, half, tar.length)}) {
          try (OutputStream gz = new GZIPOutputStream(nonClosing(out))) {
            gz.write(part);
          }
        }
      }
      case ZSTD -> {
        // three frames
        int third = tar.length / 3;
        int[] cuts = {0, third, 2 * third, tar.length};
        for (int i = 0; i < 3; i++) {
          try (OutputStream z = new ZstdOutputStream(nonClosing(out))) {
            z.write(tar, cuts[i], cuts[i + 1] - cuts[i]);
          }
        }
      }
    }
    return out.toByteArray();
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  static String mediaType(Compression compression) {
    return switch (compression) {
      case NONE -> MediaTypes.OCI_LAYER;
      case GZIP -> MediaTypes.OCI_LAYER_GZIP;
      case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
    };
  }

  static LayerDescriptor descriptor(Compression compression, byte[] blob, byte[] tar) {
    return new LayerDescriptor(
        0, mediaType(compression), Digest.sha256(blob), blob.length, Digest.sha256(tar));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void indexesEveryFormatAndReadsAnyRangeBackExactly(Compression compression) throws IOException {
    Map<String, byte[]> files = files(compression.name().hashCode());
    byte[] tar = tar(files);
    byte[] blob = compress(compression, tar);
    Path blobFile = Files.write(dir.resolve("blob"), blob);
    LayerIndex index =
        new LayerIndexer(SPAN)
            .index(
                descriptor(compression, blob, tar),
                new ByteArrayInputStream(blob),
                LayerIndexer.Observer.NONE);

    assertThat(index.uncompressedSize()).isEqualTo(tar.length);
    assertThat(index.compressedSize()).isEqualTo(blob.length);
    assertThat(index.compression()).isEqualTo(compression);
    assertThat(index.checkpoints().getFirst().uncompressedOffset()).isZero();
    if (compression != Compression.ZSTD) {
      assertThat(index.spanCount()).isGreaterThan((int) (tar.length / SPAN / 2));
    } else {
      assertThat(index.spanCount()).isEqualTo(3); // one per frame
    }
    for (int i = 1; i < index.spanCount(); i++) {
      assertThat(index.checkpoints().get(i).uncompressedOffset())
          .isGreaterThanOrEqualTo(index.checkpoints().get(i - 1).uncompressedOffset() + SPAN);
    }
    assertThat(index.entries())
        .extracting(IndexEntry::path)
        .containsExactlyElementsOf(files.keySet());

    ImageContent reader = fromFile(index, blobFile);
    for (IndexEntry entry : index.entries()) {
      byte[] content = new byte[(int) entry.size()];
      reader.read(0, entry.payloadOffset(), content, 0, content.length);
      assertThat(content).as(entry.path()).isEqualTo(files.get(entry.path()));
    }
    Random random = new Random(99);
    for (int i = 0; i < 60; i++) {
      long offset = i == 0 ? tar.length - 1 : random.nextLong(tar.length);
      long length = Math.min(tar.length - offset, 1 + random.nextInt(300_000));
      byte[] out = new byte[(int) length];
      reader.read(0, offset, out, 0, out.length);
      assertThat(out).isEqualTo(Arrays.copyOfRange(tar, (int) offset, (int) (offset + length)));
    }

    // the stored form round-trips
    IndexStore store = new IndexStore(dir.resolve("state"));
    long size = store.save(index);
    assertThat(size).isPositive();
    LayerIndex loaded = store.load(index.layerDigest()).orElseThrow();
    assertThat(LayerIndexCodec.encode(loaded)).isEqualTo(LayerIndexCodec.encode(index));
  }

  /** Reads through the index straight from a local blob file, verifying every span. */
  static ImageContent fromFile(LayerIndex index, Path blob) {
    SpanReader reader = new SpanReader(BlobRanges.file(blob), false);
    return new ImageContent(
        java.util.List.of(index),
        new TieredSpans(java.util.List.of(new BlobSpanTier("file", i -> reader))));
  }

  @Test
  void aBlobThatIsNotTheLayerFailsAndNamesBothDigests() throws IOException {
    byte[] tar = tar(files(5));
    byte[] blob = compress(Compression.GZIP, tar);
    LayerDescriptor layer = descriptor(Compression.GZIP, blob, tar);
    byte[] tampered = blob.clone();
    tampered[tampered.length - 3] ^= 1; // inside the last gzip trailer's size field
    assertThatThrownBy(
            () ->
                new LayerIndexer(SPAN)
                    .index(layer, new ByteArrayInputStream(tampered), LayerIndexer.Observer.NONE))
        .isInstanceOf(IOException.class);

    LayerDescriptor wrongDiffId =
        new LayerDescriptor(
            0, layer.mediaType(), layer.digest(), layer.size(), Digest.sha256(new byte[1]));
    assertThatThrownBy(
            () ->
                new LayerIndexer(SPAN)
                    .index(wrongDiffId, new ByteArrayInputStream(blob), LayerIndexer.Observer.NONE))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("diff ID")
        .hasMessageContaining(Digest.sha256(tar).toString());
  }

  @Test
  void aCorruptSpanIsNeverServed() throws IOException {
    byte[] tar = tar(files(6));
    byte[] blob = compress(Compression.NONE, tar);
    LayerIndex index =
        new LayerIndexer(SPAN)
            .index(
                descriptor(Compression.NONE, blob, tar),
                new ByteArrayInputStream(blob),
                LayerIndexer.Observer.NONE);
    byte[] corrupt = blob.clone();
    corrupt[(int) (SPAN + 100)] ^= 1;
    Path file = Files.write(dir.resolve("corrupt"), corrupt);
    SpanReader reader = new SpanReader(BlobRanges.file(file));
    assertThat(reader.readSpan(index, 0)).isEqualTo(Arrays.copyOf(tar, (int) SPAN));
    assertThatThrownBy(() -> reader.readSpan(index, 1))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("span 1 of layer " + index.layerDigest());
  }

  @Test
  void hostileOrTruncatedTarsAndUnsupportedMediaTypesAreClearErrors() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry evil = new TarArchiveEntry("a/../../evil");
      tar.putArchiveEntry(evil);
      tar.closeArchiveEntry();
    }
    byte[] evilTar = bytes.toByteArray();
    LayerDescriptor evil = descriptor(Compression.NONE, evilTar, evilTar);
    assertThatThrownBy(
            () ->
                new LayerIndexer(SPAN)
                    .index(evil, new ByteArrayInputStream(evilTar), LayerIndexer.Observer.NONE))
        .isInstanceOf(UnsupportedLayerException.class)
        .hasMessageContaining("layer " + evil.digest().shortHex())
        .hasMessageContaining("a/../../evil");

    byte[] whole = tar(files(7));
    byte[] truncated = Arrays.copyOf(whole, 70_000);
    LayerDescriptor cut = descriptor(Compression.NONE, truncated, truncated);
    assertThatThrownBy(
            () ->
                new LayerIndexer(SPAN)
                    .index(cut, new ByteArrayInputStream(truncated), LayerIndexer.Observer.NONE))
        .hasMessageContaining("truncated tar");

    for (String type :
        new String[] {
          "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
          MediaTypes.DOCKER_LAYER_FOREIGN,
          "application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
          "application/x-something"
        }) {
      LayerDescriptor odd =
          new LayerDescriptor(0, type, Digest.sha256(whole), whole.length, Digest.sha256(whole));
      assertThatThrownBy(
              () ->
                  new LayerIndexer(SPAN)
                      .index(odd, InputStream.nullInputStream(), LayerIndexer.Observer.NONE))
          .isInstanceOf(UnsupportedLayerException.class)
          .hasMessageContaining(type);
    }
  }

  @Test
  void anIndexOfAnotherVersionIsRebuiltNotMisread() throws IOException {
    byte[] tar = tar(files(8));
    LayerIndex index =
        new LayerIndexer(SPAN)
            .index(
                descriptor(Compression.NONE, tar, tar),
                new ByteArrayInputStream(tar),
                LayerIndexer.Observer.NONE);
    byte[] future =
        dev.strata.contentcache.v1.LayerIndex.parseFrom(LayerIndexCodec.encode(index)).toBuilder()
            .setVersion(LayerIndex.CURRENT_VERSION + 1)
            .build()
            .toByteArray();
    assertThatThrownBy(() -> LayerIndexCodec.decode(future)).hasMessageContaining("version");
    IndexStore store = new IndexStore(dir);
    store.save(index);
    Files.write(store.pathOf(index.layerDigest()), future);
    assertThat(store.load(index.layerDigest())).isEmpty();
    Files.write(store.pathOf(index.layerDigest()), new byte[] {1, 2, 3});
    assertThat(store.load(index.layerDigest())).isEmpty();
  }
}
