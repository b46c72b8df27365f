package dev.strata.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** Layers' uncompressed streams in memory; records every read; can be made to fail. */
final class FakeContent implements ContentSource {
  record Read(int layer, long offset, int length) {}

  private final Map<Integer, byte[]> layers = new HashMap<>();
  private final List<Read> reads = new ArrayList<>();
  final AtomicBoolean failing = new AtomicBoolean();

  FakeContent(TestLayer... layers) {
    for (TestLayer layer : layers) {
      this.layers.put(layer.index(), layer.bytes());
    }
  }

  @Override
  public synchronized void read(
      int layer, long offset, byte[] buffer, int bufferOffset, int length, long extentEnd)
      throws IOException {
    reads.add(new Read(layer, offset, length));
    if (offset + length > extentEnd) {
      throw new AssertionError("read past the file's extent: " + offset + "+" + length);
    }
    if (failing.get()) {
      throw new IOException("span of layer " + layer + " failed verification");
    }
    byte[] data = layers.get(layer);
    if (data == null || offset < 0 || offset + length > data.length) {
      throw new IOException("no bytes " + offset + "+" + length + " in layer " + layer);
    }
    System.arraycopy(data, (int) offset, buffer, bufferOffset, length);
  }

  synchronized List<Read> reads() {
    return List.copyOf(reads);
  }
}
