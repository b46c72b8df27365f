package dev.strata.history;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A page of history as the plain-text table {@code strata history} and the daemon's {@code GET
 * /history} print: a header line, one line per layer, and a footer {@code Page P of T | N total
 * results}.
 *
 * <pre>
 * scraped_at   owner                     repo                      tag                  layer      size
 * 2026-11-21   library                   alpine                    3.20                     0    3.6 MB
 * Page 1 of 1 | 1 total results
 * </pre>
 *
 * <p>Columns are separated by one space; {@code scraped_at} (the UTC date), {@code owner}, {@code
 * repo} and {@code tag} are left-aligned in {@value #DATE_WIDTH}, {@value #OWNER_WIDTH}, {@value
 * #REPO_WIDTH} and {@value #TAG_WIDTH} characters, {@code layer} (the layer's index in its image)
 * and {@code size} (compressed, as {@link HumanSize}) right-aligned in {@value #LAYER_WIDTH} and
 * {@value #SIZE_WIDTH}. A longer value is cut to its width less 3 and ends in {@code ...}; control
 * characters show as {@code ?}. Lines end in {@code \n}, without trailing spaces.
 */
public final class HistoryTable {
  public static final int DATE_WIDTH = 12;
  public static final int OWNER_WIDTH = 25;
  public static final int REPO_WIDTH = 25;
  public static final int TAG_WIDTH = 20;
  public static final int LAYER_WIDTH = 5;
  public static final int SIZE_WIDTH = 9;

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  private HistoryTable() {}

  /** The table of {@code page}, or the one line saying why there is nothing to show. */
  public static String render(Page page) {
    if (page.historyEmpty()) {
      return "No history yet: index or mount an image first (strata index IMAGE).\n";
    }
    if (page.totalResults() == 0) {
      return "No layers match '"
          + clean(page.q() == null ? "" : page.q())
          + "'. Try a shorter search, or run without --q.\n";
    }
    List<String> lines = new ArrayList<>();
    lines.add(line("scraped_at", "owner", "repo", "tag", "layer", "size"));
    for (LayerRecord row : page.rows()) {
      lines.add(
          line(
              DATE.format(row.scrapedAt()),
              row.owner(),
              row.repo(),
              row.tag(),
              row.layerIndex() == null ? "" : row.layerIndex().toString(),
              HumanSize.format(row.layerSize())));
    }
    if (page.rows().isEmpty()) {
      lines.add(
          "No layers on page " + page.page() + ": the last page is " + page.totalPages() + ".");
    }
    lines.add(footer(page));
    return String.join("\n", lines) + "\n";
  }

  /** {@code Page P of T | N total results}. */
  public static String footer(Page page) {
    return "Page "
        + page.page()
        + " of "
        + page.totalPages()
        + " | "
        + page.totalResults()
        + " total results";
  }

  /**
   * {@code value} cut to {@code width} characters: when longer, width-3 of them and {@code ...}.
   */
  static String truncate(String value, int width) {
    String text = clean(value);
    int length = text.codePointCount(0, text.length());
    if (length <= width) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, width - 3)) + "...";
  }

  private static String line(
      String date, String owner, String repo, String tag, String layer, String size) {
    return left(date, DATE_WIDTH)
        + ' '
        + left(owner, OWNER_WIDTH)
        + ' '
        + left(repo, REPO_WIDTH)
        + ' '
        + left(tag, TAG_WIDTH)
        + ' '
        + right(layer, LAYER_WIDTH)
        + ' '
        + right(size, SIZE_WIDTH);
  }

  private static String left(String value, int width) {
    String text = truncate(value, width);
    return text + " ".repeat(width - text.codePointCount(0, text.length()));
  }

  private static String right(String value, int width) {
    String text = truncate(value, width);
    return " ".repeat(width - text.codePointCount(0, text.length())) + text;
  }

  /** Control characters (a newline in a tag would break the table) as {@code ?}. */
  private static String clean(String value) {
    StringBuilder text = new StringBuilder(value.length());
    value.codePoints().forEach(c -> text.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return text.toString();
  }
}
