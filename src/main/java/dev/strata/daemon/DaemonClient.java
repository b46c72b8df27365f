package dev.strata.daemon;

import dev.strata.config.MountEntry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The CLI's side of the control endpoint: {@code strata mount} and {@code strata umount} ask the
 * running daemon (found through {@link DaemonFile}) to mount or unmount, so that the mount is kept
 * and remembered across restarts.
 */
public final class DaemonClient {
  /** The daemon's answer: the HTTP status and its text. */
  public record Reply(int status, String body) {
    public boolean ok() {
      return status / 100 == 2;
    }
  }

  /** Mounting may index a large image first: the daemon answers once the mount answers. */
  private static final Duration MOUNT_TIMEOUT = Duration.ofMinutes(30);

  private final DaemonFile daemon;
  private final HttpClient http;

  private DaemonClient(DaemonFile daemon) {
    this.daemon = daemon;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A client of the daemon running over {@code stateDir}, if one runs. */
  public static Optional<DaemonClient> find(Path stateDir) {
    return DaemonFile.running(stateDir).map(DaemonClient::new);
  }

  public long pid() {
    return daemon.pid();
  }

  /** {@code POST /mounts}: mount and remember. */
  public Reply mount(MountEntry entry) throws IOException {
    return send(
        HttpRequest.newBuilder(uri("/mounts"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(MountJson.of(entry).toBytes()))
            .timeout(MOUNT_TIMEOUT)
            .build());
  }

  /** {@code DELETE /mounts?mountpoint=DIR}: unmount and forget. */
  public Reply unmount(Path mountpoint) throws IOException {
    String query = "mountpoint=" + URLEncoder.encode(mountpoint.toString(), StandardCharsets.UTF_8);
    return send(
        HttpRequest.newBuilder(uri("/mounts?" + query))
            .DELETE()
            .timeout(Duration.ofMinutes(2))
            .build());
  }

  /** {@code GET /mounts}: the daemon's mounts as JSON. */
  public Reply list() throws IOException {
    return send(
        HttpRequest.newBuilder(uri("/mounts")).GET().timeout(Duration.ofSeconds(30)).build());
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://" + daemon.admin() + pathAndQuery);
  }

  private Reply send(HttpRequest request) throws IOException {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted talking to the daemon");
    } catch (IOException e) {
      throw new IOException(
          "the strata daemon (pid "
              + daemon.pid()
              + ") does not answer on "
              + daemon.admin()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
