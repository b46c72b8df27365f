package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.index.LayerIndexer;
import dev.strata.registry.Digest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A small gzip layer (a few 64 KiB spans) on disk, with its tar and index, for read-path tests. */
@SuppressWarnings("ArrayRecordComponent") // a test fixture, never mutated
record SpanFixtures(byte[] tar, Path blob, LayerIndex index) {
  static SpanFixtures create(Path dir) throws IOException {
    ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    Random random = new Random(11);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
      for (int f = 0; f < 6; f++) {
        byte[] content = new byte[100_000];
        random.nextBytes(content);
        TarArchiveEntry entry = new TarArchiveEntry("file-" + f);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    byte[] tar = tarBytes.toByteArray();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar);
    }
    byte[] blob = gz.toByteArray();
    Path file = Files.write(dir.resolve("layer.tar.gz"), blob);
    LayerDescriptor layer =
        new LayerDescriptor(
            0, MediaTypes.OCI_LAYER_GZIP, Digest.sha256(blob), blob.length, Digest.sha256(tar));
    LayerIndex index =
        new LayerIndexer(64 * 1024)
            .index(layer, new ByteArrayInputStream(blob), LayerIndexer.Observer.NONE);
    return new SpanFixtures(tar, file, index);
  }

  byte[] span(int i) {
    return java.util.Arrays.copyOfRange(
        tar, (int) index.span(i).start(), (int) index.span(i).end());
  }
}
