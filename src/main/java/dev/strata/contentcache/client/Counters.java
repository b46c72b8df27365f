package dev.strata.contentcache.client;

import java.util.concurrent.atomic.LongAdder;

/** The mutable side of {@link ClientStats}. */
final class Counters {
  final LongAdder reads = new LongAdder();
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder bytesRead = new LongAdder();
  final LongAdder endpointFailures = new LongAdder();
  final LongAdder skips = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder stores = new LongAdder();
  final LongAdder storeFailures = new LongAdder();
  final LongAdder bytesStored = new LongAdder();

  ClientStats snapshot() {
    return new ClientStats(
        reads.sum(),
        hits.sum(),
        misses.sum(),
        bytesRead.sum(),
        endpointFailures.sum(),
        skips.sum(),
        errors.sum(),
        stores.sum(),
        storeFailures.sum(),
        bytesStored.sum());
  }
}
