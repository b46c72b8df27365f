package dev.strata.image;

import java.io.IOException;

/**
 * A layer whose entries cannot be applied to the image tree: a path that goes through a symlink, a
 * hardlink to nothing (or to a directory), a whiteout that names the root, and the like. The
 * message names the layer (its position and name) and the entry, and says why.
 */
public final class InvalidLayerException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int layerIndex;
  private final String layerName;
  private final String entryPath;

  public InvalidLayerException(int layerIndex, String layerName, String entryPath, String reason) {
    super(
        "layer "
            + layerIndex
            + " ("
            + layerName
            + "): entry '"
            + (entryPath.isEmpty() ? "/" : entryPath)
            + "': "
            + reason);
    this.layerIndex = layerIndex;
    this.layerName = layerName;
    this.entryPath = entryPath;
  }

  /** The {@link LayerEntries#layerIndex()} of the offending layer. */
  public int layerIndex() {
    return layerIndex;
  }

  /** The {@link LayerEntries#layerName()} of the offending layer. */
  public String layerName() {
    return layerName;
  }

  /** The offending entry's path as the layer lists it ({@code ""} for the root). */
  public String entryPath() {
    return entryPath;
  }
}
