package dev.strata.history;

import java.time.Instant;

/** Test rows. */
final class Rows {
  static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123Z");

  private Rows() {}

  static String digest(int n) {
    return "sha256:" + String.format("%064x", n);
  }

  static LayerRecord row(
      int n, String owner, String repo, String tag, int index, long size, Instant at) {
    String name = owner.isEmpty() ? repo : owner + "/" + repo;
    return new LayerRecord(
        digest(n),
        "registry.example/" + name + ":" + tag,
        "registry.example",
        owner,
        repo,
        tag,
        index,
        size,
        "application/vnd.oci.image.layer.v1.tar+gzip",
        null,
        null,
        null,
        null,
        at);
  }
}
