package dev.strata.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that makes a local registry look like one across a network, for {@code
 * scripts/bench} (the kernel here has no {@code netem}): every chunk a client sends waits a fixed
 * latency before it is forwarded (one request, one delay), and everything the upstream sends back
 * shares one link of a fixed bandwidth, whatever the number of connections.
 *
 * <p>Usage: {@code ThrottleProxy LISTEN_PORT UPSTREAM_PORT MBIT_PER_S LATENCY_MS}. Serves until
 * killed; prints {@code listening} once it accepts connections.
 */
public final class ThrottleProxy {
  private static final int CHUNK = 16 * 1024;

  private final int upstreamPort;
  private final double bytesPerNano;
  private final long latencyNanos;
  private long linkFreeAt; // guarded by this: when the shared downstream link is idle again

  private ThrottleProxy(int upstreamPort, double mbitPerSecond, double latencyMillis) {
    this.upstreamPort = upstreamPort;
    this.bytesPerNano = mbitPerSecond * 1e6 / 8 / 1e9;
    this.latencyNanos = (long) (latencyMillis * 1e6);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: ThrottleProxy LISTEN_PORT UPSTREAM_PORT MBIT_PER_S LATENCY_MS");
      System.exit(2);
    }
    ThrottleProxy proxy =
        new ThrottleProxy(
            Integer.parseInt(args[1]), Double.parseDouble(args[2]), Double.parseDouble(args[3]));
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
      System.out.println("listening");
      System.out.flush();
      while (true) {
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> proxy.serve(client));
      }
    }
  }

  private void serve(Socket client) {
    try (client;
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      Thread requests =
          Thread.ofVirtual().start(() -> pump(client, upstream, /* throttled= */ false));
      pump(upstream, client, /* throttled= */ true);
      requests.join();
    } catch (IOException | InterruptedException e) {
      // a connection ends; the client sees it closed
    }
  }

  /** Copies from one socket to the other until EOF, then half-closes the other side. */
  private void pump(Socket from, Socket to, boolean throttled) {
    byte[] buffer = new byte[CHUNK];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (throttled) {
          sleepUntil(reserveLink(n));
        } else {
          sleepUntil(System.nanoTime() + latencyNanos);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Books {@code bytes} on the shared link; returns when they have gone through it. */
  private synchronized long reserveLink(int bytes) {
    long start = Math.max(System.nanoTime(), linkFreeAt);
    linkFreeAt = start + (long) (bytes / bytesPerNano);
    return linkFreeAt;
  }

  private static void sleepUntil(long deadline) {
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(left);
    }
  }
}
