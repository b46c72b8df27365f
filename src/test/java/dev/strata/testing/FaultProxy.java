package dev.strata.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1-aware TCP proxy on a free 127.0.0.1 port in front of an upstream {@code host:port}
 * (normally a {@link RegistryServer}), injecting {@link Fault}s into chosen requests.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>One request per client connection: the proxy reads the request head, records it, picks at
 *       most one armed fault for it, forwards it upstream on a new connection with {@code
 *       Connection: close} (the request body is relayed raw, {@code Content-Length} or chunked),
 *       relays the upstream response head with {@code Connection: close} forced, relays the body
 *       bytes until upstream closes, and closes the client connection. The {@code Host} header is
 *       passed through unchanged, so registry-generated URLs (upload locations) point back at the
 *       proxy.
 *   <li>{@code Expect: 100-continue} is answered by the proxy itself and not forwarded.
 *   <li>{@link #arm} adds a fault for requests whose method equals {@code method} ({@code "*"} for
 *       any) and whose path, without query string, fully matches {@code pathRegex}. Each matching
 *       request consumes one of {@code times} ({@link #ALWAYS} never runs out). When several armed
 *       faults match, the earliest armed one with uses left wins.
 *   <li>If upstream cannot be reached the client gets 502.
 *   <li>Request records and counters are thread-safe; {@link #reset()} clears faults and records.
 * </ul>
 *
 * <p>Body byte counting (truncate/reset/corrupt offsets) is over the raw bytes that follow the
 * upstream response head; for a chunked response that includes the chunk framing.
 */
public final class FaultProxy implements AutoCloseable {
  /** {@code times} value for a fault that never runs out. */
  public static final int ALWAYS = Integer.MAX_VALUE;

  /**
   * A request as the client sent it (before any fault rewrote it).
   *
   * @param path request path without query string
   * @param query raw query string without {@code ?}, or {@code ""}
   * @param headers header lines in order, names as sent
   * @param fault the fault applied to it, or {@code null}
   */
  public record RecordedRequest(
      String method, String path, String query, List<Header> headers, Fault fault) {
    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
      for (Header h : headers) {
        if (h.name().equalsIgnoreCase(name)) {
          return h.value();
        }
      }
      return null;
    }
  }

  /** One header line. */
  public record Header(String name, String value) {}

  private record Head(String startLine, List<Header> headers) {
    String first(String name) {
      for (Header h : headers) {
        if (h.name().equalsIgnoreCase(name)) {
          return h.value();
        }
      }
      return null;
    }

    List<Header> without(Set<String> lowerCaseNames) {
      List<Header> kept = new ArrayList<>();
      for (Header h : headers) {
        if (!lowerCaseNames.contains(h.name().toLowerCase(Locale.ROOT))) {
          kept.add(h);
        }
      }
      return kept;
    }
  }

  private static final class Armed {
    final Fault fault;
    final String method;
    final Pattern path;
    int remaining;

    Armed(Fault fault, String method, Pattern path, int remaining) {
      this.fault = fault;
      this.method = method;
      this.path = path;
      this.remaining = remaining;
    }
  }

  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "proxy-connection", "expect");

  private final String upstreamHost;
  private final int upstreamPort;
  private final ServerSocket serverSocket;
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Armed> armed = new ArrayList<>();
  private final List<RecordedRequest> requests = new ArrayList<>();
  private int faultsInjected;
  private volatile boolean closed;

  private FaultProxy(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.serverSocket = new ServerSocket();
    serverSocket.bind(new InetSocketAddress(TestDirs.loopback(), 0));
    this.acceptor =
        Thread.ofPlatform().daemon().name("fault-proxy-" + port()).start(this::acceptLoop);
  }

  /** Starts a proxy in front of {@code upstreamHostPort} ({@code "host:port"}). */
  public static FaultProxy start(String upstreamHostPort) {
    int colon = upstreamHostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected host:port, got " + upstreamHostPort);
    }
    try {
      return new FaultProxy(
          upstreamHostPort.substring(0, colon),
          Integer.parseInt(upstreamHostPort.substring(colon + 1)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts a proxy in front of {@code registry}. */
  public static FaultProxy inFrontOf(RegistryServer registry) {
    return start(registry.hostPort());
  }

  /** {@code "127.0.0.1:PORT"} of the proxy. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The proxy's port. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  /** The upstream {@code host:port}. */
  public String upstreamHostPort() {
    return upstreamHost + ":" + upstreamPort;
  }

  /**
   * Arms {@code fault} for the next {@code times} requests with method {@code method} ({@code "*"}
   * = any) whose path fully matches {@code pathRegex}.
   */
  public synchronized void arm(Fault fault, String method, String pathRegex, int times) {
    if (times <= 0) {
      throw new IllegalArgumentException("times must be positive: " + times);
    }
    armed.add(new Armed(fault, method, Pattern.compile(pathRegex), times));
  }

  /** Total uses left over all armed faults ({@link #ALWAYS} faults count as ALWAYS). */
  public synchronized long armedRemaining() {
    long sum = 0;
    for (Armed a : armed) {
      sum += a.remaining;
    }
    return sum;
  }

  /** How many requests had a fault applied since start or {@link #reset()}. */
  public synchronized int faultsInjected() {
    return faultsInjected;
  }

  /** {@code "METHOD PATH"} (no query) per request received, in arrival order. */
  public synchronized List<String> requestLog() {
    return requests.stream().map(r -> r.method() + " " + r.path()).toList();
  }

  /** Every request received, in arrival order. */
  public synchronized List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Requests with method {@code method} ({@code "*"} = any) whose path fully matches. */
  public synchronized int count(String method, String pathRegex) {
    Pattern p = Pattern.compile(pathRegex);
    return (int)
        requests.stream()
            .filter(r -> method.equals("*") || r.method().equals(method))
            .filter(r -> p.matcher(r.path()).matches())
            .count();
  }

  /**
   * The values of header {@code headerName} (case-insensitive) as clients sent them, one per
   * request that carried it, in arrival order.
   */
  public synchronized List<String> headersSeen(String headerName) {
    List<String> values = new ArrayList<>();
    for (RecordedRequest r : requests) {
      String v = r.header(headerName);
      if (v != null) {
        values.add(v);
      }
    }
    return values;
  }

  /** Disarms all faults and clears request records and counters. */
  public synchronized void reset() {
    armed.clear();
    requests.clear();
    faultsInjected = 0;
  }

  /** Stops accepting, aborts connections in flight. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[" + hostPort() + " -> " + upstreamHostPort() + "]";
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = serverSocket.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      open.add(client);
      Thread.ofVirtual()
          .name("fault-proxy-conn")
          .start(
              () -> {
                try {
                  handle(client);
                } catch (IOException | RuntimeException e) {
                  // the client or upstream went away, often on purpose (faults); nothing to do
                } finally {
                  closeQuietly(client);
                  open.remove(client);
                }
              });
    }
  }

  private synchronized Fault recordAndPick(String method, String target, Head head) {
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    Fault picked = null;
    for (Armed a : armed) {
      if (a.remaining > 0
          && (a.method.equals("*") || a.method.equals(method))
          && a.path.matcher(path).matches()) {
        if (a.remaining != ALWAYS) {
          a.remaining--;
        }
        picked = a.fault;
        faultsInjected++;
        break;
      }
    }
    armed.removeIf(a -> a.remaining == 0);
    requests.add(new RecordedRequest(method, path, query, List.copyOf(head.headers()), picked));
    return picked;
  }

  private void handle(Socket client) throws IOException {
    client.setSoTimeout(TIMEOUT_MILLIS);
    InputStream cin = new BufferedInputStream(client.getInputStream());
    OutputStream cout = new BufferedOutputStream(client.getOutputStream());
    Head request = readHead(cin);
    if (request == null) {
      return;
    }
    String[] parts = request.startLine().split(" ");
    if (parts.length != 3) {
      respond(client, cout, 400, List.of(), "");
      return;
    }
    String method = parts[0];
    String target = parts[1];
    Fault fault = recordAndPick(method, target, request);

    switch (fault) {
      case Fault.Status s -> {
        List<Header> hs = new ArrayList<>();
        s.headers().forEach((k, v) -> hs.add(new Header(k, v)));
        respond(client, cout, s.code(), hs, s.body());
        return;
      }
      case Fault.RedirectToUpstream r -> {
        respond(
            client,
            cout,
            307,
            List.of(new Header("Location", "http://" + upstreamHostPort() + target)),
            "");
        return;
      }
      case Fault.RangeNotSatisfiable r -> {
        long size = headContentLength(target, request);
        respond(client, cout, 416, List.of(new Header("Content-Range", "bytes */" + size)), "");
        return;
      }
      case null, default -> {
        // forwarded below
      }
    }

    Socket upstream = new Socket();
    open.add(upstream);
    try {
      try {
        upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
      } catch (IOException e) {
        respond(client, cout, 502, List.of(), "upstream " + upstreamHostPort() + ": " + e);
        return;
      }
      upstream.setSoTimeout(TIMEOUT_MILLIS);
      InputStream uin = new BufferedInputStream(upstream.getInputStream());
      OutputStream uout = new BufferedOutputStream(upstream.getOutputStream());

      Set<String> drop = new java.util.HashSet<>(HOP_BY_HOP);
      if (fault instanceof Fault.IgnoreRange) {
        drop.add("range");
        drop.add("if-range");
      }
      writeHead(uout, request.startLine(), request.without(drop));

      String expect = request.first("Expect");
      if (expect != null && expect.equalsIgnoreCase("100-continue")) {
        cout.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        cout.flush();
      }
      relayRequestBody(request, cin, uout);
      uout.flush();

      Head response = readHead(uin);
      if (response == null) {
        respond(client, cout, 502, List.of(), "upstream closed without a response");
        return;
      }
      writeHead(cout, response.startLine(), response.without(HOP_BY_HOP));
      relayResponseBody(fault, uin, cout, client);
    } finally {
      closeQuietly(upstream);
      open.remove(upstream);
    }
  }

  /** Copies the upstream body to the client until EOF, applying a body fault if any. */
  private static void relayResponseBody(
      Fault fault, InputStream uin, OutputStream cout, Socket client) throws IOException {
    long limit = Long.MAX_VALUE;
    long corruptAt = -1;
    boolean reset = false;
    switch (fault) {
      case Fault.ResetAfterBodyBytes r -> {
        limit = r.bytes();
        reset = true;
      }
      case Fault.TruncateAfterBodyBytes t -> limit = t.bytes();
      case Fault.CorruptBodyByte c -> corruptAt = c.offset();
      case null, default -> {}
    }
    byte[] buf = new byte[16 * 1024];
    long relayed = 0;
    while (relayed < limit) {
      int want = (int) Math.min(buf.length, limit - relayed);
      int n = uin.read(buf, 0, want);
      if (n < 0) {
        break;
      }
      if (corruptAt >= relayed && corruptAt < relayed + n) {
        int i = (int) (corruptAt - relayed);
        buf[i] = (byte) (buf[i] ^ 0xFF);
      }
      cout.write(buf, 0, n);
      relayed += n;
    }
    cout.flush();
    if (reset) {
      // let the bytes reach the peer's receive buffer before the RST discards our send buffer
      sleepQuietly(50);
      client.setSoLinger(true, 0);
      client.close();
    } else {
      lingeringClose(client);
    }
  }

  private static void relayRequestBody(Head request, InputStream cin, OutputStream uout)
      throws IOException {
    String te = request.first("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      copyChunked(cin, uout);
      return;
    }
    String cl = request.first("Content-Length");
    if (cl != null) {
      copyExactly(cin, uout, Long.parseLong(cl.strip()));
    }
  }

  /** Copies one chunked body raw (chunks, last chunk, trailers). */
  private static void copyChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String sizeLine = readLine(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      int semi = sizeLine.indexOf(';');
      long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
      if (size == 0) {
        while (true) {
          String trailer = readLine(in);
          out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          if (trailer.isEmpty()) {
            return;
          }
        }
      }
      copyExactly(in, out, size);
      String crlf = readLine(in);
      out.write((crlf + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[16 * 1024];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new IOException("request body ended " + left + " bytes early");
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  /** Sends HEAD upstream for the same target and returns its Content-Length, or 0. */
  private long headContentLength(String target, Head request) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
      s.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = new BufferedOutputStream(s.getOutputStream());
      Set<String> drop =
          Set.of(
              "connection",
              "keep-alive",
              "proxy-connection",
              "expect",
              "range",
              "if-range",
              "content-length",
              "transfer-encoding");
      writeHead(out, "HEAD " + target + " HTTP/1.1", request.without(drop));
      out.flush();
      Head response = readHead(new BufferedInputStream(s.getInputStream()));
      if (response == null) {
        return 0;
      }
      String[] status = response.startLine().split(" ");
      String cl = response.first("Content-Length");
      if (status.length >= 2 && status[1].startsWith("2") && cl != null) {
        return Long.parseLong(cl.strip());
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  private static void respond(
      Socket client, OutputStream out, int code, List<Header> headers, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<Header> all = new ArrayList<>(headers);
    all.removeIf(
        h ->
            h.name().equalsIgnoreCase("Content-Length") || h.name().equalsIgnoreCase("Connection"));
    all.add(new Header("Content-Length", Integer.toString(bytes.length)));
    writeHead(out, "HTTP/1.1 " + code + " " + reason(code), all);
    out.write(bytes);
    out.flush();
    lingeringClose(client);
  }

  /** Writes a head, always ending with {@code Connection: close}. */
  private static void writeHead(OutputStream out, String startLine, List<Header> headers)
      throws IOException {
    StringBuilder sb = new StringBuilder(startLine).append("\r\n");
    for (Header h : headers) {
      sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads a head up to the blank line; null on EOF before the first byte. */
  private static Head readHead(InputStream in) throws IOException {
    String start = readLineOrNull(in);
    if (start == null) {
      return null;
    }
    List<Header> headers = new ArrayList<>();
    int total = start.length();
    while (true) {
      String line = readLine(in);
      total += line.length() + 2;
      if (total > MAX_HEAD_BYTES) {
        throw new IOException("head larger than " + MAX_HEAD_BYTES + " bytes");
      }
      if (line.isEmpty()) {
        return new Head(start, headers);
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.add(
            new Header(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    String line = readLineOrNull(in);
    if (line == null) {
      throw new IOException("unexpected end of stream in HTTP head");
    }
    return line;
  }

  /** Reads one line ending in LF (CR stripped) as ISO-8859-1; null at EOF before any byte. */
  private static String readLineOrNull(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) {
          return null;
        }
        throw new IOException("unexpected end of stream in HTTP head");
      }
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (line.size() > MAX_HEAD_BYTES) {
        throw new IOException("line longer than " + MAX_HEAD_BYTES + " bytes");
      }
      line.write(b);
    }
  }

  /**
   * Half-closes our side, then drains what the client still sends for up to a second before
   * closing, so unread request bytes do not turn our FIN into an RST that could destroy the
   * response before the client read it.
   */
  private static void lingeringClose(Socket client) {
    try {
      client.shutdownOutput();
      client.setSoTimeout(1_000);
      InputStream in = client.getInputStream();
      byte[] buf = new byte[8192];
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // timed out or reset: close below
    } finally {
      closeQuietly(client);
    }
  }

  private static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 307 -> "Temporary Redirect";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + code;
    };
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
