package dev.strata.registry;

/** A manifest as the registry served it, verified against {@code digest}. */
@SuppressWarnings("ArrayRecordComponent") // copied in and out: the record stays immutable
public record FetchedManifest(byte[] body, Digest digest, ManifestDocument document) {
  public FetchedManifest {
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
