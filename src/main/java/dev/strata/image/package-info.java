/**
 * The merged image tree: an image's layers applied in order, as a container runtime sees its root
 * filesystem ({@link dev.strata.image.ImageTree#merge}), with the queries the FUSE filesystem and
 * the {@code ls}/{@code get} commands need ({@link dev.strata.image.ImageTree#lookup}, {@link
 * dev.strata.image.ImageTree#children}). Each {@link dev.strata.image.Node} says where its bytes
 * live: which layer, which offset of that layer's uncompressed tar stream.
 */
package dev.strata.image;
