/**
 * Serves a {@link dev.strata.fs.ReadOnlyFileSystem} as a read-only FUSE mount. {@link
 * dev.strata.fuse.FuseMount} is the handle, whichever the {@link dev.strata.fuse.FuseBinding}:
 * jnr-fuse over libfuse 2 or jfuse over libfuse 3. The adapters only translate: one filesystem call
 * per FUSE callback, errno for errno.
 */
package dev.strata.fuse;
