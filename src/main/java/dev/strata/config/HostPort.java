package dev.strata.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code HOST:PORT} address: a host name, an IPv4 address or a bracketed IPv6 address ({@code
 * [::1]:7311}), and a port from 0 to 65535 (0: any free port, for a listen address).
 */
public record HostPort(String host, int port) {
  private static final Pattern ADDRESS =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\\d{1,5})");

  public HostPort {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }

  /**
   * Parses {@code HOST:PORT}.
   *
   * @throws IllegalArgumentException saying what is expected
   */
  public static HostPort parse(String text) {
    Matcher m = ADDRESS.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not an address: expected HOST:PORT, e.g. 127.0.0.1:7311 or [::1]:7311");
    }
    int port = Integer.parseInt(m.group(3));
    if (port > 65535) {
      throw new IllegalArgumentException("'" + text + "': port " + port + " is above 65535");
    }
    return new HostPort(m.group(1), port);
  }

  /** Whether this is a loopback address (the admin server's default). */
  public boolean isLoopback() {
    return host.equals("localhost") || host.equals("[::1]") || host.startsWith("127.");
  }

  /** {@code host} without IPv6 brackets, as socket APIs want it. */
  public String bareHost() {
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
