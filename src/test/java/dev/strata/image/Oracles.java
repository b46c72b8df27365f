package dev.strata.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reference unpackers for comparing an {@link ImageTree} with the real thing: GNU {@code tar -x} of
 * each layer with the OCI changeset rules applied between layers by hand, and {@code umoci unpack}
 * of an OCI layout made of the same layers. Both produce a directory, which {@link #observe(Path)}
 * reads back into the same shape {@link #observe(ImageTree)} gives for a tree.
 */
final class Oracles {
  private Oracles() {}

  /** What one path looks like, in terms both a directory on disk and a tree can answer. */
  record Observed(
      String type,
      String mode,
      long uid,
      long gid,
      long size,
      String linkTarget,
      long mtimeSeconds,
      int nlink,
      String device,
      Map<String, String> userXattrs) {}

  // ---------------------------------------------------------------------------------------------
  // GNU tar

  /**
   * Extracts {@code layers} (bottom first) into {@code rootfs} with GNU tar, applying each layer's
   * whiteouts to the lower layers first (delete NAME for {@code .wh.NAME}, empty the directory for
   * an opaque marker), replacing lower directories by non-directories and lower non-directories by
   * directories as OCI says, and removing the whiteout files afterwards.
   *
   * <p>Directory mtimes are restored to what the layers say (extraction and deletion touch them as
   * a side effect): a directory re-emitted by a layer gets that entry's mtime, one left alone keeps
   * its previous mtime, one created implicitly gets 0 (what the tree reports for those).
   */
  static Path gnuTar(List<Path> layers, Path rootfs) throws IOException {
    Files.createDirectories(rootfs);
    Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setLastModifiedTime(rootfs, FileTime.fromMillis(0));
    for (Path layer : layers) {
      List<IndexEntry> entries = TarEntries.read(layer);
      Map<String, FileTime> before = directoryMtimes(rootfs);
      for (IndexEntry e : entries) {
        applyWhiteout(rootfs, e);
      }
      for (IndexEntry e : entries) {
        if (isWhiteoutOrMeta(e.path())) {
          continue;
        }
        Path p = rootfs.resolve(e.path());
        if (e.path().isEmpty() || !realDirectoryChain(rootfs, e.parent())) {
          continue;
        }
        boolean isDir = Files.isDirectory(p, NOFOLLOW_LINKS);
        if (e.type() == EntryType.DIRECTORY ? Files.exists(p, NOFOLLOW_LINKS) && !isDir : isDir) {
          deleteRecursively(p);
        }
      }
      before.keySet().retainAll(directoryMtimes(rootfs).keySet()); // still the same directories
      run(
          List.of(
              "tar",
              "--extract",
              "--file=" + layer,
              "--directory=" + rootfs,
              "--same-owner",
              "--same-permissions",
              "--numeric-owner",
              "--xattrs",
              "--xattrs-include=*"));
      Map<String, FileTime> emitted = new HashMap<>();
      for (IndexEntry e : entries) {
        if (isWhiteoutOrMeta(e.path())) {
          Path p = rootfs.resolve(topMost(e.path()));
          if (Files.exists(p, NOFOLLOW_LINKS)) {
            deleteRecursively(p);
          }
        } else if (e.type() == EntryType.DIRECTORY) {
          emitted.put(
              e.path(), FileTime.from(Instant.ofEpochSecond(e.mtimeSeconds(), e.mtimeNanos())));
        }
      }
      for (String dir : directoryMtimes(rootfs).keySet()) {
        FileTime t = emitted.getOrDefault(dir, before.getOrDefault(dir, FileTime.fromMillis(0)));
        Files.setLastModifiedTime(rootfs.resolve(dir), t);
      }
    }
    return rootfs;
  }

  private static boolean isWhiteoutOrMeta(String path) {
    for (String part : path.split("/")) {
      if (part.startsWith(Whiteouts.PREFIX)) {
        return true;
      }
    }
    return false;
  }

  /** The path up to and including its first whiteout-named component. */
  private static String topMost(String path) {
    StringBuilder sb = new StringBuilder();
    for (String part : path.split("/")) {
      if (!sb.isEmpty()) {
        sb.append('/');
      }
      sb.append(part);
      if (part.startsWith(Whiteouts.PREFIX)) {
        break;
      }
    }
    return sb.toString();
  }

  private static void applyWhiteout(Path rootfs, IndexEntry e) throws IOException {
    String name = e.name();
    if (!name.startsWith(Whiteouts.PREFIX)
        || !realDirectoryChain(rootfs, e.parent())
        || isWhiteoutOrMeta(e.parent())) {
      return;
    }
    Path dir = rootfs.resolve(e.parent());
    if (name.equals(Whiteouts.OPAQUE)) {
      try (Stream<Path> children = Files.list(dir)) {
        for (Path child : children.toList()) {
          deleteRecursively(child);
        }
      }
    } else if (!name.startsWith(Whiteouts.META_PREFIX)) {
      Path victim = dir.resolve(name.substring(Whiteouts.PREFIX.length()));
      if (Files.exists(victim, NOFOLLOW_LINKS)) {
        deleteRecursively(victim);
      }
    }
  }

  /** Whether every component of {@code rel} is a real directory (no symlink followed). */
  private static boolean realDirectoryChain(Path rootfs, String rel) {
    Path cur = rootfs;
    if (rel.isEmpty()) {
      return true;
    }
    for (String part : rel.split("/")) {
      cur = cur.resolve(part);
      if (!Files.isDirectory(cur, NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, FileTime> directoryMtimes(Path rootfs) throws IOException {
    Map<String, FileTime> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(rootfs)) {
      for (Path p : walk.toList()) {
        if (Files.isDirectory(p, NOFOLLOW_LINKS)) {
          out.put(rootfs.relativize(p).toString(), Files.getLastModifiedTime(p, NOFOLLOW_LINKS));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // umoci

  /** Writes an OCI layout with {@code layers} as uncompressed tar layers and unpacks it. */
  static Path umoci(List<Path> layers, Path work) throws IOException {
    Path layout = work.resolve("layout");
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    List<String> layerDescriptors = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (Path layer : layers) {
      byte[] bytes = Files.readAllBytes(layer);
      String digest = blob(blobs, bytes);
      diffIds.add("\"" + digest + "\"");
      layerDescriptors.add(
          descriptor("application/vnd.oci.image.layer.v1.tar", digest, bytes.length, ""));
    }
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + String.join(",", diffIds)
                + "]}}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":"
                + descriptor(
                    "application/vnd.oci.image.config.v1+json",
                    blob(blobs, config),
                    config.length,
                    "")
                + ",\"layers\":["
                + String.join(",", layerDescriptors)
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    String index =
        "{\"schemaVersion\":2,\"manifests\":["
            + descriptor(
                "application/vnd.oci.image.manifest.v1+json",
                blob(blobs, manifest),
                manifest.length,
                ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"test\"}")
            + "]}";
    Files.writeString(layout.resolve("index.json"), index);
    Path bundle = work.resolve("bundle");
    run(List.of("umoci", "unpack", "--image", layout + ":test", bundle.toString()));
    return bundle.resolve("rootfs");
  }

  private static String descriptor(String mediaType, String digest, long size, String extra) {
    return "{\"mediaType\":\""
        + mediaType
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + extra
        + "}";
  }

  private static String blob(Path blobs, byte[] bytes) throws IOException {
    try {
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      Files.write(blobs.resolve(hex), bytes);
      return "sha256:" + hex;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Observing

  /** Every path under {@code rootfs} ({@code ""} for itself), symlinks not followed. */
  static Map<String, Observed> observe(Path rootfs) throws IOException {
    Map<String, Observed> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(rootfs)) {
      for (Path p : walk.toList()) {
        String rel = rootfs.relativize(p).toString();
        Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String type = fileType(mode & Node.S_IFMT);
        boolean dir = type.equals("DIRECTORY");
        boolean symlink = type.equals("SYMLINK");
        long rdev = (Long) a.get("rdev");
        String device =
            type.endsWith("DEVICE")
                ? (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL))
                    + ","
                    + ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL))
                : "";
        out.put(
            rel,
            new Observed(
                type,
                Integer.toOctalString(mode & 07777),
                (Integer) a.get("uid"),
                (Integer) a.get("gid"),
                dir ? -1 : (Long) a.get("size"),
                symlink ? Files.readSymbolicLink(p).toString() : "",
                ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond(),
                (Integer) a.get("nlink"),
                device,
                dir || type.equals("FILE") ? userXattrs(p) : Map.of()));
      }
    }
    return out;
  }

  /** The same view of a tree. */
  static Map<String, Observed> observe(ImageTree tree) {
    Map<String, Observed> out = new TreeMap<>();
    tree.walk()
        .forEach(
            n -> {
              boolean dir = n.isDirectory();
              Map<String, String> xattrs = new TreeMap<>();
              if (dir || n.isRegularFile()) {
                n.xattrs()
                    .forEach(
                        (k, v) -> {
                          if (k.startsWith("user.")) {
                            xattrs.put(k, new String(v, StandardCharsets.UTF_8));
                          }
                        });
              }
              boolean device =
                  n.type() == EntryType.CHAR_DEVICE || n.type() == EntryType.BLOCK_DEVICE;
              out.put(
                  n.path(),
                  new Observed(
                      n.type().name(),
                      Integer.toOctalString(n.mode()),
                      n.uid(),
                      n.gid(),
                      dir ? -1 : n.size(),
                      n.linkTarget(),
                      n.mtimeSeconds(),
                      n.nlink(),
                      device ? n.devMajor() + "," + n.devMinor() : "",
                      xattrs));
            });
    return out;
  }

  /** One line per path whose views differ: {@code path: tree=... oracle=...}. */
  static List<String> differences(Map<String, Observed> tree, Map<String, Observed> oracle) {
    List<String> out = new ArrayList<>();
    Set<String> paths = new TreeSet<>(tree.keySet());
    paths.addAll(oracle.keySet());
    for (String path : paths) {
      Observed t = tree.get(path);
      Observed o = oracle.get(path);
      if (!Objects.equals(t, o)) {
        out.add("'" + path + "':\n    tree   = " + t + "\n    oracle = " + o);
      }
    }
    return out;
  }

  /** Sets of paths sharing an inode (only those with more than one path), on disk. */
  static Set<Set<String>> hardlinkGroups(Path rootfs) throws IOException {
    Map<Object, Set<String>> byInode = new HashMap<>();
    try (Stream<Path> walk = Files.walk(rootfs)) {
      for (Path p : walk.toList()) {
        if (!Files.isDirectory(p, NOFOLLOW_LINKS)) {
          Object ino = Files.getAttribute(p, "unix:ino", NOFOLLOW_LINKS);
          byInode.computeIfAbsent(ino, k -> new TreeSet<>()).add(rootfs.relativize(p).toString());
        }
      }
    }
    return byInode.values().stream().filter(s -> s.size() > 1).collect(Collectors.toSet());
  }

  /** Sets of paths sharing an inode number (only those with more than one path), in a tree. */
  static Set<Set<String>> hardlinkGroups(ImageTree tree) {
    Map<Long, Set<String>> byInode = new HashMap<>();
    tree.walk()
        .forEach(n -> byInode.computeIfAbsent(n.inode(), k -> new TreeSet<>()).add(n.path()));
    return byInode.values().stream().filter(s -> s.size() > 1).collect(Collectors.toSet());
  }

  private static Map<String, String> userXattrs(Path p) throws IOException {
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW_LINKS);
    Map<String, String> out = new TreeMap<>();
    for (String name : view.list()) {
      ByteBuffer buf = ByteBuffer.allocate(view.size(name));
      view.read(name, buf);
      out.put("user." + name, new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String fileType(int format) {
    return switch (format) {
      case 0100000 -> "FILE";
      case 0040000 -> "DIRECTORY";
      case 0120000 -> "SYMLINK";
      case 0020000 -> "CHAR_DEVICE";
      case 0060000 -> "BLOCK_DEVICE";
      case 0010000 -> "FIFO";
      default -> "OTHER(" + Integer.toOctalString(format) + ")";
    };
  }

  // ---------------------------------------------------------------------------------------------

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  static void run(List<String> command) throws IOException {
    Path log = Files.createTempFile("strata-image-oracle", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "exit " + process.exitValue() + ": " + command + "\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
