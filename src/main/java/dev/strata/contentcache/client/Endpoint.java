package dev.strata.contentcache.client;

import java.util.Objects;

/**
 * One ContentCache server, {@code HOST:PORT}. An IPv6 literal is written in brackets ({@code
 * [::1]:7312}) and kept without them in {@link #host()}.
 */
public record Endpoint(String host, int port) {
  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Parses {@code HOST:PORT} or {@code [V6]:PORT}. */
  public static Endpoint parse(String address) {
    Objects.requireNonNull(address, "address");
    String text = address.strip();
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("not HOST:PORT: '" + address + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("an IPv6 address needs brackets: '" + address + "'");
    }
    try {
      return new Endpoint(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not HOST:PORT: '" + address + "'", e);
    }
  }

  /** {@code HOST:PORT} as it would be parsed back; also the endpoint's identity for routing. */
  public String address() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return address();
  }
}
