package dev.strata.cli;

import dev.strata.history.HistoryDb;
import dev.strata.history.HistoryQuery;
import dev.strata.history.HistoryTable;
import dev.strata.history.Page;
import dev.strata.history.StateDirs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code strata history}: the layers strata has indexed, from {@code history.db} in the state
 * directory, one page at a time.
 */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "List the layers strata has indexed, newest first.")
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--q",
      paramLabel = "TEXT",
      description = "Only layers whose owner, repository or tag contains TEXT (any case).")
  String q;

  @Option(names = "--page", paramLabel = "N", description = "Page to show (default 1).")
  Integer page;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      description = "Rows per page, 1 to 100 (default 30).")
  Integer pageSize;

  @Option(
      names = "--sortby",
      paramLabel = "COLUMN",
      completionCandidates = SortColumns.class,
      description = "Sort by ${COMPLETION-CANDIDATES} (default scraped_at).")
  String sortBy;

  @Option(
      names = "--order",
      paramLabel = "asc|desc",
      completionCandidates = Orders.class,
      description = "Sort order (default desc).")
  String order;

  @Override
  public Integer call() {
    // invalid values throw InvalidQueryException, an IllegalArgumentException: exit status 2
    HistoryQuery query = HistoryQuery.of(q, page, pageSize, sortBy, order);
    Path stateDir = StateDirs.resolve(root == null ? null : root.global.stateDir);
    Page result;
    if (HistoryDb.exists(stateDir)) {
      try (HistoryDb db = HistoryDb.open(stateDir)) {
        result = db.query(query);
      }
    } else {
      result = Page.empty(query); // listing creates nothing
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(HistoryTable.render(result));
    out.flush();
    return 0;
  }

  static final class SortColumns extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    SortColumns() {
      super(HistoryQuery.SORT_COLUMNS);
    }
  }

  static final class Orders extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Orders() {
      super(HistoryQuery.ORDERS);
    }
  }
}
