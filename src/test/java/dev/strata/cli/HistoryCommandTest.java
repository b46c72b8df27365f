package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.history.HistoryDb;
import dev.strata.history.LayerRecord;
import dev.strata.registry.Digest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HistoryCommandTest {
  @TempDir Path stateDir;

  record Run(int status, String out, String err) {}

  /** The command line as Main builds it, plus {@code history} (until StrataCommand lists it). */
  static Run strata(String... args) {
    CommandLine commandLine = new CommandLine(new StrataCommand());
    if (!commandLine.getSubcommands().containsKey("history")) {
      commandLine.addSubcommand("history", new HistoryCommand());
    }
    commandLine.setExecutionExceptionHandler(new ErrorReporter());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int status = commandLine.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  @BeforeEach
  void fill() {
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      record(db, "alpine:3.20", 0, 3_600_000, "2026-11-21T10:00:00Z");
      record(db, "alpine:3.20", 1, 93, "2026-11-21T10:00:01Z");
      record(db, "ghcr.io/org/team/tool:v2", 0, 31_700_000, "2026-11-20T08:00:00Z");
    }
  }

  private static int layers;

  private static void record(HistoryDb db, String image, int index, long size, String at) {
    layers++;
    Digest digest = new Digest("sha256", String.format("%064x", layers));
    db.record(
        LayerRecord.of(
            ImageRef.parse(image),
            new LayerDescriptor(
                index, "application/vnd.oci.image.layer.v1.tar+gzip", digest, size, null),
            Instant.parse(at)));
  }

  @Test
  void listsNewestFirst() {
    Run run = strata("--state-dir", stateDir.toString(), "history");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out().lines().toList())
        .hasSize(5)
        .first()
        .asString()
        .startsWith("scraped_at   owner");
    assertThat(run.out().lines().toList().get(1))
        .startsWith("2026-11-21   library                   alpine")
        .endsWith("    1      93 B");
    assertThat(run.out().lines().toList().get(3)).contains("org/team").endsWith("31.7 MB");
    assertThat(run.out()).endsWith("Page 1 of 1 | 3 total results\n");
  }

  @Test
  void theInheritedStateDirOptionWorksAfterTheSubcommandToo() {
    Run run = strata("history", "--state-dir", stateDir.toString(), "--q", "TEAM");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("org/team").doesNotContain("alpine");
    assertThat(run.out()).endsWith("Page 1 of 1 | 1 total results\n");
  }

  @Test
  void pagesAndSorts() {
    Run run =
        strata(
            "--state-dir",
            stateDir.toString(),
            "history",
            "--sortby",
            "layer_size",
            "--order",
            "asc",
            "--page-size",
            "2",
            "--page",
            "2");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out().lines().toList()).hasSize(3);
    assertThat(run.out().lines().toList().get(1)).endsWith("31.7 MB");
    assertThat(run.out()).endsWith("Page 2 of 2 | 3 total results\n");
  }

  @Test
  void noMatch() {
    Run run = strata("--state-dir", stateDir.toString(), "history", "--q", "xyz");
    assertThat(run.status()).isZero();
    assertThat(run.out())
        .isEqualTo("No layers match 'xyz'. Try a shorter search, or run without --q.\n");
  }

  @Test
  void noDatabaseYetCreatesNothing() {
    Path elsewhere = stateDir.resolve("fresh");
    Run run = strata("--state-dir", elsewhere.toString(), "history");
    assertThat(run.status()).isZero();
    assertThat(run.out())
        .isEqualTo("No history yet: index or mount an image first (strata index IMAGE).\n");
    assertThat(Files.exists(elsewhere)).isFalse();
  }

  @Test
  void invalidValuesExitWith2AndSayWhatIsValid() {
    Run sort = strata("--state-dir", stateDir.toString(), "history", "--sortby", "x");
    assertThat(sort.status()).isEqualTo(2);
    assertThat(sort.out()).isEmpty();
    assertThat(sort.err())
        .isEqualTo(
            "strata: invalid sortby 'x': expected one of scraped_at, owner, repo, tag,"
                + " layer_index, layer_size"
                + System.lineSeparator());

    Run order = strata("--state-dir", stateDir.toString(), "history", "--order", "up");
    assertThat(order.status()).isEqualTo(2);
    assertThat(order.err()).contains("invalid order 'up': expected one of asc, desc");

    Run page = strata("--state-dir", stateDir.toString(), "history", "--page", "0");
    assertThat(page.status()).isEqualTo(2);
    assertThat(page.err()).contains("invalid page '0'");

    Run size = strata("--state-dir", stateDir.toString(), "history", "--page-size", "101");
    assertThat(size.status()).isEqualTo(2);
    assertThat(size.err())
        .contains("invalid page size '101': expected a whole number from 1 to 100");

    Run notANumber = strata("--state-dir", stateDir.toString(), "history", "--page", "two");
    assertThat(notANumber.status()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--page").contains("two");
  }

  @Test
  void helpListsTheOptions() {
    Run run = strata("history", "--help");
    assertThat(run.status()).isZero();
    assertThat(run.out())
        .contains("--q=TEXT", "--page=N", "--page-size=N", "--sortby=COLUMN", "--order=asc|desc")
        .contains("Sort by scraped_at, owner, repo, tag, layer_index,")
        .contains("--state-dir");
  }
}
