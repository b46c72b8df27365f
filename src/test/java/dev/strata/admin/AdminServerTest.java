package dev.strata.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.Main;
import dev.strata.config.HostPort;
import dev.strata.history.HistoryDb;
import dev.strata.history.HistoryQuery;
import dev.strata.history.LayerRecord;
import dev.strata.metrics.StrataMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin server on a real port over a real SQLite history database. */
class AdminServerTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123Z");
  private static final int ROWS = 36;

  @TempDir Path stateDir;
  @TempDir Path emptyStateDir;

  private final StrataMetrics metrics = new StrataMetrics();
  private final AtomicReference<Health> health = new AtomicReference<>(Health.healthy());
  private final HttpClient client = HttpClient.newHttpClient();
  private AdminServer server;
  private AdminServer emptyServer;

  @BeforeEach
  void start() throws Exception {
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      for (int i = 0; i < ROWS - 1; i++) {
        db.record(row(i, i % 3 == 0 ? "library" : "acme", "repo" + i % 5, "v" + i, i % 4));
      }
      db.record(row(99, "zzz-special", "tool", "latest", 0));
    }
    HostPort any = new HostPort("127.0.0.1", 0);
    server = AdminServer.start(any, stateDir, metrics::scrape, health::get);
    emptyServer = AdminServer.start(any, emptyStateDir, metrics::scrape, health::get);
  }

  @AfterEach
  void stop() {
    server.close();
    emptyServer.close();
    client.close();
  }

  private static LayerRecord row(int i, String owner, String repo, String tag, int layer) {
    String digest = String.format("sha256:%064x", i);
    return new LayerRecord(
        digest,
        "registry.lan/" + owner + "/" + repo + ":" + tag,
        "registry.lan",
        owner,
        repo,
        tag,
        layer,
        1000L + (i * 7919L) % 100_000,
        null,
        null,
        null,
        null,
        null,
        T0.plusSeconds(i * 86_400L));
  }

  @Test
  void historyIsTheCliTableByteForByte() throws Exception {
    for (String[] query :
        List.of(
            new String[] {"", ""},
            new String[] {"q=special", "--q special"},
            new String[] {"q=REPO3&sortby=tag&order=asc", "--q REPO3 --sortby tag --order asc"},
            new String[] {
              "page=2&page_size=7&sortby=layer_size",
              "--page 2 --page-size 7" + " --sortby layer_size"
            },
            new String[] {"q=nomatch", "--q nomatch"},
            new String[] {"page=9", "--page 9"})) {
      HttpResponse<String> response = get(server, "/history?" + query[0]);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("text/plain; charset=utf-8");
      assertThat(response.body()).as(query[0]).isEqualTo(cli(stateDir, query[1]));
    }
  }

  @Test
  void defaultsAreNewestFirstThirtyRowsAndAFooter() throws Exception {
    List<String> lines = get(server, "/history").body().lines().toList();
    assertThat(lines.getFirst()).startsWith("scraped_at   owner");
    assertThat(lines).hasSize(1 + 30 + 1);
    assertThat(lines.get(1)).startsWith("2027-02-28   zzz-special"); // day 99, the newest
    assertThat(lines.getLast()).isEqualTo("Page 1 of 2 | 36 total results");
    assertThat(get(server, "/history?page=2").body())
        .endsWith("Page 2 of 2 | 36 total results\n")
        .hasLineCount(1 + 6 + 1);
  }

  @Test
  void filtersBySubstringOfOwnerRepoOrTagInAnyCase() throws Exception {
    assertThat(rows(get(server, "/history?q=special").body())).hasSize(1);
    assertThat(rows(get(server, "/history?q=REPO3").body()))
        .hasSize(7)
        .allSatisfy(line -> assertThat(column(line, 39, 25)).isEqualTo("repo3"));
    assertThat(rows(get(server, "/history?q=latest").body())).hasSize(1); // the tag
    assertThat(rows(get(server, "/history?q=librar&page_size=100").body())).hasSize(12);
    assertThat(get(server, "/history?q=%25").body()).startsWith("No layers match '%'");
  }

  @Test
  void sortsByEachTextColumnBothWays() throws Exception {
    int[][] columns = {{13, 25}, {39, 25}, {65, 20}}; // owner, repo, tag: start, width
    String[] names = {"owner", "repo", "tag"};
    for (int c = 0; c < names.length; c++) {
      for (String order : HistoryQuery.ORDERS) {
        String body =
            get(server, "/history?page_size=100&sortby=" + names[c] + "&order=" + order).body();
        List<String> values = new ArrayList<>();
        for (String line : rows(body)) {
          values.add(column(line, columns[c][0], columns[c][1]));
        }
        Comparator<String> natural = Comparator.naturalOrder();
        assertThat(values)
            .as(names[c] + " " + order)
            .hasSize(ROWS)
            .isSortedAccordingTo(order.equals("asc") ? natural : natural.reversed());
      }
    }
  }

  @Test
  void sortsByNumbersAndDatesBothWays() throws Exception {
    List<Integer> layers = new ArrayList<>();
    for (String line :
        rows(get(server, "/history?page_size=100&sortby=layer_index&order=asc").body())) {
      layers.add(Integer.parseInt(column(line, 86, 5)));
    }
    assertThat(layers).isSorted().contains(0, 3);
    List<String> dates = new ArrayList<>();
    for (String line :
        rows(get(server, "/history?page_size=100&sortby=scraped_at&order=asc").body())) {
      dates.add(column(line, 0, 12));
    }
    assertThat(dates).isSorted().startsWith("2026-11-21");
    for (String order : HistoryQuery.ORDERS) {
      List<Double> kilobytes = new ArrayList<>(); // every size here is 1.0 kB to 101.0 kB
      String body = get(server, "/history?page_size=100&sortby=layer_size&order=" + order).body();
      for (String line : rows(body)) {
        assertThat(line).endsWith(" kB");
        kilobytes.add(Double.parseDouble(column(line, 92, 9).replace(" kB", "")));
      }
      Comparator<Double> natural = Comparator.naturalOrder();
      assertThat(kilobytes)
          .hasSize(ROWS)
          .isSortedAccordingTo(order.equals("asc") ? natural : natural.reversed())
          .contains(1.0, 99.0);
    }
  }

  @Test
  void aPagePastTheEndSaysWhichIsTheLast() throws Exception {
    String body = get(server, "/history?page=5&page_size=10").body();
    assertThat(body)
        .isEqualTo(
            "scraped_at   owner                     repo                      tag                 "
                + " layer      size\n"
                + "No layers on page 5: the last page is 4.\n"
                + "Page 5 of 4 | 36 total results\n");
  }

  @Test
  void anEmptyHistorySaysToMountOrIndexFirst() throws Exception {
    HttpResponse<String> missing = get(emptyServer, "/history");
    assertThat(missing.statusCode()).isEqualTo(200);
    assertThat(missing.body())
        .isEqualTo("No history yet: index or mount an image first (strata index IMAGE).\n");
    HistoryDb.open(emptyStateDir).close(); // a database with no rows says the same
    assertThat(get(emptyServer, "/history?q=x").body()).isEqualTo(missing.body());
  }

  @Test
  void noMatchIsAHelpfulLine() throws Exception {
    assertThat(get(server, "/history?q=nomatch").body())
        .isEqualTo("No layers match 'nomatch'. Try a shorter search, or run without --q.\n");
  }

  @Test
  void invalidParametersAre400NamingTheValidValues() throws Exception {
    assertBadRequest(
        "sortby=size",
        "invalid sortby 'size': expected one of scraped_at, owner,"
            + " repo, tag, layer_index, layer_size");
    assertBadRequest("sortby=owner;drop%20table%20layer_metadata", "invalid sortby");
    assertBadRequest("order=up", "invalid order 'up': expected one of asc, desc");
    assertBadRequest("page=0", "invalid page '0': expected a whole number of 1 or more");
    assertBadRequest("page=-1", "invalid page '-1'");
    assertBadRequest("page=abc", "invalid page 'abc': expected a whole number of 1 or more");
    assertBadRequest("page_size=0", "invalid page size '0': expected a whole number from 1 to 100");
    assertBadRequest("page_size=101", "invalid page size '101'");
    assertBadRequest("page_size=x", "invalid page size 'x'");
    assertBadRequest(
        "sort_by=owner",
        "unknown parameter 'sort_by': expected order, page," + " page_size, q, sortby");
    assertThat(rawStatusLine("/history?q=%zz")).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(rows(get(server, "/history?sortby=OWNER&order=ASC").body())).hasSize(30);
  }

  @Test
  void onlyGetIsAllowedAndUnknownPathsAre404() throws Exception {
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(uri(server, "/history"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET");
    HttpResponse<String> delete =
        client.send(
            HttpRequest.newBuilder(uri(server, "/metrics")).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
    assertThat(get(server, "/history/x").statusCode()).isEqualTo(404);
    assertThat(get(server, "/historyx").statusCode()).isEqualTo(404);
  }

  @Test
  void metricsAreThePrometheusTextAndMove() throws Exception {
    HttpResponse<String> before = get(server, "/metrics");
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(before.body()).contains("# TYPE strata_tier_hits_total counter");
    assertThat(before.body()).contains("strata_tier_hits_total{tier=\"disk\"} 0.0");
    metrics.tierHit("disk", 2048);
    metrics.tierHit("disk", 2048);
    assertThat(get(server, "/metrics").body())
        .contains("strata_tier_hits_total{tier=\"disk\"} 2.0")
        .contains("strata_tier_bytes_total{tier=\"disk\"} 4096.0");
  }

  @Test
  void healthzIs200OkOr503WithTheReasons() throws Exception {
    HttpResponse<String> ok = get(server, "/healthz");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok\n");
    health.set(
        Health.unhealthy(
            List.of("mount /run/strata/app does not answer", "contentcache 10.0.0.1:7320 down")));
    HttpResponse<String> bad = get(server, "/healthz");
    assertThat(bad.statusCode()).isEqualTo(503);
    assertThat(bad.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(bad.body())
        .isEqualTo("mount /run/strata/app does not answer\ncontentcache 10.0.0.1:7320 down\n");
    health.set(null); // a check that gives no answer is unhealthy too
    HttpResponse<String> none = get(server, "/healthz");
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body()).isEqualTo("the health check gave no answer\n");
  }

  @Test
  void listensOnTheAddressAsked() {
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(server.address().getPort()).isPositive();
  }

  private void assertBadRequest(String query, String message) throws Exception {
    HttpResponse<String> response = get(server, "/history?" + query);
    assertThat(response.statusCode()).as(query).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(response.body()).as(query).contains(message).endsWith("\n");
  }

  /** The status line for a request the JDK's client refuses to send (a malformed escape). */
  private String rawStatusLine(String target) throws Exception {
    try (java.net.Socket socket =
        new java.net.Socket(server.address().getAddress(), server.address().getPort())) {
      socket
          .getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
          .lines()
          .findFirst()
          .orElse("");
    }
  }

  private static List<String> rows(String body) {
    List<String> lines = body.lines().toList();
    return lines.subList(1, lines.size() - 1);
  }

  private static String column(String line, int start, int width) {
    return line.substring(start, Math.min(line.length(), start + width)).strip();
  }

  private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(admin, path)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static URI uri(AdminServer admin, String path) {
    return URI.create("http://127.0.0.1:" + admin.address().getPort() + path);
  }

  /** What {@code strata history ARGS} prints, run in this JVM. */
  private static String cli(Path stateDir, String args) {
    List<String> argv = new ArrayList<>(List.of("history", "--state-dir", stateDir.toString()));
    if (!args.isEmpty()) {
      argv.addAll(List.of(args.split(" ")));
    }
    PrintStream saved = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(argv.toArray(String[]::new))).isZero();
    } finally {
      System.setOut(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
