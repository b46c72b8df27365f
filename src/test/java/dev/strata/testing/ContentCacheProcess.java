package dev.strata.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code daemon/bin/strata contentcache serve} as a separate process, as a node runs it: started on
 * {@code 127.0.0.1:0}, ready once it printed {@code listening HOST:PORT}. {@link #stop()} sends
 * SIGTERM (graceful), {@link #kill()} SIGKILL; {@link #close()} kills whatever still runs. The
 * launcher execs the JVM, so the process started here is the server itself.
 *
 * <pre>{@code
 * try (ContentCacheProcess cache = ContentCacheProcess.start(dir, "--token-file", token)) {
 *   ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", cache.port(), ...);
 * }
 * }</pre>
 */
public final class ContentCacheProcess implements AutoCloseable {
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Process process;
  private final Path stderr;
  private final String hostPort;

  private ContentCacheProcess(Process process, Path stderr, String hostPort) {
    this.process = process;
    this.stderr = stderr;
    this.hostPort = hostPort;
  }

  /**
   * Starts a server on a free loopback port over {@code dir} with extra {@code options} (e.g.
   * {@code --max-bytes 1G}, {@code --token-file F}); returns once it answers.
   */
  public static ContentCacheProcess start(Path dir, String... options)
      throws IOException, InterruptedException {
    Path launcher = Path.of(System.getProperty("strata.project.dir"), "daemon/bin/strata");
    List<String> command =
        new ArrayList<>(
            List.of(
                launcher.toString(),
                "contentcache",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--dir",
                dir.toString()));
    command.addAll(List.of(options));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("STRATA_JAR", System.getProperty("strata.jar"));
    Path stderr = Files.createTempFile("contentcache-err", ".txt");
    Process process = builder.redirectError(stderr.toFile()).start();
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> readStdout(process, listening));
    try {
      String hostPort = listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new ContentCacheProcess(process, stderr, hostPort);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      String log = Files.readString(stderr);
      Files.deleteIfExists(stderr);
      throw new IllegalStateException(
          "contentcache serve " + command + " did not start (" + e + "): " + log, e);
    }
  }

  /** Waits for the {@code listening} line, then keeps draining stdout so the pipe never fills. */
  private static void readStdout(Process process, CompletableFuture<String> listening) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("listening ")) {
          listening.complete(line.substring("listening ".length()).trim());
        }
      }
      listening.completeExceptionally(new IOException("exited " + process.waitFor()));
    } catch (IOException | InterruptedException e) {
      listening.completeExceptionally(e);
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String hostPort() {
    return hostPort;
  }

  public int port() {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the server logged so far. */
  public String log() throws IOException {
    return Files.readString(stderr);
  }

  /** SIGTERM, then waits for a graceful exit; returns the exit status. */
  public int stop() throws InterruptedException, IOException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("contentcache did not stop on SIGTERM in 30 s: " + log());
    }
    return process.exitValue();
  }

  /** SIGKILL: the server gets no chance to clean up (a crash, a power cut of the process). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (process.isAlive()) {
      kill();
    }
    Files.deleteIfExists(stderr);
  }
}
