package dev.strata.daemon;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGTERM and SIGINT instead of the JVM's default (shutdown hooks, then exit
 * status 143/130), so the daemon can unmount, flush and close in order and exit 0, as systemd
 * expects of a clean stop.
 *
 * <p>Trap: {@code sun.misc.Signal} is reached by reflection. Naming it in source draws javac's
 * "internal proprietary API" warning, which no annotation suppresses and {@code -Werror} turns into
 * an error; at run time {@code jdk.unsupported} exports it to everyone. When it is missing the
 * action runs from a shutdown hook instead (the exit status is then the JVM's).
 */
final class TerminationSignals {
  private static final Logger log = LoggerFactory.getLogger(TerminationSignals.class);

  private TerminationSignals() {}

  static void onTerminate(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler call =
          (Object proxy, Method method, Object[] args) -> {
            if (method.getName().equals("handle")) {
              log.info("received {}: stopping", args[0]); // sun.misc.Signal prints as SIGTERM
              action.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "strata termination handler";
            };
          };
      Object proxy =
          Proxy.newProxyInstance(
              TerminationSignals.class.getClassLoader(), new Class<?>[] {handler}, call);
      Method handle = signal.getMethod("handle", signal, handler);
      for (String name : new String[] {"TERM", "INT"}) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot handle SIGTERM directly ({}); stopping from a shutdown hook", e.toString());
      Runtime.getRuntime().addShutdownHook(new Thread(action, "strata-stop"));
    }
  }
}
