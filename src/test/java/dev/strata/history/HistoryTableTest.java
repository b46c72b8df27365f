package dev.strata.history;

import static dev.strata.history.Rows.T0;
import static dev.strata.history.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTableTest {
  private static final String HEADER =
      "scraped_at   owner                     repo                      tag                 "
          + " layer      size";

  private static String expectedLine(
      String date, String owner, String repo, String tag, String layer, String size) {
    return String.format(
        java.util.Locale.ROOT,
        "%-12s %-25s %-25s %-20s %5s %9s",
        date,
        owner,
        repo,
        tag,
        layer,
        size);
  }

  @Test
  void headerRowsAndFooterInFixedColumns() {
    Page page =
        Page.of(
            HistoryQuery.defaults(),
            List.of(
                row(1, "library", "alpine", "3.20", 0, 3_600_000, T0),
                row(2, "org/team", "tool", "v1", 12, 93, Instant.parse("2025-01-02T23:59:59Z"))),
            2,
            false);
    String table = HistoryTable.render(page);
    assertThat(table)
        .isEqualTo(
            HEADER
                + "\n"
                + "2026-11-21   library                   alpine                    3.20"
                + "                     0    3.6 MB\n"
                + "2025-01-02   org/team                  tool                      v1  "
                + "                    12      93 B\n"
                + "Page 1 of 1 | 2 total results\n");
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0))
        .isEqualTo(expectedLine("scraped_at", "owner", "repo", "tag", "layer", "size"));
    assertThat(lines.get(1))
        .isEqualTo(expectedLine("2026-11-21", "library", "alpine", "3.20", "0", "3.6 MB"));
    // columns start where the widths say: 12, 25, 25, 20, 5, 9, one space apart
    assertThat(lines.get(0).indexOf("owner")).isEqualTo(13);
    assertThat(lines.get(0).indexOf("repo")).isEqualTo(39);
    assertThat(lines.get(0).indexOf("tag")).isEqualTo(65);
    assertThat(lines.get(0).indexOf("layer")).isEqualTo(86);
    assertThat(lines.get(0)).hasSize(101);
    assertThat(lines.get(1)).hasSize(101);
  }

  @Test
  void longValuesAreCutWithDots() {
    String owner = "a-very-long-organization-name"; // 29
    String repo = "abcdefghijklmnopqrstuvwxy"; // exactly 25: kept
    String tag = "release-2026.11.21-rc"; // 21
    Page page =
        Page.of(
            HistoryQuery.defaults(),
            List.of(row(1, owner, repo, tag, 12, 31_700_000, T0)),
            1,
            false);
    List<String> lines = HistoryTable.render(page).lines().toList();
    assertThat(lines.get(1))
        .isEqualTo(
            "2026-11-21   a-very-long-organizati... abcdefghijklmnopqrstuvwxy"
                + " release-2026.11.2...    12   31.7 MB");
    assertThat(lines.get(1))
        .isEqualTo(
            expectedLine(
                "2026-11-21",
                "a-very-long-organizati...",
                repo,
                "release-2026.11.2...",
                "12",
                "31.7 MB"));
    assertThat(HistoryTable.truncate("abcdef", 5)).isEqualTo("ab...");
    assertThat(HistoryTable.truncate("abcde", 5)).isEqualTo("abcde");
    assertThat(HistoryTable.truncate("", 5)).isEmpty();
  }

  @Test
  void unknownIndexIsBlankAndControlCharactersAreMasked() {
    LayerRecord migrated =
        new LayerRecord(
            Rows.digest(1),
            "x",
            null,
            "o\nwner",
            "re\tpo",
            "",
            null,
            0,
            null,
            null,
            null,
            null,
            null,
            T0);
    String table =
        HistoryTable.render(Page.of(HistoryQuery.defaults(), List.of(migrated), 1, false));
    assertThat(table.lines().toList().get(1))
        .isEqualTo(expectedLine("2026-11-21", "o?wner", "re?po", "", "", "0 B"));
    assertThat(table.lines()).hasSize(3);
  }

  @Test
  void footerCountsPagesAndResults() {
    HistoryQuery second = HistoryQuery.of(null, 2, 30, null, null);
    List<LayerRecord> rows = List.of(row(1, "library", "alpine", "3.20", 0, 1, T0));
    Page page = Page.of(second, rows, 65, false);
    assertThat(page.totalPages()).isEqualTo(3);
    assertThat(HistoryTable.footer(page)).isEqualTo("Page 2 of 3 | 65 total results");
    assertThat(HistoryTable.render(page)).endsWith("\nPage 2 of 3 | 65 total results\n");
  }

  @Test
  void aPagePastTheEndSaysWhereTheLastIs() {
    Page page = Page.of(HistoryQuery.of(null, 9, 30, null, null), List.of(), 65, false);
    assertThat(HistoryTable.render(page))
        .isEqualTo(
            HEADER
                + "\nNo layers on page 9: the last page is 3.\nPage 9 of 3 | 65 total results\n");
  }

  @Test
  void noMatchSaysSo() {
    Page page = Page.of(HistoryQuery.of("xyz", null, null, null, null), List.of(), 0, false);
    assertThat(HistoryTable.render(page))
        .isEqualTo("No layers match 'xyz'. Try a shorter search, or run without --q.\n");
  }

  @Test
  void anEmptyHistorySaysHowToFillIt() {
    String expected = "No history yet: index or mount an image first (strata index IMAGE).\n";
    assertThat(HistoryTable.render(Page.empty(HistoryQuery.defaults()))).isEqualTo(expected);
    // even when filtering: nothing can match before anything was indexed
    assertThat(HistoryTable.render(Page.empty(HistoryQuery.of("xyz", null, null, null, null))))
        .isEqualTo(expected);
  }
}
