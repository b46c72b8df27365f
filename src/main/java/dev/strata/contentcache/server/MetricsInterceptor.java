package dev.strata.contentcache.server;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Counts every call by method and the status it closed with, and times it. Installed outermost, so
 * calls the token check refuses are counted too.
 */
final class MetricsInterceptor implements ServerInterceptor {
  private final ContentCacheMetrics metrics;

  MetricsInterceptor(ContentCacheMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    long start = System.nanoTime();
    ServerCall<Q, R> counted =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.requests.labelValues(method, status.getCode().name()).inc();
            metrics.latency.labelValues(method).observe((System.nanoTime() - start) / 1e9);
            super.close(status, trailers);
          }
        };
    return next.startCall(counted, headers);
  }
}
