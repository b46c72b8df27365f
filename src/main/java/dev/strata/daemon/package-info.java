/**
 * {@code strata daemon}: keeps the configured and remembered mounts mounted, serves the admin HTTP
 * endpoints (plus the loopback-only {@code /mounts} control endpoint the CLI uses), and shuts down
 * cleanly on SIGTERM. Depends on {@code mount}, {@code admin}, {@code config} and below; nothing
 * below imports it.
 */
package dev.strata.daemon;
