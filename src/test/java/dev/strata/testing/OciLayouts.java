package dev.strata.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.testing.BuiltLayout.Image;
import dev.strata.testing.BuiltLayout.Layer;
import dev.strata.testing.BuiltLayout.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes OCI image layouts with generated content, for tests.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Output is a valid OCI image layout ({@code oci-layout}, {@code index.json}, {@code
 *       blobs/sha256/}). Building into a directory that already holds a layout adds (or replaces)
 *       the tag's entry in {@code index.json}; blobs are shared by digest.
 *   <li>Manifests are {@value #MANIFEST_MEDIA_TYPE}, configs {@value #CONFIG_MEDIA_TYPE}, layers
 *       {@value #LAYER_MEDIA_TYPE} (gzip tar); configs carry correct {@code rootfs.diff_ids} and
 *       {@code os}/{@code architecture}/{@code variant}.
 *   <li>Content is a pure function of (tag, seed, platform, layer index, payload size): the same
 *       call gives the same digests, a different tag or seed gives different digests.
 *   <li>Layer {@code i} contains {@code etc/}, {@code etc/strata/}, {@code etc/strata/image.txt}
 *       (text naming tag, seed, platform and layer; every layer overwrites it, so the top layer's
 *       copy wins), {@code data/}, {@code data/layer-i.bin} (pseudo-random, incompressible); layer
 *       0 also has the symlink {@code data/first -> layer-0.bin}. Entries are owned by 0:0 with
 *       mtime 2024-01-01T00:00:00Z.
 * </ul>
 */
public final class OciLayouts {
  public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

  /** Seed used by the overloads without one. */
  public static final long DEFAULT_SEED = 42;

  /** Size of each layer's {@code data/layer-i.bin} in the overloads without one. */
  public static final int DEFAULT_PAYLOAD_BYTES = 128 * 1024;

  /** The platforms of {@link #multiPlatform}, in index order. */
  public static final List<Platform> MULTI_PLATFORMS =
      List.of(
          new Platform("linux", "amd64", null),
          new Platform("linux", "arm64", "v8"),
          new Platform("linux", "arm", "v7"));

  private static final Platform DEFAULT_PLATFORM = new Platform("linux", "amd64", null);
  private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private OciLayouts() {}

  /** A linux/amd64 image with one layer. */
  public static BuiltLayout singleLayer(Path dir, String tag) {
    return singleLayer(dir, tag, DEFAULT_SEED);
  }

  /** A linux/amd64 image with one layer. */
  public static BuiltLayout singleLayer(Path dir, String tag, long seed) {
    return image(dir, tag, seed, 1, DEFAULT_PAYLOAD_BYTES);
  }

  /** A linux/amd64 image with {@code layers} layers. */
  public static BuiltLayout multiLayer(Path dir, String tag, int layers) {
    return multiLayer(dir, tag, layers, DEFAULT_SEED);
  }

  /** A linux/amd64 image with {@code layers} layers. */
  public static BuiltLayout multiLayer(Path dir, String tag, int layers, long seed) {
    return image(dir, tag, seed, layers, DEFAULT_PAYLOAD_BYTES);
  }

  /**
   * A linux/amd64 image with {@code layers} layers of about {@code payloadBytes} each (the
   * compressed layer is slightly larger: the payload does not compress).
   */
  public static BuiltLayout image(Path dir, String tag, long seed, int layers, int payloadBytes) {
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be >= 1: " + layers);
    }
    Writer w = new Writer(dir);
    Image image = w.image(tag, seed, DEFAULT_PLATFORM, layers, payloadBytes);
    w.tag(tag, MANIFEST_MEDIA_TYPE, image.manifestDigest(), image.manifestSize());
    return new BuiltLayout(
        dir,
        tag,
        MANIFEST_MEDIA_TYPE,
        image.manifestDigest(),
        image.manifestSize(),
        List.of(image));
  }

  /**
   * An image index with one single-layer image per {@link #MULTI_PLATFORMS} entry (linux/amd64,
   * linux/arm64/v8, linux/arm/v7), each with different content.
   */
  public static BuiltLayout multiPlatform(Path dir, String tag) {
    return multiPlatform(dir, tag, DEFAULT_SEED);
  }

  /** See {@link #multiPlatform(Path, String)}. */
  public static BuiltLayout multiPlatform(Path dir, String tag, long seed) {
    Writer w = new Writer(dir);
    List<Image> images = new ArrayList<>();
    List<Object> descriptors = new ArrayList<>();
    for (Platform p : MULTI_PLATFORMS) {
      Image image = w.image(tag, seed, p, 1, DEFAULT_PAYLOAD_BYTES);
      images.add(image);
      Map<String, Object> platform = new LinkedHashMap<>();
      platform.put("architecture", p.architecture());
      platform.put("os", p.os());
      if (p.variant() != null) {
        platform.put("variant", p.variant());
      }
      Map<String, Object> d =
          descriptor(MANIFEST_MEDIA_TYPE, image.manifestDigest(), image.manifestSize());
      d.put("platform", platform);
      descriptors.add(d);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX_MEDIA_TYPE);
    index.put("manifests", descriptors);
    byte[] bytes = json(index);
    String digest = w.blob(bytes);
    w.tag(tag, INDEX_MEDIA_TYPE, digest, bytes.length);
    return new BuiltLayout(dir, tag, INDEX_MEDIA_TYPE, digest, bytes.length, images);
  }

  /**
   * Pushes {@code oci:LAYOUT:TAG} to {@code docker://DEST_REF} with {@code skopeo copy --all
   * --preserve-digests --dest-tls-verify=false}, anonymously. {@code destRef} is e.g. {@code
   * 127.0.0.1:5000/team/app:v1}. Throws with skopeo's stderr on failure.
   */
  public static void pushWithSkopeo(Path layoutDir, String tag, String destRef) {
    pushWithSkopeo(layoutDir, tag, destRef, null, null);
  }

  /** Like {@link #pushWithSkopeo(Path, String, String)} with {@code --dest-creds USER:PASSWORD}. */
  public static void pushWithSkopeo(
      Path layoutDir, String tag, String destRef, String user, String password) {
    List<String> cmd = new ArrayList<>();
    cmd.add("skopeo");
    cmd.add("--insecure-policy");
    cmd.add("copy");
    cmd.add("--all");
    cmd.add("--preserve-digests");
    cmd.add("--dest-tls-verify=false");
    if (user != null) {
      cmd.add("--dest-creds");
      cmd.add(user + ":" + password);
    } else {
      cmd.add("--dest-no-creds");
    }
    cmd.add("oci:" + layoutDir.toAbsolutePath() + ":" + tag);
    cmd.add("docker://" + destRef);
    Exec.run(Duration.ofMinutes(3), cmd).checkSuccess();
  }

  private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", mediaType);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes blobs and index.json entries into one layout directory. */
  private static final class Writer {
    private final Path dir;

    Writer(Path dir) {
      this.dir = dir;
      try {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(
            dir.resolve("oci-layout"),
            "{\"imageLayoutVersion\":\"1.0.0\"}",
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Stores a blob (if absent) and returns its digest. */
    String blob(byte[] bytes) {
      String digest = sha256(bytes);
      Path p = dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
      try {
        if (!Files.exists(p)) {
          Files.write(p, bytes);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return digest;
    }

    Image image(String tag, long seed, Platform platform, int layerCount, int payloadBytes) {
      List<Layer> layers = new ArrayList<>();
      List<Object> layerDescriptors = new ArrayList<>();
      List<Object> history = new ArrayList<>();
      for (int i = 0; i < layerCount; i++) {
        LayerBytes lb = layerBytes(tag, seed, platform, i, payloadBytes);
        String digest = blob(lb.gzip);
        layers.add(new Layer(digest, lb.gzip.length, sha256(lb.tar), lb.entries));
        layerDescriptors.add(descriptor(LAYER_MEDIA_TYPE, digest, lb.gzip.length));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("created", EPOCH.toString());
        h.put("created_by", "strata OciLayouts: layer " + i);
        history.add(h);
      }

      Map<String, Object> config = new LinkedHashMap<>();
      config.put("created", EPOCH.toString());
      config.put("architecture", platform.architecture());
      config.put("os", platform.os());
      if (platform.variant() != null) {
        config.put("variant", platform.variant());
      }
      Map<String, Object> runConfig = new LinkedHashMap<>();
      runConfig.put("Env", List.of("PATH=/usr/local/bin:/usr/bin:/bin"));
      runConfig.put("Cmd", List.of("/bin/sh"));
      Map<String, String> labels = new LinkedHashMap<>(); // ordered: digests must be stable
      labels.put("dev.strata.test.seed", Long.toString(seed));
      labels.put("dev.strata.test.tag", tag);
      runConfig.put("Labels", labels);
      config.put("config", runConfig);
      Map<String, Object> rootfs = new LinkedHashMap<>();
      rootfs.put("type", "layers");
      rootfs.put("diff_ids", layers.stream().map(Layer::diffId).toList());
      config.put("rootfs", rootfs);
      config.put("history", history);
      byte[] configBytes = json(config);
      String configDigest = blob(configBytes);

      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", MANIFEST_MEDIA_TYPE);
      manifest.put("config", descriptor(CONFIG_MEDIA_TYPE, configDigest, configBytes.length));
      manifest.put("layers", layerDescriptors);
      byte[] manifestBytes = json(manifest);
      String manifestDigest = blob(manifestBytes);
      return new Image(
          platform, manifestDigest, manifestBytes.length, configDigest, configBytes.length, layers);
    }

    /** Adds or replaces the index.json entry named {@code tag}. */
    void tag(String tag, String mediaType, String digest, long size) {
      Path indexPath = dir.resolve("index.json");
      List<Object> manifests = new ArrayList<>();
      try {
        if (Files.exists(indexPath)) {
          JsonNode existing = JSON.readTree(indexPath.toFile());
          for (JsonNode m : existing.path("manifests")) {
            if (!tag.equals(m.path("annotations").path(REF_NAME_ANNOTATION).asText(null))) {
              manifests.add(JSON.treeToValue(m, Object.class));
            }
          }
        }
        Map<String, Object> d = descriptor(mediaType, digest, size);
        d.put("annotations", Map.of(REF_NAME_ANNOTATION, tag));
        manifests.add(d);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_MEDIA_TYPE);
        index.put("manifests", manifests);
        Files.write(indexPath, json(index));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** An uncompressed tar, its gzip form and its entry names. */
  private static final class LayerBytes {
    final byte[] tar;
    final byte[] gzip;
    final List<String> entries;

    LayerBytes(byte[] tar, byte[] gzip, List<String> entries) {
      this.tar = tar;
      this.gzip = gzip;
      this.entries = entries;
    }
  }

  private static LayerBytes layerBytes(
      String tag, long seed, Platform platform, int index, int payloadBytes) {
    String text =
        "tag=" + tag + "\nseed=" + seed + "\nplatform=" + platform + "\nlayer=" + index + "\n";
    long mixed = seed;
    for (String s : List.of(tag, platform.toString(), Integer.toString(index))) {
      mixed = mixed * 1_000_003L + s.hashCode();
    }
    byte[] payload = new byte[payloadBytes];
    new Random(mixed).nextBytes(payload);

    List<String> entries = new ArrayList<>();
    ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      directory(tar, entries, "etc/");
      directory(tar, entries, "etc/strata/");
      file(tar, entries, "etc/strata/image.txt", text.getBytes(StandardCharsets.UTF_8));
      directory(tar, entries, "data/");
      file(tar, entries, "data/layer-" + index + ".bin", payload);
      if (index == 0) {
        TarArchiveEntry link = new TarArchiveEntry("data/first", TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("layer-0.bin");
        stamp(link, 0120777);
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
        entries.add("data/first");
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] tarArray = tarBytes.toByteArray();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tarArray);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LayerBytes(tarArray, gz.toByteArray(), entries);
  }

  private static void directory(TarArchiveOutputStream tar, List<String> entries, String name)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    stamp(e, 040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    entries.add(name);
  }

  private static void file(
      TarArchiveOutputStream tar, List<String> entries, String name, byte[] content)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    stamp(e, 0100644);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
    entries.add(name);
  }

  private static void stamp(TarArchiveEntry e, int mode) {
    e.setMode(mode);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("root");
    e.setGroupName("root");
    e.setModTime(Date.from(EPOCH));
  }
}
