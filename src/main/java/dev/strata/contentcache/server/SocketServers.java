package dev.strata.contentcache.server;

import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Netty server builders bound to one address. {@code io.grpc.Grpc} can only build servers for a
 * port on every interface; {@code --listen 127.0.0.1:PORT} must not expose the cache elsewhere.
 */
public final class SocketServers {
  private SocketServers() {}

  public static ServerBuilder<?> forAddress(
      InetSocketAddress address, ServerCredentials credentials) {
    return NettyServerBuilder.forAddress(address, credentials);
  }

  /**
   * Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6; port 0 picks a free one); throws {@link
   * IllegalArgumentException} saying what is wrong.
   */
  public static InetSocketAddress parseAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("address '" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address '" + text + "' has no numeric port", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port of '" + text + "' is outside 0-65535");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host in '" + text + "'", e);
    }
  }

  /** {@code HOST:PORT} as {@link #parseAddress} reads it, IPv6 in brackets. */
  public static String format(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
