package dev.strata.cachewriter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/** Who this node is when it asks for a lease: host, process and a random tag (unique per run). */
public final class NodeIdentity {
  private NodeIdentity() {}

  public static String current() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host
        + "/"
        + ProcessHandle.current().pid()
        + "/"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
