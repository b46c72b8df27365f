package dev.strata.testing;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code daemon/bin/strata daemon --config FILE} as a separate process, as systemd runs it. Its log
 * (stderr and stdout) goes to a file. {@link #stop()} sends SIGTERM and waits for the exit status;
 * {@link #close()} kills whatever still runs. The launcher execs the JVM, so the process started
 * here is the daemon itself.
 */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String admin;
  private final HttpClient http = HttpClient.newHttpClient();

  private DaemonProcess(Process process, Path log, String admin) {
    this.process = process;
    this.log = log;
    this.admin = admin;
  }

  /**
   * Starts the daemon with {@code config} and extra arguments; returns at once (see {@link
   * #awaitHealthy}).
   *
   * @param admin the {@code HOST:PORT} the configuration makes it listen on
   */
  public static DaemonProcess start(Path config, String admin, String... extra) throws IOException {
    Path launcher = Path.of(System.getProperty("strata.project.dir"), "daemon/bin/strata");
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "daemon"));
    command.add("--config");
    command.add(config.toString());
    command.addAll(List.of(extra));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("STRATA_JAR", System.getProperty("strata.jar"));
    builder.environment().put("DOCKER_CONFIG", "/nonexistent-strata-test-docker-config");
    builder.environment().remove("NOTIFY_SOCKET");
    Path log = Files.createTempFile("strata-daemon", ".log");
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    return new DaemonProcess(process, log, admin);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** {@code GET path} on the admin server. */
  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** {@code METHOD path} with a JSON body on the admin server. */
  public HttpResponse<String> send(String method, String pathAndQuery, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Waits until {@code /healthz} answers 200; fails with the log if it does not in time. */
  public void awaitHealthy(Duration timeout) throws Exception {
    await(timeout, "/healthz to answer 200", () -> status("/healthz") == 200);
  }

  /** The status of {@code GET path}, or -1 while nothing answers. */
  public int status(String path) {
    try {
      return get(path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Polls {@code condition} every 100 ms; fails naming {@code what} with the daemon's log. */
  public void await(Duration timeout, String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the daemon exited " + process.exitValue() + " waiting for " + what + ":\n" + log());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + timeout + " for " + what + ":\n" + log());
      }
      Thread.sleep(100);
    }
  }

  /** The resident set size of the daemon, from {@code /proc/PID/status} (VmRSS), in bytes. */
  public long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid() + "/status");
  }

  /** SIGTERM, then waits for the exit; returns the exit status. */
  public int stop() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("the daemon did not stop on SIGTERM in 60 s:\n" + log());
    }
    return process.exitValue();
  }

  /** Waits for an exit on its own (a start-up failure); returns the status. */
  public int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the daemon still runs after " + timeout + ":\n" + log());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    http.close();
    Files.deleteIfExists(log);
  }
}
