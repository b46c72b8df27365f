package dev.strata.history;

import static dev.strata.history.Rows.T0;
import static dev.strata.history.Rows.digest;
import static dev.strata.history.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.registry.Digest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HistoryDbTest {
  @TempDir Path dir;

  private static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  // ---- creation ----

  @Test
  void createsTheStateDirectoryAndAnEmptyDatabase() throws Exception {
    Path stateDir = dir.resolve("a/b/state");
    assertThat(HistoryDb.exists(stateDir)).isFalse();
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      assertThat(db.file()).isEqualTo(stateDir.resolve("history.db"));
      assertThat(db.count()).isZero();
      Page page = db.query(HistoryQuery.defaults());
      assertThat(page.rows()).isEmpty();
      assertThat(page.historyEmpty()).isTrue();
      assertThat(page.totalResults()).isZero();
      assertThat(page.totalPages()).isZero();
    }
    assertThat(HistoryDb.exists(stateDir)).isTrue();
    try (Connection c = connect(stateDir)) {
      assertThat(pragma(c, "user_version")).isEqualTo(String.valueOf(HistoryDb.SCHEMA_VERSION));
      assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
      assertThat(columns(c))
          .containsExactly(
              "layer_digest",
              "image_ref",
              "registry",
              "owner",
              "repo",
              "tag",
              "layer_index",
              "layer_size",
              "media_type",
              "diff_id",
              "entries",
              "spans",
              "index_bytes",
              "scraped_at");
    }
  }

  @Test
  void reopeningKeepsTheRows() {
    try (HistoryDb db = HistoryDb.open(dir)) {
      db.record(row(1, "library", "alpine", "3.20", 0, 3_600_000, T0));
    }
    try (HistoryDb db = HistoryDb.open(dir)) {
      assertThat(db.count()).isEqualTo(1);
      assertThat(db.find(digest(1))).isPresent();
    }
  }

  // ---- record ----

  @Test
  void recordsEveryField() {
    LayerRecord record =
        new LayerRecord(
            digest(1),
            "docker.io/library/alpine:3.20",
            "docker.io",
            "library",
            "alpine",
            "3.20",
            2,
            31_700_000,
            LAYER_GZIP,
            digest(99),
            42L,
            7L,
            1234L,
            T0);
    try (HistoryDb db = HistoryDb.open(dir)) {
      db.record(record);
      assertThat(db.find(digest(1))).contains(record);
      assertThat(db.find(digest(2))).isEmpty();
    }
  }

  @Test
  void buildsARecordFromAnImageAndALayer() {
    Instant at = Instant.parse("2026-11-21T10:15:30.123456Z");
    LayerDescriptor layer =
        new LayerDescriptor(1, LAYER_GZIP, Digest.parse(digest(5)), 1234, Digest.parse(digest(6)));
    LayerRecord alpine = LayerRecord.of(ImageRef.parse("alpine"), layer, at);
    assertThat(alpine.layerDigest()).isEqualTo(digest(5));
    assertThat(alpine.imageRef()).isEqualTo("docker.io/library/alpine:latest");
    assertThat(alpine.registry()).isEqualTo("docker.io");
    assertThat(alpine.owner()).isEqualTo("library");
    assertThat(alpine.repo()).isEqualTo("alpine");
    assertThat(alpine.tag()).isEqualTo("latest");
    assertThat(alpine.layerIndex()).isEqualTo(1);
    assertThat(alpine.layerSize()).isEqualTo(1234);
    assertThat(alpine.mediaType()).isEqualTo(LAYER_GZIP);
    assertThat(alpine.diffId()).isEqualTo(digest(6));
    assertThat(alpine.entries()).isNull();
    assertThat(alpine.scrapedAt()).isEqualTo(Instant.parse("2026-11-21T10:15:30.123Z"));

    LayerRecord tool = LayerRecord.of(ImageRef.parse("ghcr.io/org/team/tool:v2"), layer, at);
    assertThat(tool.registry()).isEqualTo("ghcr.io");
    assertThat(tool.owner()).isEqualTo("org/team");
    assertThat(tool.repo()).isEqualTo("tool");
    assertThat(tool.tag()).isEqualTo("v2");

    LayerRecord local =
        LayerRecord.of(ImageRef.parse("127.0.0.1:5000/app@" + digest(7)), layer, at);
    assertThat(local.owner()).isEmpty();
    assertThat(local.repo()).isEqualTo("app");
    assertThat(local.tag()).isEmpty();

    LayerRecord withStats = alpine.withIndexStats(10, 2, 300);
    assertThat(withStats.entries()).isEqualTo(10);
    assertThat(withStats.spans()).isEqualTo(2);
    assertThat(withStats.indexBytes()).isEqualTo(300);
    try (HistoryDb db = HistoryDb.open(dir)) {
      db.record(withStats);
      assertThat(db.find(digest(5))).contains(withStats);
    }
  }

  @Test
  void recordingALayerAgainUpdatesItsRow() {
    LayerRecord first = row(1, "library", "alpine", "3.19", 0, 100, T0).withIndexStats(5, 1, 50);
    LayerRecord again =
        new LayerRecord(
            digest(1),
            "ghcr.io/org/alpine:3.20",
            "ghcr.io",
            "org",
            "alpine",
            "3.20",
            3,
            200,
            null,
            null,
            null,
            null,
            null,
            T0.plusSeconds(60));
    try (HistoryDb db = HistoryDb.open(dir)) {
      db.record(first);
      db.record(row(2, "library", "ubuntu", "24.04", 0, 100, T0));
      db.record(again);
      assertThat(db.count()).isEqualTo(2);
      LayerRecord updated = db.find(digest(1)).orElseThrow();
      assertThat(updated.imageRef()).isEqualTo("ghcr.io/org/alpine:3.20");
      assertThat(updated.registry()).isEqualTo("ghcr.io");
      assertThat(updated.owner()).isEqualTo("org");
      assertThat(updated.tag()).isEqualTo("3.20");
      assertThat(updated.layerIndex()).isEqualTo(3);
      assertThat(updated.layerSize()).isEqualTo(200);
      assertThat(updated.scrapedAt()).isEqualTo(T0.plusSeconds(60));
      // what the new record does not know is kept
      assertThat(updated.mediaType()).isEqualTo(LAYER_GZIP);
      assertThat(updated.entries()).isEqualTo(5);
      assertThat(updated.spans()).isEqualTo(1);
      assertThat(updated.indexBytes()).isEqualTo(50);
    }
  }

  // ---- filtering ----

  private static List<LayerRecord> filterRows() {
    return List.of(
        row(1, "library", "alpine", "3.20", 0, 10, T0),
        row(2, "library", "ubuntu", "24.04", 0, 20, T0),
        row(3, "org/team", "tool", "v1_2", 1, 30, T0),
        row(4, "acme", "web-app", "Release-Candidate", 2, 40, T0),
        row(5, "100%", "pct", "a'b", 0, 50, T0),
        row(6, "under_score", "x", "t", 0, 60, T0),
        row(7, "back\\slash", "y", "z", 0, 70, T0),
        row(8, "misc", "m", "v1x2", 0, 80, T0));
  }

  static Stream<Arguments> filters() {
    return Stream.of(
        Arguments.of("alp", List.of(1)),
        Arguments.of("ALPINE", List.of(1)),
        Arguments.of("Library", List.of(1, 2)),
        Arguments.of("team", List.of(3)), // owner
        Arguments.of("org/", List.of(3)),
        Arguments.of("tool", List.of(3)), // repo
        Arguments.of("24.04", List.of(2)), // tag
        Arguments.of("release-c", List.of(4)), // tag, any case
        Arguments.of("%", List.of(5)),
        Arguments.of("10%", List.of()),
        Arguments.of("_", List.of(3, 6)),
        Arguments.of("v1_2", List.of(3)),
        Arguments.of("'", List.of(5)),
        Arguments.of("a'b", List.of(5)),
        Arguments.of("\\", List.of(7)),
        Arguments.of("\\slash", List.of(7)),
        Arguments.of("\"; DROP TABLE layer_metadata; --", List.of()),
        Arguments.of("'; DROP TABLE layer_metadata; --", List.of()),
        Arguments.of("x' OR '1'='1", List.of()),
        Arguments.of("nothing-like-it", List.of()));
  }

  @ParameterizedTest
  @MethodSource("filters")
  void filtersOwnerRepoOrTagBySubstringLiterally(String q, List<Integer> expected) {
    try (HistoryDb db = HistoryDb.open(dir)) {
      filterRows().forEach(db::record);
      Page page = db.query(HistoryQuery.of(q, null, null, "owner", "asc"));
      assertThat(page.rows())
          .extracting(LayerRecord::layerDigest)
          .containsExactlyInAnyOrderElementsOf(expected.stream().map(Rows::digest).toList());
      assertThat(page.totalResults()).isEqualTo(expected.size());
      assertThat(page.q()).isEqualTo(q);
      assertThat(page.historyEmpty()).isFalse();
      assertThat(db.count()).as("the table survives").isEqualTo(8);
    }
  }

  // ---- sorting ----

  /** Rows with ties in every column and an unknown layer index. */
  private static List<LayerRecord> sortRows() {
    List<LayerRecord> rows = new ArrayList<>();
    rows.add(row(9, "library", "alpine", "3.20", 0, 3_600_000, T0));
    rows.add(row(3, "library", "ubuntu", "24.04", 0, 29_000_000, T0.plusSeconds(10)));
    rows.add(row(7, "org/team", "tool", "v1", 1, 1_000, T0.minusSeconds(86_400)));
    rows.add(row(1, "acme", "web", "Latest", 2, 1_000, T0.plusSeconds(10)));
    rows.add(row(5, "acme", "api", "latest", 3, 93, T0.plusSeconds(5)));
    rows.add(row(2, "", "app", "1.0", 1, 500_000, T0.minusSeconds(3600)));
    LayerRecord unknownIndex = row(4, "zeta", "old", "v0", 0, 7, T0.minusSeconds(7200));
    rows.add(
        new LayerRecord(
            unknownIndex.layerDigest(),
            unknownIndex.imageRef(),
            null,
            unknownIndex.owner(),
            unknownIndex.repo(),
            unknownIndex.tag(),
            null,
            unknownIndex.layerSize(),
            null,
            null,
            null,
            null,
            null,
            unknownIndex.scrapedAt()));
    return rows;
  }

  private static final Map<String, Function<LayerRecord, Comparable<?>>> KEYS =
      Map.of(
          "scraped_at", LayerRecord::scrapedAt,
          "owner", LayerRecord::owner,
          "repo", LayerRecord::repo,
          "tag", LayerRecord::tag,
          "layer_index", LayerRecord::layerIndex,
          "layer_size", LayerRecord::layerSize);

  static Stream<Arguments> sorts() {
    return HistoryQuery.SORT_COLUMNS.stream()
        .flatMap(column -> Stream.of(Arguments.of(column, "asc"), Arguments.of(column, "desc")));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  @ParameterizedTest
  @MethodSource("sorts")
  void sortsByEveryColumnBothWaysWithTiesByDigest(String column, String order) {
    Function<LayerRecord, Comparable> key = (Function) KEYS.get(column);
    Comparator<Comparable> direction =
        order.equals("asc") ? Comparator.naturalOrder() : Comparator.reverseOrder();
    Comparator<LayerRecord> expectedOrder =
        Comparator.comparing(key, Comparator.nullsLast(direction))
            .thenComparing(LayerRecord::layerDigest);
    List<LayerRecord> rows = sortRows();
    try (HistoryDb db = HistoryDb.open(dir)) {
      rows.forEach(db::record);
      Page page = db.query(HistoryQuery.of(null, null, null, column, order));
      assertThat(page.rows())
          .containsExactlyElementsOf(rows.stream().sorted(expectedOrder).toList());
    }
  }

  @Test
  void defaultIsNewestFirst() {
    try (HistoryDb db = HistoryDb.open(dir)) {
      sortRows().forEach(db::record);
      List<Instant> times =
          db.query(HistoryQuery.defaults()).rows().stream().map(LayerRecord::scrapedAt).toList();
      assertThat(times).isSortedAccordingTo(Comparator.reverseOrder());
    }
  }

  // ---- paging ----

  @Test
  void pagesWithTotalsAPartialLastPageAndEmptyPagesPastTheEnd() {
    List<LayerRecord> rows = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      rows.add(row(i, "owner" + i, "repo", "tag", 0, i, T0.plusSeconds(i)));
    }
    try (HistoryDb db = HistoryDb.open(dir)) {
      rows.forEach(db::record);
      List<LayerRecord> seen = new ArrayList<>();
      for (int p = 1; p <= 3; p++) {
        Page page = db.query(HistoryQuery.of(null, p, 3, "scraped_at", "asc"));
        assertThat(page.page()).isEqualTo(p);
        assertThat(page.pageSize()).isEqualTo(3);
        assertThat(page.totalResults()).isEqualTo(7);
        assertThat(page.totalPages()).isEqualTo(3);
        assertThat(page.rows()).hasSize(p < 3 ? 3 : 1);
        seen.addAll(page.rows());
      }
      assertThat(seen).containsExactlyElementsOf(rows);

      Page past = db.query(HistoryQuery.of(null, 4, 3, null, null));
      assertThat(past.rows()).isEmpty();
      assertThat(past.page()).isEqualTo(4);
      assertThat(past.totalResults()).isEqualTo(7);
      assertThat(past.totalPages()).isEqualTo(3);
      assertThat(past.historyEmpty()).isFalse();

      Page farPast = db.query(HistoryQuery.of(null, Integer.MAX_VALUE, 100, null, null));
      assertThat(farPast.rows()).isEmpty();
      assertThat(farPast.totalPages()).isEqualTo(1);

      Page exact = db.query(HistoryQuery.of(null, 1, 7, null, null));
      assertThat(exact.totalPages()).isEqualTo(1);
      assertThat(exact.rows()).hasSize(7);

      Page filtered = db.query(HistoryQuery.of("OWNER", 2, 2, "owner", "desc"));
      assertThat(filtered.totalResults()).isEqualTo(7);
      assertThat(filtered.totalPages()).isEqualTo(4);
      assertThat(filtered.rows())
          .extracting(LayerRecord::owner)
          .containsExactly("owner5", "owner4");

      Page none = db.query(HistoryQuery.of("zzz", null, null, null, null));
      assertThat(none.totalResults()).isZero();
      assertThat(none.totalPages()).isZero();
      assertThat(none.historyEmpty()).isFalse();
    }
  }

  // ---- schema versions ----

  @Test
  void migratesAnOlderSchemaKeepingItsRows() throws Exception {
    Files.createDirectories(dir);
    try (Connection c = connect(dir);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE layer_metadata (layer_digest TEXT PRIMARY KEY, image_ref TEXT,"
              + " layer_size INTEGER, scraped_at TEXT)");
      insertOld(c, digest(1), "docker.io/library/alpine:3.20", 3_600_000L, "2025-01-02T03:04:05Z");
      insertOld(c, digest(2), "ghcr.io/org/team/tool:v2", 1234L, "2025-03-01T00:00:00.5Z");
      insertOld(c, digest(3), "not a reference", 10L, "1700000000000");
      insertOld(c, digest(4), null, null, "2024-06-01 12:00:00");
      assertThat(pragma(c, "user_version")).isEqualTo("0");
    }
    try (HistoryDb db = HistoryDb.open(dir)) {
      assertThat(db.count()).isEqualTo(4);
      LayerRecord alpine = db.find(digest(1)).orElseThrow();
      assertThat(alpine.imageRef()).isEqualTo("docker.io/library/alpine:3.20");
      assertThat(alpine.registry()).isEqualTo("docker.io");
      assertThat(alpine.owner()).isEqualTo("library");
      assertThat(alpine.repo()).isEqualTo("alpine");
      assertThat(alpine.tag()).isEqualTo("3.20");
      assertThat(alpine.layerIndex()).isNull();
      assertThat(alpine.layerSize()).isEqualTo(3_600_000);
      assertThat(alpine.scrapedAt()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
      LayerRecord tool = db.find(digest(2)).orElseThrow();
      assertThat(tool.owner()).isEqualTo("org/team");
      assertThat(tool.repo()).isEqualTo("tool");
      assertThat(tool.scrapedAt()).isEqualTo(Instant.parse("2025-03-01T00:00:00.500Z"));
      LayerRecord odd = db.find(digest(3)).orElseThrow();
      assertThat(odd.owner()).isEmpty();
      assertThat(odd.scrapedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
      LayerRecord bare = db.find(digest(4)).orElseThrow();
      assertThat(bare.imageRef()).isEmpty();
      assertThat(bare.layerSize()).isZero();
      assertThat(bare.scrapedAt()).isEqualTo(Instant.parse("2024-06-01T12:00:00Z"));

      // old and new rows sort together, chronologically
      db.record(row(5, "library", "ubuntu", "24.04", 0, 5, Instant.parse("2024-12-31T23:59:59Z")));
      assertThat(db.query(HistoryQuery.of(null, null, null, "scraped_at", "asc")).rows())
          .extracting(LayerRecord::layerDigest)
          .containsExactly(digest(3), digest(4), digest(5), digest(1), digest(2));
      assertThat(db.query(HistoryQuery.of("team", null, null, null, null)).rows())
          .extracting(LayerRecord::layerDigest)
          .containsExactly(digest(2));
      // the key survived: recording again updates
      db.record(row(1, "library", "alpine", "3.21", 0, 1, T0));
      assertThat(db.count()).isEqualTo(5);
      assertThat(db.find(digest(1)).orElseThrow().tag()).isEqualTo("3.21");
    }
    try (Connection c = connect(dir)) {
      assertThat(pragma(c, "user_version")).isEqualTo(String.valueOf(HistoryDb.SCHEMA_VERSION));
      assertThat(columns(c))
          .contains(
              "owner", "repo", "tag", "layer_index", "registry", "diff_id", "entries", "spans");
      assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
    }
  }

  @Test
  void migrationKeepsTheLatestOfDuplicateDigests() throws Exception {
    try (Connection c = connect(dir);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE layer_metadata (layer_digest TEXT, image_ref TEXT, layer_size INTEGER,"
              + " scraped_at TEXT, owner TEXT, repo TEXT, tag TEXT)");
      s.execute(
          "INSERT INTO layer_metadata VALUES ('"
              + digest(1)
              + "', 'docker.io/library/alpine:new', 2, '2025-02-01T00:00:00Z', 'library', 'alpine',"
              + " 'new')");
      s.execute(
          "INSERT INTO layer_metadata VALUES ('"
              + digest(1)
              + "', 'docker.io/library/alpine:old', 1, '2025-01-01T00:00:00Z', 'library', 'alpine',"
              + " 'old')");
      s.execute(
          "INSERT INTO layer_metadata VALUES (NULL, 'x', 1, '2025-01-01T00:00:00Z', 'a', 'b', 'c')");
    }
    try (HistoryDb db = HistoryDb.open(dir)) {
      assertThat(db.count()).isEqualTo(1);
      LayerRecord kept = db.find(digest(1)).orElseThrow();
      assertThat(kept.tag()).isEqualTo("new");
      assertThat(kept.layerSize()).isEqualTo(2);
      assertThat(kept.registry()).isEqualTo("docker.io");
    }
  }

  @Test
  void refusesANewerSchema() throws Exception {
    try (Connection c = connect(dir);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE layer_metadata (layer_digest TEXT PRIMARY KEY, future TEXT)");
      s.execute("PRAGMA user_version = 99");
    }
    assertThatThrownBy(() -> HistoryDb.open(dir))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining("history schema version 99, newer than this strata understands (1)");
    try (Connection c = connect(dir)) {
      assertThat(columns(c)).containsExactly("layer_digest", "future");
    }
  }

  @Test
  void refusesATableItCannotMigrate() throws Exception {
    try (Connection c = connect(dir);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE layer_metadata (something TEXT)");
    }
    assertThatThrownBy(() -> HistoryDb.open(dir))
        .isInstanceOf(HistoryException.class)
        .hasMessageContaining("has no layer_digest column");
  }

  // ---- concurrency ----

  @Test
  void severalWritersAtOnce() throws Exception {
    Path stateDir = dir.resolve("shared");
    int writers = 6;
    int each = 40;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  // each writer its own connection, as separate processes would have
                  try (HistoryDb db = HistoryDb.open(stateDir)) {
                    for (int i = 0; i < each; i++) {
                      db.record(
                          row(writer * 1000 + i, "w" + writer, "r", "t", i, i, T0.plusMillis(i)));
                      db.record(row(999_999, "shared", "r", "t" + writer, 0, i, T0));
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(Duration.ofMinutes(2).toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      assertThat(db.count()).isEqualTo(writers * each + 1);
    }
  }

  @Test
  void severalProcessesAtOnce() throws Exception {
    Path stateDir = dir.resolve("processes");
    int processes = 3;
    int each = 60;
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int p = 1; p <= processes; p++) {
      children.add(
          new ProcessBuilder(
                  javaBin,
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  HistoryWriter.class.getName(),
                  stateDir.toString(),
                  Integer.toString(p),
                  Integer.toString(each))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("writer" + p + ".log").toFile())
              .start());
    }
    HistoryWriter.main(new String[] {stateDir.toString(), "0", Integer.toString(each)});
    for (int p = 1; p <= processes; p++) {
      Process child = children.get(p - 1);
      Path log = dir.resolve("writer" + p + ".log");
      assertThat(child.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      assertThat(child.exitValue()).as(() -> readQuietly(log)).isZero();
    }
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      assertThat(db.count()).isEqualTo((processes + 1) * each + 1);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  @Test
  void escapesLikePatterns() {
    assertThat(HistoryDb.escapeLike("a%b_c\\d")).isEqualTo("a\\%b\\_c\\\\d");
  }

  @Test
  void parsesTimesOfOlderDatabases() {
    assertThat(HistoryDb.parseScrapedAt("2026-11-21T10:15:30Z"))
        .contains(Instant.parse("2026-11-21T10:15:30Z"));
    assertThat(HistoryDb.parseScrapedAt("2026-11-21T11:15:30+01:00"))
        .contains(Instant.parse("2026-11-21T10:15:30Z"));
    assertThat(HistoryDb.parseScrapedAt("2026-11-21"))
        .contains(Instant.parse("2026-11-21T00:00:00Z"));
    assertThat(HistoryDb.parseScrapedAt("1700000000"))
        .contains(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(HistoryDb.parseScrapedAt("yesterday")).isEmpty();
    assertThat(HistoryDb.parseScrapedAt(null)).isEmpty();
  }

  // ---- helpers ----

  private static Connection connect(Path stateDir) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + stateDir.resolve("history.db"));
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("PRAGMA " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static List<String> columns(Connection c) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("PRAGMA table_info(layer_metadata)")) {
      while (rows.next()) {
        columns.add(rows.getString("name"));
      }
    }
    return columns;
  }

  private static void insertOld(
      Connection c, String digest, String imageRef, Long size, String scrapedAt)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO layer_metadata VALUES (?, ?, ?, ?)")) {
      insert.setString(1, digest);
      insert.setString(2, imageRef);
      if (size == null) {
        insert.setNull(3, java.sql.Types.INTEGER);
      } else {
        insert.setLong(3, size);
      }
      insert.setString(4, scrapedAt);
      insert.executeUpdate();
    }
  }
}
