package dev.strata.index;

import dev.strata.registry.MediaTypes;

/** How a layer blob is compressed, from its media type. */
public enum Compression {
  NONE,
  GZIP,
  ZSTD;

  /**
   * The compression of a layer media type; foreign, non-distributable, encrypted and unknown types
   * are refused with a message saying which and why.
   */
  public static Compression of(String mediaType) throws UnsupportedLayerException {
    if (mediaType.contains("+encrypted")) {
      throw new UnsupportedLayerException(
          "encrypted layer (" + mediaType + "): strata cannot read encrypted layers");
    }
    if (mediaType.contains("nondistributable") || mediaType.contains("foreign")) {
      throw new UnsupportedLayerException(
          "non-distributable (foreign) layer ("
              + mediaType
              + "): its content is not served by the registry");
    }
    return switch (mediaType) {
      case MediaTypes.OCI_LAYER_GZIP, MediaTypes.DOCKER_LAYER_GZIP -> GZIP;
      case MediaTypes.OCI_LAYER_ZSTD -> ZSTD;
      case MediaTypes.OCI_LAYER, "application/vnd.docker.image.rootfs.diff.tar" -> NONE;
      default ->
          throw new UnsupportedLayerException("unsupported layer media type '" + mediaType + "'");
    };
  }
}
