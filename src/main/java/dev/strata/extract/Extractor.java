package dev.strata.extract;

import dev.strata.image.ImageTree;
import dev.strata.image.Node;
import dev.strata.index.EntryType;
import dev.strata.read.ImageContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts chosen files and directories of an image into a local directory, reading only the ranges
 * their contents need. Files are written under a temporary name and renamed when complete, then
 * given their mtime, so a rerun after an interruption skips files already complete (same size and
 * mtime) and redoes the rest.
 */
public final class Extractor {
  private static final Logger log = LoggerFactory.getLogger(Extractor.class);
  private static final String PARTIAL = ".strata-partial";

  /** Files are copied in pieces of this size: a large file is never held whole. */
  private static final int CHUNK = 4 << 20;

  /** Hears about each regular file as it is settled; called from several threads. */
  public interface Listener {
    Listener NONE = (node, written) -> {};

    void fileDone(Node node, boolean written);
  }

  /** What an extraction did. */
  public record Result(int entries, int filesWritten, int filesSkipped, long bytesWritten) {}

  private final ImageTree tree;
  private final ImageContent content;
  private final Path target;
  private final int concurrency;
  private final boolean root = Posix.isRoot();

  public Extractor(ImageTree tree, ImageContent content, Path target, int concurrency) {
    this.tree = tree;
    this.content = content;
    this.target = target;
    this.concurrency = concurrency;
  }

  /**
   * The nodes the patterns select, parents first: a pattern is a glob over paths from the root
   * ({@code /etc/*.conf}, {@code usr/bin/python3}); a directory it matches brings its subtree.
   */
  public List<Node> select(List<String> patterns) {
    List<PathMatcher> matchers = new ArrayList<>();
    for (String pattern : patterns) {
      String relative = pattern.replaceAll("^/+", "").replaceAll("/+$", "");
      matchers.add(
          FileSystems.getDefault()
              .getPathMatcher("glob:" + (relative.isEmpty() ? "**" : relative)));
    }
    Map<String, Node> chosen = new LinkedHashMap<>();
    tree.walk()
        .filter(node -> !node.isRoot())
        .forEach(
            node -> {
              Path path = Path.of(node.path());
              boolean match = matchers.stream().anyMatch(m -> m.matches(path));
              // a directory that was matched (not merely added as an ancestor) brings its subtree
              if (match || subtreeRoots.contains(node.parentPath())) {
                addAncestors(chosen, node);
                chosen.put(node.path(), node);
              }
            });
    return List.copyOf(chosen.values());
  }

  private final java.util.Set<String> subtreeRoots = new java.util.HashSet<>();

  private void addAncestors(Map<String, Node> chosen, Node node) {
    String parent = node.parentPath();
    List<Node> missing = new ArrayList<>();
    while (!parent.isEmpty() && !chosen.containsKey(parent)) {
      missing.add(tree.lookup(parent).orElseThrow());
      parent = tree.lookup(parent).orElseThrow().parentPath();
    }
    for (int i = missing.size() - 1; i >= 0; i--) {
      chosen.put(missing.get(i).path(), missing.get(i));
    }
    if (node.isDirectory()) {
      subtreeRoots.add(node.path());
    }
  }

  public Result extract(List<Node> nodes, Listener listener) throws IOException {
    Files.createDirectories(target);
    List<Node> directories = new ArrayList<>();
    List<Node> files = new ArrayList<>();
    List<Node> others = new ArrayList<>();
    for (Node node : nodes) {
      switch (node.type()) {
        case DIRECTORY -> directories.add(node);
        case FILE -> files.add(node);
        default -> others.add(node);
      }
    }
    for (Node dir : directories) {
      Files.createDirectories(pathOf(dir));
    }
    // One copy per inode; the other names of a hardlinked file are links to it.
    Map<Long, Node> firstOfInode = new HashMap<>();
    List<Node> links = new ArrayList<>();
    List<Node> contents = new ArrayList<>();
    for (Node file : files) {
      if (file.nlink() > 1 && firstOfInode.putIfAbsent(file.inode(), file) != null) {
        links.add(file);
      } else {
        contents.add(file);
      }
    }
    // Reading in layer order and stream order makes consecutive files share spans.
    contents.sort(Comparator.comparingInt(Node::layerIndex).thenComparingLong(Node::payloadOffset));
    long[] written = writeFiles(contents, listener);
    for (Node link : links) {
      Path path = pathOf(link);
      Path existing = pathOf(firstOfInode.get(link.inode()));
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || !Files.isSameFile(path, existing)) {
        Files.deleteIfExists(path);
        Files.createLink(path, existing);
      }
      listener.fileDone(link, false);
    }
    for (Node node : others) {
      writeSpecial(node);
    }
    // Directory metadata last and deepest first: writing into a directory changes its mtime.
    directories.sort(Comparator.comparingInt((Node d) -> d.path().length()).reversed());
    for (Node dir : directories) {
      applyMetadata(pathOf(dir), dir);
    }
    return new Result(
        nodes.size(), (int) written[0], contents.size() - (int) written[0], written[1]);
  }

  private long[] writeFiles(List<Node> files, Listener listener) throws IOException {
    Semaphore permits = new Semaphore(concurrency);
    List<Future<Long>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Node file : files) {
        futures.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    long bytes = writeFile(file);
                    listener.fileDone(file, bytes >= 0);
                    return bytes;
                  } finally {
                    permits.release();
                  }
                }));
      }
      long count = 0;
      long bytes = 0;
      for (Future<Long> future : futures) {
        try {
          long n = future.get();
          if (n >= 0) {
            count++;
            bytes += n;
          }
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IOException("extraction failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
      }
      return new long[] {count, bytes};
    }
  }

  /** Writes a regular file unless it is already complete; returns bytes written or -1. */
  private long writeFile(Node file) throws IOException {
    Path path = pathOf(file);
    Path partial = path.resolveSibling("." + path.getFileName() + PARTIAL);
    if (isComplete(path, file)) {
      Files.deleteIfExists(partial); // left by a run interrupted after the rename
      return -1;
    }
    byte[] buffer = new byte[(int) Math.min(file.size(), CHUNK)];
    try (OutputStream out = Files.newOutputStream(partial)) {
      for (long done = 0; done < file.size(); ) {
        int n = (int) Math.min(buffer.length, file.size() - done);
        long extentEnd = file.payloadOffset() + file.size();
        content.read(file.layerIndex(), file.payloadOffset() + done, buffer, 0, n, extentEnd);
        out.write(buffer, 0, n);
        done += n;
      }
    }
    Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    applyMetadata(path, file);
    return file.size();
  }

  private static boolean isComplete(Path path, Node file) throws IOException {
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    return Files.size(path) == file.size()
        && Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().getEpochSecond()
            == file.mtimeSeconds();
  }

  private void writeSpecial(Node node) throws IOException {
    Path path = pathOf(node);
    if (node.type() == EntryType.SYMLINK) {
      if (Files.isSymbolicLink(path)
          && Files.readSymbolicLink(path).toString().equals(node.linkTarget())) {
        return;
      }
      Files.deleteIfExists(path);
      Files.createSymbolicLink(path, Path.of(node.linkTarget()));
      if (root) {
        Posix.lchown(path, node.uid(), node.gid());
      }
      Posix.setTimes(path, node.mtimeSeconds(), node.mtimeNanos());
      return;
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Posix.mknod(path, node.stMode(), node.devMajor(), node.devMinor());
      applyMetadata(path, node);
    } catch (IOException e) {
      // Device nodes need root (CAP_MKNOD); a user extraction goes on without them.
      log.warn(
          "skipped {} {}: {}",
          node.type().name().toLowerCase(java.util.Locale.ROOT),
          node.path(),
          e.getMessage());
    }
  }

  /** Owner (as root), then mode (chown clears setuid), then times. */
  private void applyMetadata(Path path, Node node) throws IOException {
    if (root) {
      Posix.lchown(path, node.uid(), node.gid());
    }
    Posix.chmod(path, node.mode());
    // utimensat, not Files.setLastModifiedTime: that opens the file, which blocks on a FIFO
    Posix.setTimes(path, node.mtimeSeconds(), node.mtimeNanos());
  }

  private Path pathOf(Node node) {
    Path path = target.resolve(node.path()).normalize();
    if (!path.startsWith(target.normalize())) {
      throw new IllegalStateException("refusing to write outside " + target + ": " + node.path());
    }
    return path;
  }
}
