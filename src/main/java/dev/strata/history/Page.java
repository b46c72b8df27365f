package dev.strata.history;

import java.util.List;

/**
 * One page of a history listing.
 *
 * @param rows this page's rows, at most {@code pageSize}; empty past the last page
 * @param page the 1-based page number asked for
 * @param pageSize rows per page asked for
 * @param totalResults rows matching the query over all pages
 * @param totalPages pages of matching rows; 0 when nothing matches
 * @param q the filter, or {@code null}
 * @param historyEmpty whether the history holds no layer at all (not only none matching)
 */
public record Page(
    List<LayerRecord> rows,
    int page,
    int pageSize,
    long totalResults,
    int totalPages,
    String q,
    boolean historyEmpty) {

  public Page {
    rows = List.copyOf(rows);
  }

  /** The page {@code query} asked for, holding {@code rows} of {@code totalResults} matches. */
  public static Page of(
      HistoryQuery query, List<LayerRecord> rows, long totalResults, boolean historyEmpty) {
    int totalPages = (int) ((totalResults + query.pageSize() - 1) / query.pageSize());
    return new Page(
        rows, query.page(), query.pageSize(), totalResults, totalPages, query.q(), historyEmpty);
  }

  /** What any query finds in a history that holds nothing (or does not exist yet). */
  public static Page empty(HistoryQuery query) {
    return of(query, List.of(), 0, true);
  }
}
