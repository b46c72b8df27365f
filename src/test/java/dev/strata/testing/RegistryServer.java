package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}, distribution 2.8) running as a
 * child process on a free 127.0.0.1 port, storing blobs in a private temporary directory.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>The factories return only once {@code GET /v2/} answers 200 (anonymous) or 401 (auth); if
 *       that does not happen within {@link #STARTUP_TIMEOUT} the process is killed and an {@link
 *       IllegalStateException} carrying the tail of the registry log is thrown.
 *   <li>The registry speaks plain HTTP only; deletes are enabled ({@code storage.delete.enabled}).
 *   <li>Everything the process prints (logrus lines on stderr, the Apache combined-format access
 *       log on stdout) goes to {@link #logFile()}.
 *   <li>{@link #close()} kills the process (SIGTERM, then SIGKILL after 5 s) and deletes the
 *       temporary directory, including all pushed content. It is idempotent.
 * </ul>
 *
 * <p>The registry writes its access-log line only after the response has been sent, so a client can
 * have read a whole response before the line exists. The log-reading methods therefore first
 * {@linkplain #syncLog() sync} the log: they send a marker request ({@code GET
 * /strata-log-sync/UUID}, answered 404 and never matching a {@code /v2/} pattern) and wait until
 * its line shows up.
 */
public final class RegistryServer implements AutoCloseable {
  /** How long the factories wait for {@code /v2/} to answer. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  /** The registry binary; override with the system property {@code strata.test.registry}. */
  public static final String BINARY =
      System.getProperty("strata.test.registry", "/usr/bin/docker-registry");

  /** The htpasswd realm announced by {@link #basicAuth} registries. */
  public static final String BASIC_REALM = "strata-test";

  /** How the registry authenticates clients. */
  public enum AuthMode {
    NONE,
    BASIC,
    TOKEN
  }

  /**
   * One line of the registry's access log (Apache combined format, e.g. {@code 127.0.0.1 - -
   * [21/Nov/2026:14:07:37 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"}).
   *
   * @param path the request path without the query string
   * @param query the raw query string without {@code ?}, or {@code ""}
   * @param bytes the response body bytes the registry wrote
   */
  public record AccessLogEntry(
      String method, String path, String query, int status, long bytes, String line) {}

  private static final Pattern ACCESS_LINE =
      Pattern.compile("^\\S+ \\S+ \\S+ \\[[^]]+] \"(\\S+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) (\\S+).*");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final Process process;
  private final int port;
  private final AuthMode authMode;
  private boolean closed;

  private RegistryServer(Path dir, Process process, int port, AuthMode authMode) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.authMode = authMode;
  }

  /** Starts an anonymous registry: every client may pull, push and delete. */
  public static RegistryServer plain() {
    return start(AuthMode.NONE, dir -> "");
  }

  /**
   * Starts a registry that requires HTTP Basic authentication for every {@code /v2/} request
   * (htpasswd file with one bcrypt entry; anonymous requests get 401 with {@code WWW-Authenticate:
   * Basic realm="strata-test"}).
   */
  public static RegistryServer basicAuth(String user, String password) {
    return start(
        AuthMode.BASIC,
        dir -> {
          String entry =
              Exec.run(Duration.ofSeconds(30), List.of("htpasswd", "-Bbn", user, password))
                  .checkSuccess()
                  .stdout()
                  .strip();
          Path htpasswd = dir.resolve("htpasswd");
          write(htpasswd, entry + "\n");
          return "auth:\n"
              + "  htpasswd:\n"
              + "    realm: "
              + quote(BASIC_REALM)
              + "\n"
              + "    path: "
              + quote(htpasswd.toString())
              + "\n";
        });
  }

  /**
   * Starts a registry in {@code auth: token} mode trusting {@code issuer}: anonymous requests get
   * 401 with {@code WWW-Authenticate: Bearer realm="<issuer realm>",service="<service>"[,scope=..]}
   * and a JWT from the issuer is accepted as {@code Authorization: Bearer}.
   */
  public static RegistryServer tokenAuth(TokenIssuer issuer) {
    return start(
        AuthMode.TOKEN,
        dir ->
            "auth:\n"
                + "  token:\n"
                + "    realm: "
                + quote(issuer.realm())
                + "\n"
                + "    service: "
                + quote(issuer.service())
                + "\n"
                + "    issuer: "
                + quote(issuer.issuer())
                + "\n"
                + "    rootcertbundle: "
                + quote(issuer.certificatePem().toString())
                + "\n");
  }

  /** {@code "127.0.0.1:PORT"}, usable as the registry part of an image reference. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:PORT} (no trailing slash). */
  public URI baseUri() {
    return URI.create("http://" + hostPort());
  }

  /** The TCP port the registry listens on. */
  public int port() {
    return port;
  }

  /** How this registry authenticates clients. */
  public AuthMode authMode() {
    return authMode;
  }

  /** The file receiving the process' stdout and stderr. */
  public Path logFile() {
    return dir.resolve("registry.log");
  }

  /** The registry's {@code storage.filesystem.rootdirectory}. */
  public Path storageDir() {
    return dir.resolve("storage");
  }

  /** All log lines, after {@linkplain #syncLog() syncing} the log. */
  public List<String> logLines() {
    syncLog();
    return readLogLines();
  }

  /** Counts the log lines matching {@code predicate}, after syncing the log. */
  public int countLogLines(Predicate<String> predicate) {
    return (int) logLines().stream().filter(predicate).count();
  }

  /** The access-log entries so far (marker requests excluded), after syncing the log. */
  public List<AccessLogEntry> accessLog() {
    List<AccessLogEntry> entries = new ArrayList<>();
    for (String line : logLines()) {
      parseAccessLine(line)
          .filter(e -> !e.path().startsWith("/strata-log-sync/"))
          .ifPresent(entries::add);
    }
    return entries;
  }

  /**
   * Counts requests the registry served whose method equals {@code method} ({@code "*"} for any)
   * and whose path (without query) fully matches {@code pathRegex}; e.g. {@code countRequests(
   * "GET", "/v2/.+/blobs/sha256:[0-9a-f]{64}")} counts blob downloads.
   */
  public int countRequests(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return (int)
        accessLog().stream()
            .filter(e -> method.equals("*") || e.method().equals(method))
            .filter(e -> p.matcher(e.path()).matches())
            .count();
  }

  /** Response bytes of the requests {@link #countRequests} would count. */
  public long bytesServed(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return accessLog().stream()
        .filter(e -> method.equals("*") || e.method().equals(method))
        .filter(e -> p.matcher(e.path()).matches())
        .mapToLong(AccessLogEntry::bytes)
        .sum();
  }

  /** The last {@code n} log lines, for failure messages. Does not sync. */
  public String logTail(int n) {
    return tail(logFile(), n);
  }

  /**
   * Makes sure every response the registry sent before this call has its access-log line in {@link
   * #logFile()}. Fails after 5 s.
   */
  public void syncLog() {
    String marker = "/strata-log-sync/" + UUID.randomUUID();
    try {
      HTTP.send(
          HttpRequest.newBuilder(baseUri().resolve(marker)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new UncheckedIOException("registry at " + hostPort() + " did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      for (String line : readLogLines()) {
        if (line.contains(marker + " ")) {
          return;
        }
      }
      sleep(10);
    }
    throw new IllegalStateException(
        "registry log never showed marker " + marker + "\n" + logTail(20));
  }

  /** Kills the registry and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(process);
    TestDirs.deleteRecursively(dir);
  }

  @Override
  public String toString() {
    return "RegistryServer[" + authMode + " " + hostPort() + "]";
  }

  /** Parses one access-log line, or returns empty if {@code line} is not one. */
  static Optional<AccessLogEntry> parseAccessLine(String line) {
    Matcher m = ACCESS_LINE.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String target = m.group(2);
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    long bytes = m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4));
    return Optional.of(
        new AccessLogEntry(m.group(1), path, query, Integer.parseInt(m.group(3)), bytes, line));
  }

  private interface AuthSection {
    String yaml(Path dir);
  }

  private static RegistryServer start(AuthMode mode, AuthSection auth) {
    IllegalStateException last = null;
    // a free port can be stolen between probing and the registry binding it: retry then
    for (int attempt = 0; attempt < 3; attempt++) {
      Path dir = TestDirs.createTempDir("strata-registry");
      try {
        return startOnce(dir, mode, auth);
      } catch (PortTakenException e) {
        TestDirs.deleteRecursively(dir);
        last = e;
      } catch (RuntimeException e) {
        TestDirs.deleteRecursively(dir);
        throw e;
      }
    }
    throw last;
  }

  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(String message) {
      super(message);
    }
  }

  private static RegistryServer startOnce(Path dir, AuthMode mode, AuthSection auth) {
    int port = TestDirs.freeLoopbackPort();
    Path storage = dir.resolve("storage");
    Path log = dir.resolve("registry.log");
    Path config = dir.resolve("config.yml");
    try {
      Files.createDirectories(storage);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String yaml =
        "version: 0.1\n"
            + "log:\n"
            + "  level: info\n"
            + "  formatter: text\n"
            + "  accesslog:\n"
            + "    disabled: false\n"
            + "storage:\n"
            + "  filesystem:\n"
            + "    rootdirectory: "
            + quote(storage.toString())
            + "\n"
            + "  delete:\n"
            + "    enabled: true\n"
            + "  maintenance:\n"
            + "    uploadpurging:\n"
            + "      enabled: false\n"
            + "http:\n"
            + "  addr: 127.0.0.1:"
            + port
            + "\n"
            + "  secret: "
            + quote(UUID.randomUUID().toString())
            + "\n"
            + auth.yaml(dir);
    write(config, yaml);

    ProcessBuilder pb =
        new ProcessBuilder(BINARY, "serve", config.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    // REGISTRY_* variables override the config file; keep the test's config authoritative
    pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    RegistryServer server = new RegistryServer(dir, process, port, mode);
    try {
      server.awaitReady();
      return server;
    } catch (RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    URI v2 = baseUri().resolve("/v2/");
    String lastProblem = "no attempt";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String tail = logTail(40);
        String msg =
            "docker-registry exited with code "
                + process.exitValue()
                + " before answering on "
                + hostPort()
                + "\n--- registry log tail ---\n"
                + tail;
        if (tail.contains("address already in use")) {
          throw new PortTakenException(msg);
        }
        throw new IllegalStateException(msg);
      }
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(v2).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
        lastProblem = "GET /v2/ answered " + r.statusCode();
      } catch (ConnectException e) {
        lastProblem = "connection refused";
      } catch (IOException e) {
        lastProblem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "docker-registry did not answer GET /v2/ on "
            + hostPort()
            + " within "
            + STARTUP_TIMEOUT
            + " (last: "
            + lastProblem
            + ")\n--- registry log tail ---\n"
            + logTail(40));
  }

  private List<String> readLogLines() {
    try {
      return Files.readAllLines(logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(Path file, int n) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** YAML double-quoted scalar. */
  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
