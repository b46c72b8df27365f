package dev.strata.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds OCI layouts whose layers a test writes entry by entry (whiteouts, hardlinks, devices,
 * xattrs...), gzip-compressed, tagged {@code tag} in {@code index.json}.
 */
public final class LayeredImages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LayeredImages() {}

  /** Writes one layer's tar entries. */
  public static final class Layer {
    private final TarArchiveOutputStream tar;
    private long mtime = 1_700_000_000L;

    private Layer(TarArchiveOutputStream tar) {
      this.tar = tar;
    }

    public Layer mtime(long seconds) {
      this.mtime = seconds;
      return this;
    }

    public Layer dir(String path, int mode) {
      return add(entry(path + "/", TarConstants.LF_DIR, mode), null);
    }

    public Layer file(String path, int mode, String content) {
      return file(path, mode, content.getBytes(StandardCharsets.UTF_8));
    }

    public Layer file(String path, int mode, byte[] content) {
      TarArchiveEntry e = entry(path, TarConstants.LF_NORMAL, mode);
      e.setSize(content.length);
      return add(e, content);
    }

    public Layer file(String path, int mode, byte[] content, long uid, long gid) {
      TarArchiveEntry e = entry(path, TarConstants.LF_NORMAL, mode);
      e.setSize(content.length);
      e.setUserId(uid);
      e.setGroupId(gid);
      return add(e, content);
    }

    public Layer xattr(String path, int mode, String content, String name, String value) {
      TarArchiveEntry e = entry(path, TarConstants.LF_NORMAL, mode);
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      e.setSize(bytes.length);
      e.addPaxHeader("SCHILY.xattr." + name, value);
      return add(e, bytes);
    }

    public Layer symlink(String path, String target) {
      TarArchiveEntry e = entry(path, TarConstants.LF_SYMLINK, 0777);
      e.setLinkName(target);
      return add(e, null);
    }

    public Layer hardlink(String path, String target) {
      TarArchiveEntry e = entry(path, TarConstants.LF_LINK, 0644);
      e.setLinkName(target);
      return add(e, null);
    }

    public Layer fifo(String path, int mode) {
      return add(entry(path, TarConstants.LF_FIFO, mode), null);
    }

    public Layer charDevice(String path, int mode, int major, int minor) {
      TarArchiveEntry e = entry(path, TarConstants.LF_CHR, mode);
      e.setDevMajor(major);
      e.setDevMinor(minor);
      return add(e, null);
    }

    public Layer whiteout(String path) {
      int slash = path.lastIndexOf('/');
      String name =
          slash < 0
              ? ".wh." + path
              : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
      return file(name, 0644, new byte[0]);
    }

    public Layer opaque(String dir) {
      return file(dir + "/.wh..wh..opq", 0644, new byte[0]);
    }

    private TarArchiveEntry entry(String path, byte type, int mode) {
      TarArchiveEntry e = new TarArchiveEntry(path, type, true);
      e.setMode(mode);
      e.setModTime(mtime * 1000);
      return e;
    }

    private Layer add(TarArchiveEntry entry, byte[] content) {
      try {
        tar.putArchiveEntry(entry);
        if (content != null) {
          tar.write(content);
        }
        tar.closeArchiveEntry();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }
  }

  /** Builds the layout from layers (bottom first) into {@code dir} under {@code tag}. */
  @SafeVarargs
  public static Path build(Path dir, String tag, Consumer<Layer>... layers) {
    try {
      Files.createDirectories(dir.resolve("blobs/sha256"));
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      ObjectNode config = JSON.createObjectNode();
      config.put("architecture", "amd64");
      config.put("os", "linux");
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      ArrayNode diffIds = rootfs.putArray("diff_ids");
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
      ArrayNode layerDescriptors = JSON.createArrayNode();
      for (Consumer<Layer> writer : layers) {
        ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
          tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
          tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
          writer.accept(new Layer(tar));
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
          out.write(tarBytes.toByteArray());
        }
        diffIds.add("sha256:" + sha256(tarBytes.toByteArray()));
        layerDescriptors.add(
            descriptor(dir, "application/vnd.oci.image.layer.v1.tar+gzip", gz.toByteArray()));
      }
      manifest.set(
          "config",
          descriptor(
              dir, "application/vnd.oci.image.config.v1+json", JSON.writeValueAsBytes(config)));
      manifest.set("layers", layerDescriptors);
      ObjectNode top =
          descriptor(
              dir, "application/vnd.oci.image.manifest.v1+json", JSON.writeValueAsBytes(manifest));
      top.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.putArray("manifests").add(top);
      Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode descriptor(Path dir, String mediaType, byte[] blob) throws IOException {
    String hex = sha256(blob);
    Files.write(dir.resolve("blobs/sha256").resolve(hex), blob);
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("digest", "sha256:" + hex);
    d.put("size", blob.length);
    return d;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
