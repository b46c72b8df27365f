package dev.strata.history;

import java.nio.file.Path;

/**
 * A separate process writing to a history database, for {@link HistoryDbTest}: {@code HistoryWriter
 * STATE_DIR WRITER COUNT}.
 */
final class HistoryWriter {
  private HistoryWriter() {}

  public static void main(String[] args) {
    Path stateDir = Path.of(args[0]);
    int writer = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    try (HistoryDb db = HistoryDb.open(stateDir)) {
      for (int i = 0; i < count; i++) {
        db.record(Rows.row(writer * 1000 + i, "p" + writer, "r", "t", i, i, Rows.T0.plusMillis(i)));
        db.record(Rows.row(999_999, "shared", "r", "t" + writer, 0, i, Rows.T0));
      }
    }
  }
}
