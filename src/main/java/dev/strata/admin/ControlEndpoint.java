package dev.strata.admin;

import java.util.Map;

/**
 * An endpoint that changes the daemon (e.g. {@code /mounts}), added to the {@link AdminServer} by
 * path. The server answers it only to clients on loopback (403 otherwise), whatever address it
 * listens on: exposing {@code /metrics} to a network must not expose control with it.
 */
public interface ControlEndpoint {
  /** An answer: status, content type and body. */
  record Reply(int status, String contentType, String body) {
    public static Reply text(int status, String body) {
      return new Reply(status, AdminServer.TEXT, body.endsWith("\n") ? body : body + "\n");
    }

    public static Reply json(int status, String body) {
      return new Reply(status, "application/json", body);
    }
  }

  /**
   * Answers one request. An {@link IllegalArgumentException} becomes a 400 with its message.
   *
   * @param query the decoded query parameters
   */
  Reply handle(String method, Map<String, String> query, byte[] body) throws Exception;
}
