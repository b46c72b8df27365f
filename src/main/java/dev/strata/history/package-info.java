/**
 * The record of every layer strata has indexed: an embedded SQLite database, {@code history.db} in
 * the state directory ({@link dev.strata.history.HistoryDb}), queried with filtering, sorting and
 * paging ({@link dev.strata.history.HistoryQuery}) and rendered as the plain-text table that {@code
 * strata history} and the daemon's {@code GET /history} print ({@link
 * dev.strata.history.HistoryTable}).
 */
package dev.strata.history;
