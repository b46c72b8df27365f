package dev.strata.admin;

import dev.strata.history.HistoryDb;
import dev.strata.history.HistoryQuery;
import dev.strata.history.HistoryTable;
import dev.strata.history.Page;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /history}: the same text {@code strata history} prints for the same query, from the
 * history database in the state directory. Parameters are {@code q}, {@code page}, {@code
 * page_size}, {@code sortby} and {@code order}; values are validated by {@link HistoryQuery} (which
 * throws {@link dev.strata.history.InvalidQueryException} naming the valid values) and reach SQL
 * only as bound parameters or through its fixed column map.
 */
final class HistoryPage {
  static final Set<String> PARAMETERS = Set.of("q", "page", "page_size", "sortby", "order");

  private final Path stateDir;

  HistoryPage(Path stateDir) {
    this.stateDir = stateDir;
  }

  /**
   * The page's text.
   *
   * @throws IllegalArgumentException for an unknown parameter or an invalid value (a 400)
   */
  String render(Map<String, String> params) {
    for (String name : params.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown parameter '"
                + name
                + "': expected "
                + String.join(", ", new TreeSet<>(PARAMETERS)));
      }
    }
    HistoryQuery query =
        HistoryQuery.parse(
            params.get("q"),
            params.get("page"),
            params.get("page_size"),
            params.get("sortby"),
            params.get("order"));
    Page result;
    if (HistoryDb.exists(stateDir)) {
      try (HistoryDb db = HistoryDb.open(stateDir)) {
        result = db.query(query);
      }
    } else {
      result = Page.empty(query); // reading creates nothing, as strata history
    }
    return HistoryTable.render(result);
  }
}
