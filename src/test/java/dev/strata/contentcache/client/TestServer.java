package dev.strata.contentcache.client;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real gRPC server around a {@link FakeContentCache}: in-process, or on a loopback port (Netty)
 * where a stopped server refuses connections as a dead one does.
 */
final class TestServer implements AutoCloseable {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  final FakeContentCache fake;
  final String address;
  private final @Nullable String token;
  private final boolean inProcess;
  private Server server;
  volatile @Nullable String lastAuthorization;

  private TestServer(
      FakeContentCache fake,
      @Nullable String token,
      ServerBuilder<?> builder,
      boolean inProcess,
      @Nullable String name) {
    this.fake = fake;
    this.token = token;
    this.inProcess = inProcess;
    this.server = start(builder);
    this.address = inProcess ? name + ":1" : "127.0.0.1:" + server.getPort();
  }

  /**
   * An in-process server; its address is {@code <unique name>:1} for {@link #inProcessChannels}.
   */
  static TestServer inProcess(@Nullable String token) {
    String name = "cc-" + UUID.randomUUID();
    return new TestServer(
        new FakeContentCache(), token, InProcessServerBuilder.forName(name), true, name);
  }

  /** A server on a free loopback port. */
  static TestServer loopback() {
    return new TestServer(new FakeContentCache(), null, socketBuilder(0), false, null);
  }

  /** Opens in-process channels to servers made by {@link #inProcess}. */
  static ChannelFactory inProcessChannels() {
    return (endpoint, credentials) -> InProcessChannelBuilder.forName(endpoint.host()).build();
  }

  int port() {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** Stops like a crash: open calls are cut, new connections refused. */
  void stop() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts again on the same port with the same contents. */
  void restart() throws InterruptedException {
    if (inProcess) {
      throw new UnsupportedOperationException("restart is for loopback servers");
    }
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        server = socketBuilder(port()).addService(intercepted()).build().start();
        return;
      } catch (IOException e) {
        last = e; // the port may linger for a moment after the old server closed it
        Thread.sleep(100);
      }
    }
    throw new UncheckedIOException("could not rebind port " + port(), last);
  }

  @Override
  public void close() {
    fake.release();
    stop();
  }

  private Server start(ServerBuilder<?> builder) {
    try {
      return builder.addService(intercepted()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private io.grpc.ServerServiceDefinition intercepted() {
    return ServerInterceptors.intercept(fake, new TokenCheck());
  }

  private static ServerBuilder<?> socketBuilder(int port) {
    return Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
  }

  /** Records the authorization header; refuses calls without the right one when a token is set. */
  private final class TokenCheck implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String authorization = headers.get(AUTHORIZATION);
      lastAuthorization = authorization;
      if (token != null && !("Bearer " + token).equals(authorization)) {
        call.close(Status.UNAUTHENTICATED.withDescription("bad token"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }
}
