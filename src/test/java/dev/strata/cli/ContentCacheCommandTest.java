package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad usage of {@code strata contentcache serve} fails fast with status 2 and says why. */
class ContentCacheCommandTest {
  @TempDir Path dir;

  private record Result(int status, String err) {}

  private static Result run(String... args) {
    CommandLine commandLine = new CommandLine(new StrataCommand());
    commandLine.setExecutionExceptionHandler(new ErrorReporter());
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    return new Result(commandLine.execute(args), err.toString());
  }

  @Test
  void aMalformedListenAddressIsBadUsage() {
    Result result = run("contentcache", "serve", "--listen", "localhost", "--dir", dir.toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("is not HOST:PORT");
  }

  @Test
  void theDirectoryIsRequired() {
    Result result = run("contentcache", "serve", "--listen", "127.0.0.1:0");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("--dir");
  }

  @Test
  void tlsNeedsBothCertificateAndKey() {
    Result result =
        run(
            "contentcache",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            dir.toString(),
            "--tls-cert",
            dir.resolve("cert.pem").toString());
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("--tls-cert and --tls-key go together");
  }

  @Test
  void aMalformedSizeIsBadUsage() {
    Result result =
        run(
            "contentcache",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            dir.toString(),
            "--max-bytes",
            "lots");
    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err()).contains("not a byte count");
  }
}
