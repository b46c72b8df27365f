package dev.strata.history;

import java.util.List;
import java.util.Locale;

/**
 * One page of a history listing, validated: the constructor throws {@link InvalidQueryException}
 * naming the valid values.
 *
 * @param q substring matched case-insensitively against owner, repo or tag, literally ({@code %}
 *     and {@code _} are not wildcards); {@code null} or empty for every layer
 * @param page 1-based page number; a page past the end is empty (with the right totals)
 * @param pageSize rows per page, 1 to {@value #MAX_PAGE_SIZE}
 * @param sortBy one of {@link #SORT_COLUMNS}; {@code null} for {@value #DEFAULT_SORT_BY}
 * @param order {@code asc} or {@code desc}; {@code null} for {@value #DEFAULT_ORDER}
 */
public record HistoryQuery(String q, int page, int pageSize, String sortBy, String order) {
  public static final int DEFAULT_PAGE = 1;
  public static final int DEFAULT_PAGE_SIZE = 30;
  public static final int MAX_PAGE_SIZE = 100;
  public static final int MAX_Q_LENGTH = 256;
  public static final String DEFAULT_SORT_BY = "scraped_at";
  public static final String DEFAULT_ORDER = "desc";

  /** The columns a listing can be sorted by, in the order error messages list them. */
  public static final List<String> SORT_COLUMNS =
      List.of("scraped_at", "owner", "repo", "tag", "layer_index", "layer_size");

  public static final List<String> ORDERS = List.of("asc", "desc");

  public HistoryQuery {
    if (q != null && q.isEmpty()) {
      q = null;
    }
    if (q != null && q.length() > MAX_Q_LENGTH) {
      throw new InvalidQueryException(
          "q", "invalid q: " + q.length() + " characters, expected at most " + MAX_Q_LENGTH);
    }
    if (page < 1) {
      throw new InvalidQueryException(
          "page", "invalid page '" + page + "': expected a whole number of 1 or more");
    }
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw pageSizeError(Integer.toString(pageSize));
    }
    sortBy = sortBy == null ? DEFAULT_SORT_BY : sortBy.toLowerCase(Locale.ROOT);
    if (!SORT_COLUMNS.contains(sortBy)) {
      throw new InvalidQueryException(
          "sortby",
          "invalid sortby '" + sortBy + "': expected one of " + String.join(", ", SORT_COLUMNS));
    }
    order = order == null ? DEFAULT_ORDER : order.toLowerCase(Locale.ROOT);
    if (!ORDERS.contains(order)) {
      throw new InvalidQueryException(
          "order", "invalid order '" + order + "': expected one of " + String.join(", ", ORDERS));
    }
  }

  /** The first page of every layer, newest first. */
  public static HistoryQuery defaults() {
    return of(null, null, null, null, null);
  }

  /** A query from optional values ({@code null} for the default), as a command line gives them. */
  public static HistoryQuery of(
      String q, Integer page, Integer pageSize, String sortBy, String order) {
    return new HistoryQuery(
        q,
        page == null ? DEFAULT_PAGE : page,
        pageSize == null ? DEFAULT_PAGE_SIZE : pageSize,
        sortBy,
        order);
  }

  /**
   * A query from optional text values ({@code null} or empty for the default), as HTTP query
   * parameters give them; numbers that do not parse throw {@link InvalidQueryException} too.
   */
  public static HistoryQuery parse(
      String q, String page, String pageSize, String sortBy, String order) {
    Integer pageNumber = null;
    if (page != null && !page.isEmpty()) {
      pageNumber = parseInt(page);
      if (pageNumber == null) {
        throw new InvalidQueryException(
            "page", "invalid page '" + page + "': expected a whole number of 1 or more");
      }
    }
    Integer size = null;
    if (pageSize != null && !pageSize.isEmpty()) {
      size = parseInt(pageSize);
      if (size == null) {
        throw pageSizeError(pageSize);
      }
    }
    return of(q, pageNumber, size, emptyToNull(sortBy), emptyToNull(order));
  }

  public boolean ascending() {
    return order.equals("asc");
  }

  /** Rows before this page. */
  public long offset() {
    return (long) (page - 1) * pageSize;
  }

  public HistoryQuery withPage(int newPage) {
    return new HistoryQuery(q, newPage, pageSize, sortBy, order);
  }

  private static InvalidQueryException pageSizeError(String value) {
    return new InvalidQueryException(
        "page_size",
        "invalid page size '" + value + "': expected a whole number from 1 to " + MAX_PAGE_SIZE);
  }

  private static Integer parseInt(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }
}
