package dev.strata.history;

import dev.strata.registry.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The history database, {@code <stateDir>/history.db}: one row per layer strata indexed (table
 * {@code layer_metadata}, keyed by the layer digest; recording a layer again updates its row).
 *
 * <p>Several strata processes may write at once: the database is in WAL mode, writers wait up to
 * {@link #BUSY_TIMEOUT} for each other, and schema migrations run in an immediate transaction. The
 * schema version is {@code PRAGMA user_version}; a database of an older version is migrated in
 * place, keeping its rows, and one of a newer version is refused. One instance may be shared by
 * threads; its methods are synchronized.
 *
 * <p>{@code scraped_at} is stored as ISO-8601 UTC text of fixed width ({@code
 * 2026-11-21T10:15:30.123Z}), so text order is chronological order.
 */
public final class HistoryDb implements AutoCloseable {
  public static final String FILE_NAME = "history.db";

  /**
   * The schema this code writes. 0 is the schema before versioning: {@code layer_metadata} with
   * some of today's columns (at least {@code layer_digest}); 1 adds registry, owner, repo, tag,
   * layer index, media type, diff id and index statistics.
   */
  public static final int SCHEMA_VERSION = 1;

  public static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);

  private static final String TABLE = "layer_metadata";

  /** Every column of the current schema with its definition, in table order. */
  private static final Map<String, String> COLUMNS = columns();

  /** What a migrated row gets for a column the old schema lacked or left NULL. */
  private static final Map<String, String> MIGRATION_DEFAULTS =
      Map.of(
          "image_ref", "''",
          "owner", "''",
          "repo", "''",
          "tag", "''",
          "layer_size", "0",
          "scraped_at", "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");

  /** The SQL expression of each sortable column; the only text ever put in ORDER BY. */
  private static final Map<String, String> SORT_EXPRESSIONS =
      Map.of(
          "scraped_at", "scraped_at",
          "owner", "owner",
          "repo", "repo",
          "tag", "tag",
          "layer_index", "layer_index",
          "layer_size", "layer_size");

  private static final String SELECT_COLUMNS =
      "layer_digest, image_ref, registry, owner, repo, tag, layer_index, layer_size, media_type,"
          + " diff_id, entries, spans, index_bytes, scraped_at";

  private static final String FILTER =
      " WHERE (owner LIKE ? ESCAPE '\\' OR repo LIKE ? ESCAPE '\\' OR tag LIKE ? ESCAPE '\\')";

  private static final String UPSERT =
      "INSERT INTO layer_metadata ("
          + SELECT_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (layer_digest) DO UPDATE SET"
          + " image_ref = excluded.image_ref,"
          + " registry = COALESCE(excluded.registry, registry),"
          + " owner = excluded.owner,"
          + " repo = excluded.repo,"
          + " tag = excluded.tag,"
          + " layer_index = COALESCE(excluded.layer_index, layer_index),"
          + " layer_size = excluded.layer_size,"
          + " media_type = COALESCE(excluded.media_type, media_type),"
          + " diff_id = COALESCE(excluded.diff_id, diff_id),"
          + " entries = COALESCE(excluded.entries, entries),"
          + " spans = COALESCE(excluded.spans, spans),"
          + " index_bytes = COALESCE(excluded.index_bytes, index_bytes),"
          + " scraped_at = excluded.scraped_at";

  private static final DateTimeFormatter SCRAPED_AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Path file;
  private final Connection connection;

  private HistoryDb(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens {@code <stateDir>/history.db}, creating the directory and the database when missing and
   * migrating one of an older schema.
   */
  public static HistoryDb open(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new HistoryException("cannot create state directory " + stateDir + ": " + e, e);
    }
    Path file = stateDir.resolve(FILE_NAME);
    Connection connection;
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    } catch (SQLException e) {
      throw new HistoryException("cannot open history database " + file + ": " + e.getMessage(), e);
    }
    try {
      migrate(connection, file);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof HistoryException history) {
        throw history;
      }
      throw new HistoryException(
          "cannot set up history database " + file + ": " + e.getMessage(), e);
    }
    return new HistoryDb(file, connection);
  }

  /** Whether {@code <stateDir>/history.db} exists (so that reading it need not create it). */
  public static boolean exists(Path stateDir) {
    return Files.exists(stateDir.resolve(FILE_NAME));
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /**
   * Records a layer; a layer recorded before is updated (its optional values, such as index
   * statistics, are kept where the new record has none).
   */
  public synchronized void record(LayerRecord r) {
    try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
      upsert.setString(1, r.layerDigest());
      upsert.setString(2, r.imageRef());
      upsert.setString(3, r.registry());
      upsert.setString(4, r.owner());
      upsert.setString(5, r.repo());
      upsert.setString(6, r.tag());
      setNullableLong(upsert, 7, r.layerIndex() == null ? null : r.layerIndex().longValue());
      upsert.setLong(8, r.layerSize());
      upsert.setString(9, r.mediaType());
      upsert.setString(10, r.diffId());
      setNullableLong(upsert, 11, r.entries());
      setNullableLong(upsert, 12, r.spans());
      setNullableLong(upsert, 13, r.indexBytes());
      upsert.setString(14, SCRAPED_AT.format(r.scrapedAt()));
      upsert.executeUpdate();
    } catch (SQLException e) {
      throw new HistoryException(
          "cannot record layer " + r.layerDigest() + " in " + file + ": " + e.getMessage(), e);
    }
  }

  /** The row of one layer. */
  public synchronized Optional<LayerRecord> find(String layerDigest) {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + SELECT_COLUMNS + " FROM layer_metadata WHERE layer_digest = ?")) {
      select.setString(1, layerDigest);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(read(rows)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new HistoryException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Layers recorded. */
  public synchronized long count() {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM layer_metadata")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new HistoryException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** One page of the layers {@code query} selects, in its order (ties by layer digest). */
  public synchronized Page query(HistoryQuery query) {
    String pattern = query.q() == null ? null : "%" + escapeLike(query.q()) + "%";
    String where = pattern == null ? "" : FILTER;
    String sortExpression = SORT_EXPRESSIONS.get(query.sortBy());
    if (sortExpression == null) { // HistoryQuery validates; never trust it twice
      throw new InvalidQueryException("sortby", "invalid sortby '" + query.sortBy() + "'");
    }
    String orderBy =
        " ORDER BY "
            + sortExpression
            + (query.ascending() ? " ASC" : " DESC")
            + " NULLS LAST, layer_digest ASC";
    try {
      long total;
      boolean historyEmpty;
      try (PreparedStatement count =
          connection.prepareStatement(
              "SELECT COUNT(*), NOT EXISTS (SELECT 1 FROM layer_metadata) FROM layer_metadata"
                  + where)) {
        bindFilter(count, pattern);
        try (ResultSet rows = count.executeQuery()) {
          rows.next();
          total = rows.getLong(1);
          historyEmpty = rows.getBoolean(2);
        }
      }
      List<LayerRecord> page = new ArrayList<>();
      if (query.offset() < total) {
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT "
                    + SELECT_COLUMNS
                    + " FROM layer_metadata"
                    + where
                    + orderBy
                    + " LIMIT ? OFFSET ?")) {
          int next = bindFilter(select, pattern);
          select.setInt(next, query.pageSize());
          select.setLong(next + 1, query.offset());
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              page.add(read(rows));
            }
          }
        }
      }
      return Page.of(query, page, total, historyEmpty);
    } catch (SQLException e) {
      throw new HistoryException("cannot query " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code text} for a LIKE pattern with escape character {@code \}: no wildcard left. */
  static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static int bindFilter(PreparedStatement statement, String pattern) throws SQLException {
    if (pattern == null) {
      return 1;
    }
    statement.setString(1, pattern);
    statement.setString(2, pattern);
    statement.setString(3, pattern);
    return 4;
  }

  private static void setNullableLong(PreparedStatement statement, int index, Long value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setLong(index, value);
    }
  }

  private static LayerRecord read(ResultSet row) throws SQLException {
    return new LayerRecord(
        row.getString("layer_digest"),
        row.getString("image_ref"),
        row.getString("registry"),
        row.getString("owner"),
        row.getString("repo"),
        row.getString("tag"),
        toInteger(nullableLong(row, "layer_index")),
        row.getLong("layer_size"),
        row.getString("media_type"),
        row.getString("diff_id"),
        nullableLong(row, "entries"),
        nullableLong(row, "spans"),
        nullableLong(row, "index_bytes"),
        parseScrapedAt(row.getString("scraped_at")).orElse(Instant.EPOCH));
  }

  private static Integer toInteger(Long value) {
    return value == null ? null : Math.toIntExact(value);
  }

  private static Long nullableLong(ResultSet row, String column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }

  /**
   * A time as older databases may have stored it: ISO-8601 text with or without offset, fraction or
   * time, or a number of epoch milliseconds (or seconds, when too small to be milliseconds of this
   * century).
   */
  static Optional<Instant> parseScrapedAt(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    String value = text.strip();
    if (value.matches("-?\\d+")) {
      try {
        long number = Long.parseLong(value);
        return Optional.of(
            Math.abs(number) < 100_000_000_000L
                ? Instant.ofEpochSecond(number)
                : Instant.ofEpochMilli(number));
      } catch (NumberFormatException | java.time.DateTimeException e) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      // try the next shape
    }
    try {
      return Optional.of(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException e) {
      // try the next shape
    }
    try {
      return Optional.of(LocalDateTime.parse(value.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      // try the next shape
    }
    try {
      return Optional.of(LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  // ---- schema ----

  private static Map<String, String> columns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("layer_digest", "TEXT PRIMARY KEY NOT NULL");
    columns.put("image_ref", "TEXT NOT NULL");
    columns.put("registry", "TEXT");
    columns.put("owner", "TEXT NOT NULL DEFAULT ''");
    columns.put("repo", "TEXT NOT NULL DEFAULT ''");
    columns.put("tag", "TEXT NOT NULL DEFAULT ''");
    columns.put("layer_index", "INTEGER");
    columns.put("layer_size", "INTEGER NOT NULL DEFAULT 0");
    columns.put("media_type", "TEXT");
    columns.put("diff_id", "TEXT");
    columns.put("entries", "INTEGER");
    columns.put("spans", "INTEGER");
    columns.put("index_bytes", "INTEGER");
    columns.put("scraped_at", "TEXT NOT NULL");
    return columns;
  }

  private static String createTable(String name) {
    List<String> definitions = new ArrayList<>();
    COLUMNS.forEach((column, definition) -> definitions.add(column + " " + definition));
    return "CREATE TABLE " + name + " (" + String.join(", ", definitions) + ")";
  }

  private static void createIndexes(Statement statement) throws SQLException {
    statement.execute(
        "CREATE INDEX IF NOT EXISTS layer_metadata_scraped_at"
            + " ON layer_metadata (scraped_at, layer_digest)");
  }

  private static int userVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static Set<String> tableColumns(Connection connection) throws SQLException {
    Set<String> columns = new LinkedHashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA table_info(" + TABLE + ")")) {
      while (rows.next()) {
        columns.add(rows.getString("name").toLowerCase(java.util.Locale.ROOT));
      }
    }
    return columns;
  }

  private static void migrate(Connection connection, Path file) throws SQLException {
    int version = userVersion(connection);
    if (version == SCHEMA_VERSION) {
      return;
    }
    checkNotNewer(version, file);
    connection.setAutoCommit(false); // BEGIN IMMEDIATE: one process migrates, the others wait
    try {
      version = userVersion(connection);
      checkNotNewer(version, file);
      if (version < SCHEMA_VERSION) {
        try (Statement statement = connection.createStatement()) {
          Set<String> existing = tableColumns(connection);
          if (existing.isEmpty()) {
            statement.execute(createTable(TABLE));
          } else {
            rebuild(connection, statement, existing, file);
          }
          createIndexes(statement);
          statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        }
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static void checkNotNewer(int version, Path file) {
    if (version > SCHEMA_VERSION) {
      throw new HistoryException(
          file
              + " has history schema version "
              + version
              + ", newer than this strata understands ("
              + SCHEMA_VERSION
              + "); upgrade strata or use another --state-dir");
    }
  }

  /**
   * Moves the rows of an older {@code layer_metadata} into a table of the current schema (the
   * SQLite way to change constraints): columns both have are copied, the others are derived from
   * {@code image_ref} where possible, times are normalized; of rows sharing a digest the latest
   * wins.
   */
  private static void rebuild(
      Connection connection, Statement statement, Set<String> existing, Path file)
      throws SQLException {
    if (!existing.contains("layer_digest")) {
      throw new HistoryException(
          "cannot migrate " + file + ": table " + TABLE + " has no layer_digest column");
    }
    String newTable = TABLE + "_v" + SCHEMA_VERSION;
    statement.execute("DROP TABLE IF EXISTS " + newTable);
    statement.execute(createTable(newTable));
    List<String> copied = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String column : COLUMNS.keySet()) {
      String fallback = MIGRATION_DEFAULTS.get(column);
      if (existing.contains(column)) {
        copied.add(column);
        values.add(fallback == null ? column : "COALESCE(" + column + ", " + fallback + ")");
      } else if (fallback != null) {
        copied.add(column);
        values.add(fallback);
      }
    }
    statement.execute(
        "INSERT OR REPLACE INTO "
            + newTable
            + " ("
            + String.join(", ", copied)
            + ") SELECT "
            + String.join(", ", values)
            + " FROM "
            + TABLE
            + " WHERE layer_digest IS NOT NULL"
            + (existing.contains("scraped_at") ? " ORDER BY scraped_at" : ""));
    boolean deriveNames =
        !(existing.contains("owner") && existing.contains("repo") && existing.contains("tag"));
    boolean deriveRegistry = !existing.contains("registry");
    backfill(connection, newTable, deriveNames, deriveRegistry);
    statement.execute("DROP TABLE " + TABLE);
    statement.execute("ALTER TABLE " + newTable + " RENAME TO " + TABLE);
  }

  private static void backfill(
      Connection connection, String table, boolean deriveNames, boolean deriveRegistry)
      throws SQLException {
    record Fix(String digest, String registry, String owner, String repo, String tag, String at) {}
    List<Fix> fixes = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT layer_digest, image_ref, registry, owner, repo, tag, scraped_at FROM "
                    + table)) {
      while (rows.next()) {
        String registry = rows.getString("registry");
        String owner = rows.getString("owner");
        String repo = rows.getString("repo");
        String tag = rows.getString("tag");
        ImageRef image = parseImageRef(rows.getString("image_ref"));
        if (image != null) {
          if (deriveRegistry) {
            registry = image.repository().registry();
          }
          if (deriveNames) {
            owner = image.repository().owner();
            repo = image.repository().shortName();
            tag = image.tag() == null ? "" : image.tag();
          }
        }
        String at = rows.getString("scraped_at");
        String normalized = parseScrapedAt(at).map(SCRAPED_AT::format).orElse(at);
        fixes.add(new Fix(rows.getString("layer_digest"), registry, owner, repo, tag, normalized));
      }
    }
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + table
                + " SET registry = ?, owner = ?, repo = ?, tag = ?, scraped_at = ?"
                + " WHERE layer_digest = ?")) {
      for (Fix fix : fixes) {
        update.setString(1, fix.registry());
        update.setString(2, fix.owner());
        update.setString(3, fix.repo());
        update.setString(4, fix.tag());
        update.setString(5, fix.at());
        update.setString(6, fix.digest());
        update.addBatch();
      }
      update.executeBatch();
    }
  }

  private static ImageRef parseImageRef(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return ImageRef.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
