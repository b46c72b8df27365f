package dev.strata.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A directory tree as the facts two trees must share to be the same image (mount vs oracle). */
public final class Trees {
  private Trees() {}

  /** Path → type, mode, owner, size, content digest, link target, mtime: what must match. */
  public static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = root.relativize(p).toString();
        if (rel.isEmpty()) {
          continue;
        }
        Map<String, Object> a =
            Files.readAttributes(
                p, "unix:mode,uid,gid,size,lastModifiedTime,nlink,rdev", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        StringBuilder d =
            new StringBuilder(String.format("%o %s:%s", mode, a.get("uid"), a.get("gid")));
        if (Files.isSymbolicLink(p)) {
          d.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(" size=").append(a.get("size")).append(" nlink=").append(a.get("nlink"));
          d.append(" sha=").append(sha256(p));
          d.append(" mtime=")
              .append(
                  ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime"))
                      .toInstant()
                      .getEpochSecond());
        } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          d.append(" rdev=").append(a.get("rdev"));
        }
        out.put(rel, d.toString());
      }
    }
    return out;
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
          .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
