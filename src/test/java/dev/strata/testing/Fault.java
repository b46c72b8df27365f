package dev.strata.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A misbehaviour {@link FaultProxy} injects into one matching request. Build with the static
 * factories. "Body bytes" are the raw bytes the upstream sent after its response head; for a
 * chunked upstream response that includes the chunk framing (the registry sends blobs and manifests
 * with {@code Content-Length}, so in practice they are the payload bytes).
 */
public sealed interface Fault {

  /**
   * Answers {@code code} directly, without contacting upstream, with the given extra headers,
   * {@code Content-Length} and {@code Connection: close}.
   */
  record Status(int code, Map<String, String> headers, String body) implements Fault {
    public Status {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }

  /**
   * Relays the response head and the first {@code bytes} body bytes, then aborts the connection
   * with a TCP RST. If the body is shorter, all of it is relayed and the RST still follows.
   */
  record ResetAfterBodyBytes(long bytes) implements Fault {}

  /**
   * Relays the response head (with its original {@code Content-Length}) and the first {@code bytes}
   * body bytes, then closes the connection normally (FIN). A shorter body is relayed whole.
   */
  record TruncateAfterBodyBytes(long bytes) implements Fault {}

  /**
   * Relays everything but the body byte at {@code offset}, which is XORed with 0xFF. An offset past
   * the end of the body changes nothing.
   */
  record CorruptBodyByte(long offset) implements Fault {}

  /**
   * Removes {@code Range} and {@code If-Range} from the request, so upstream answers 200 with the
   * whole body. (The removed headers are still in the proxy's request records.)
   */
  record IgnoreRange() implements Fault {}

  /**
   * Answers 416 with <code>Content-Range: bytes *&#47;SIZE</code> and an empty body, SIZE being the
   * {@code Content-Length} of a HEAD sent upstream with the same path and headers (Range removed),
   * or 0 if that HEAD does not answer 2xx with a Content-Length.
   */
  record RangeNotSatisfiable() implements Fault {}

  /**
   * Answers 307 with {@code Location: http://UPSTREAM_HOST_PORT<same path and query>}, so the
   * client has to follow a redirect to a different host:port (like a registry redirecting to blob
   * storage). Clients usually drop {@code Authorization} on such a redirect, so this is most useful
   * in front of an anonymous registry.
   */
  record RedirectToUpstream() implements Fault {}

  /** See {@link Status}: empty body. */
  static Fault status(int code, Map<String, String> headers) {
    return new Status(code, headers, "");
  }

  /** See {@link Status}: no extra headers, empty body. */
  static Fault status(int code) {
    return new Status(code, Map.of(), "");
  }

  /** See {@link Status}: with a body (sent as UTF-8; set Content-Type in {@code headers}). */
  static Fault status(int code, Map<String, String> headers, String body) {
    return new Status(code, headers, body);
  }

  /** See {@link ResetAfterBodyBytes}. */
  static Fault resetAfterBodyBytes(long n) {
    return new ResetAfterBodyBytes(n);
  }

  /** See {@link TruncateAfterBodyBytes}. */
  static Fault truncateAfterBodyBytes(long n) {
    return new TruncateAfterBodyBytes(n);
  }

  /** See {@link CorruptBodyByte}. */
  static Fault corruptBodyByte(long offset) {
    return new CorruptBodyByte(offset);
  }

  /** See {@link IgnoreRange}. */
  static Fault ignoreRange() {
    return new IgnoreRange();
  }

  /** See {@link RangeNotSatisfiable}. */
  static Fault rangeNotSatisfiable() {
    return new RangeNotSatisfiable();
  }

  /** See {@link RedirectToUpstream}. */
  static Fault redirectToUpstream() {
    return new RedirectToUpstream();
  }
}
