package dev.strata.index;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.strata.contentcache.v1.Compression;
import dev.strata.registry.Digest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts a {@link LayerIndex} to and from its protobuf form ({@code layer_index.proto}). */
public final class LayerIndexCodec {
  private LayerIndexCodec() {}

  public static byte[] encode(LayerIndex index) {
    dev.strata.contentcache.v1.LayerIndex.Builder out =
        dev.strata.contentcache.v1.LayerIndex.newBuilder()
            .setVersion(index.version())
            .setLayerDigest(index.layerDigest().toString())
            .setDiffId(index.diffId().toString())
            .setMediaType(index.mediaType())
            .setCompression(toProto(index.compression()))
            .setCompressedSize(index.compressedSize())
            .setUncompressedSize(index.uncompressedSize())
            .setSpanTarget(index.spanTarget());
    for (Checkpoint cp : index.checkpoints()) {
      out.addCheckpoints(
          dev.strata.contentcache.v1.Checkpoint.newBuilder()
              .setUncompressedOffset(cp.uncompressedOffset())
              .setCompressedOffset(cp.compressedOffset())
              .setBits(cp.bits())
              .setWindow(ByteString.copyFrom(cp.window()))
              .setWindowLength(cp.windowLength()));
    }
    for (Digest digest : index.spanDigests()) {
      out.addSpanSha256(ByteString.copyFrom(HexFormat.of().parseHex(digest.hex())));
    }
    for (IndexEntry e : index.entries()) {
      dev.strata.contentcache.v1.Entry.Builder entry =
          dev.strata.contentcache.v1.Entry.newBuilder()
              .setPath(e.path())
              .setType(toProto(e.type()))
              .setMode(e.mode())
              .setUid(e.uid())
              .setGid(e.gid())
              .setSize(e.size())
              .setMtimeSeconds(e.mtimeSeconds())
              .setMtimeNanos(e.mtimeNanos())
              .setLinkTarget(e.linkTarget())
              .setDevMajor(e.devMajor())
              .setDevMinor(e.devMinor())
              .setPayloadOffset(e.payloadOffset());
      e.xattrs().forEach((k, v) -> entry.putXattrs(k, ByteString.copyFrom(v)));
      out.addEntries(entry);
    }
    return out.build().toByteArray();
  }

  /**
   * Decodes an index.
   *
   * @throws IndexFormatException when the bytes are not an index, or of another version
   */
  public static LayerIndex decode(byte[] bytes) throws IndexFormatException {
    dev.strata.contentcache.v1.LayerIndex in;
    try {
      in = dev.strata.contentcache.v1.LayerIndex.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IndexFormatException("not a layer index: " + e.getMessage());
    }
    if (in.getVersion() != LayerIndex.CURRENT_VERSION) {
      throw new IndexFormatException(
          "layer index version "
              + in.getVersion()
              + " (this strata reads version "
              + LayerIndex.CURRENT_VERSION
              + ")");
    }
    try {
      List<Checkpoint> checkpoints = new ArrayList<>();
      for (dev.strata.contentcache.v1.Checkpoint cp : in.getCheckpointsList()) {
        checkpoints.add(
            new Checkpoint(
                cp.getUncompressedOffset(),
                cp.getCompressedOffset(),
                cp.getBits(),
                cp.getWindow().toByteArray(),
                cp.getWindowLength()));
      }
      List<Digest> spans = new ArrayList<>();
      for (ByteString sha : in.getSpanSha256List()) {
        spans.add(new Digest("sha256", HexFormat.of().formatHex(sha.toByteArray())));
      }
      List<IndexEntry> entries = new ArrayList<>(in.getEntriesCount());
      for (dev.strata.contentcache.v1.Entry e : in.getEntriesList()) {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        e.getXattrsMap().forEach((k, v) -> xattrs.put(k, v.toByteArray()));
        entries.add(
            new IndexEntry(
                e.getPath(),
                fromProto(e.getType(), e.getPath()),
                e.getMode(),
                e.getUid(),
                e.getGid(),
                e.getSize(),
                e.getMtimeSeconds(),
                e.getMtimeNanos(),
                e.getLinkTarget(),
                e.getDevMajor(),
                e.getDevMinor(),
                xattrs,
                e.getPayloadOffset()));
      }
      return new LayerIndex(
          in.getVersion(),
          Digest.parse(in.getLayerDigest()),
          Digest.parse(in.getDiffId()),
          in.getMediaType(),
          fromProto(in.getCompression()),
          in.getCompressedSize(),
          in.getUncompressedSize(),
          in.getSpanTarget(),
          checkpoints,
          spans,
          entries);
    } catch (IllegalArgumentException e) {
      throw new IndexFormatException("malformed layer index: " + e.getMessage());
    }
  }

  private static dev.strata.contentcache.v1.EntryType toProto(EntryType type) {
    return switch (type) {
      case FILE -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_FILE;
      case DIRECTORY -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_DIRECTORY;
      case SYMLINK -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_SYMLINK;
      case HARDLINK -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_HARDLINK;
      case CHAR_DEVICE -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_CHAR_DEVICE;
      case BLOCK_DEVICE -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_BLOCK_DEVICE;
      case FIFO -> dev.strata.contentcache.v1.EntryType.ENTRY_TYPE_FIFO;
    };
  }

  private static EntryType fromProto(dev.strata.contentcache.v1.EntryType type, String path)
      throws IndexFormatException {
    return switch (type) {
      case ENTRY_TYPE_FILE -> EntryType.FILE;
      case ENTRY_TYPE_DIRECTORY -> EntryType.DIRECTORY;
      case ENTRY_TYPE_SYMLINK -> EntryType.SYMLINK;
      case ENTRY_TYPE_HARDLINK -> EntryType.HARDLINK;
      case ENTRY_TYPE_CHAR_DEVICE -> EntryType.CHAR_DEVICE;
      case ENTRY_TYPE_BLOCK_DEVICE -> EntryType.BLOCK_DEVICE;
      case ENTRY_TYPE_FIFO -> EntryType.FIFO;
      default -> throw new IndexFormatException("entry " + path + " has an unknown type " + type);
    };
  }

  private static Compression toProto(dev.strata.index.Compression c) {
    return switch (c) {
      case NONE -> Compression.COMPRESSION_NONE;
      case GZIP -> Compression.COMPRESSION_GZIP;
      case ZSTD -> Compression.COMPRESSION_ZSTD;
    };
  }

  private static dev.strata.index.Compression fromProto(Compression c) throws IndexFormatException {
    return switch (c) {
      case COMPRESSION_NONE -> dev.strata.index.Compression.NONE;
      case COMPRESSION_GZIP -> dev.strata.index.Compression.GZIP;
      case COMPRESSION_ZSTD -> dev.strata.index.Compression.ZSTD;
      default -> throw new IndexFormatException("unknown compression " + c);
    };
  }
}
